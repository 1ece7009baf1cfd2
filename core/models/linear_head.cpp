#include "forgelens/models/linear_head.h"

#include "head_buffer.h"

#include <torch/script.h>

namespace forgelens {

Result<LinearHead> LinearHead::fromModule(const torch::jit::Module &head)
{
    Result<at::Tensor> coef = headBuffer(head, "coef", torch::kFloat64, 1);
    if (!coef)
        return coef.error();
    Result<at::Tensor> intercept = headBuffer(head, "intercept", torch::kFloat64, 0);
    if (!intercept)
        return intercept.error();
    Result<at::Tensor> fakeSign = headBuffer(head, "fake_sign", torch::kFloat64, 0);
    if (!fakeSign)
        return fakeSign.error();
    LinearHead out;
    out.m_coef = *coef;
    out.m_intercept = intercept->item<double>();
    out.m_fakeSign = fakeSign->item<double>();
    if (out.m_fakeSign != 1.0 && out.m_fakeSign != -1.0)
        return Error{ ErrorCode::BadModel,
            QStringLiteral("the linear head's fake_sign must be +1 or -1") };
    return out;
}

at::Tensor LinearHead::decision(const at::Tensor &embeddings) const
{
    return embeddings.to(torch::kCPU, torch::kFloat64).matmul(m_coef).add(m_intercept);
}

at::Tensor LinearHead::probabilityFake(const at::Tensor &embeddings) const
{
    return torch::sigmoid(decision(embeddings).mul(m_fakeSign));
}

} // namespace forgelens
