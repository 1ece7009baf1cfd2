#pragma once

#include "forgelens/result.h"

#include <ATen/core/Tensor.h>

namespace torch::jit {
struct Module;
}

namespace forgelens {

// A one-class SVM with a polynomial kernel (scikit-learn's OneClassSVM, kernel="poly"),
// evaluated in float64 like libsvm. Its tensors are the buffers of a bundle's `head` submodule
// (models/convert/sklearn_heads.py): support_vectors [S, D] f64, dual_coef [S] f64,
// intercept [] f64, gamma [] f64, coef0 [] f64, degree [] i64.
class OcsvmHead {
public:
    static Result<OcsvmHead> fromModule(const torch::jit::Module &head);

    int64_t dimension() const { return m_supportVectors.size(1); }
    // embeddings [N, D] -> [N] f64: decision_function, sum_i dual_i (gamma <x, sv_i> +
    // coef0)^degree
    // + intercept. Positive inside the region the SVM learnt (the seed fits it on real images).
    at::Tensor decision(const at::Tensor &embeddings) const;

private:
    at::Tensor m_supportVectors; // [S, D] f64
    at::Tensor m_dualCoef; // [S] f64
    double m_intercept = 0.0;
    double m_gamma = 0.0;
    double m_coef0 = 0.0;
    int64_t m_degree = 3;
};

} // namespace forgelens
