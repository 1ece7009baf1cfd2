#include "forgelens/models/ocsvm_head.h"

#include "head_buffer.h"

#include <torch/script.h>

namespace forgelens {

Result<OcsvmHead> OcsvmHead::fromModule(const torch::jit::Module &head)
{
    Result<at::Tensor> supportVectors = headBuffer(head, "support_vectors", torch::kFloat64, 2);
    if (!supportVectors)
        return supportVectors.error();
    Result<at::Tensor> dualCoef = headBuffer(head, "dual_coef", torch::kFloat64, 1);
    if (!dualCoef)
        return dualCoef.error();
    Result<at::Tensor> intercept = headBuffer(head, "intercept", torch::kFloat64, 0);
    if (!intercept)
        return intercept.error();
    Result<at::Tensor> gamma = headBuffer(head, "gamma", torch::kFloat64, 0);
    if (!gamma)
        return gamma.error();
    Result<at::Tensor> coef0 = headBuffer(head, "coef0", torch::kFloat64, 0);
    if (!coef0)
        return coef0.error();
    Result<at::Tensor> degree = headBuffer(head, "degree", torch::kInt64, 0);
    if (!degree)
        return degree.error();
    if (dualCoef->size(0) != supportVectors->size(0))
        return Error{ ErrorCode::BadModel,
            QStringLiteral("the one-class SVM has %1 support vectors but %2 dual coefficients")
                .arg(supportVectors->size(0))
                .arg(dualCoef->size(0)) };
    OcsvmHead out;
    out.m_supportVectors = *supportVectors;
    out.m_dualCoef = *dualCoef;
    out.m_intercept = intercept->item<double>();
    out.m_gamma = gamma->item<double>();
    out.m_coef0 = coef0->item<double>();
    out.m_degree = degree->item<int64_t>();
    return out;
}

at::Tensor OcsvmHead::decision(const at::Tensor &embeddings) const
{
    const at::Tensor dots
        = embeddings.to(torch::kCPU, torch::kFloat64).matmul(m_supportVectors.t()); // [N, S]
    // libsvm's polynomial kernel: (gamma <x, y> + coef0)^degree.
    const at::Tensor kernel = dots.mul(m_gamma).add(m_coef0).pow(m_degree);
    return kernel.matmul(m_dualCoef).add(m_intercept);
}

} // namespace forgelens
