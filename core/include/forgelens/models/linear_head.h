#pragma once

#include "forgelens/result.h"

#include <ATen/core/Tensor.h>

namespace torch::jit {
struct Module;
}

namespace forgelens {

// A binary logistic-regression head (scikit-learn's LogisticRegression), evaluated in float64 as
// scikit-learn does. Its tensors are the buffers of a bundle's `head` submodule, written by
// models/convert/sklearn_heads.py: coef [D] f64, intercept [] f64, fake_sign [] f64.
class LinearHead {
public:
    static Result<LinearHead> fromModule(const torch::jit::Module &head);

    int64_t dimension() const { return m_coef.size(0); }
    // embeddings [N, D] (any floating type) -> [N] f64: decision_function, the log-odds of
    // scikit-learn's second class.
    at::Tensor decision(const at::Tensor &embeddings) const;
    // [N, D] -> [N] f64: P(fake) = sigmoid(fake_sign * decision), predict_proba's fake column.
    at::Tensor probabilityFake(const at::Tensor &embeddings) const;
    // +1 when scikit-learn's second class is the fake one, else -1.
    double fakeSign() const { return m_fakeSign; }

private:
    at::Tensor m_coef; // [D] f64
    double m_intercept = 0.0;
    double m_fakeSign = 1.0;
};

} // namespace forgelens
