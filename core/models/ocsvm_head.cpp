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
    for (const char *name : { "intercept", "gamma", "coef0" }) {
        if (Result<at::Tensor> scalar = headBuffer(head, name, torch::kFloat64, 0); !scalar)
            return scalar.error();
    }
    Result<at::Tensor> degree = headBuffer(head, "degree", torch::kInt64, 0);
    if (!degree)
        return degree.error();
    if (dualCoef->size(0) != supportVectors->size(0))
        return Error{ QStringLiteral("bad-model"),
            QStringLiteral("the one-class SVM has %1 support vectors but %2 dual coefficients")
                .arg(supportVectors->size(0))
                .arg(dualCoef->size(0)) };
    OcsvmHead out;
    out.m_supportVectors = *supportVectors;
    out.m_dualCoef = *dualCoef;
    out.m_intercept = head.attr("intercept").toTensor().item<double>();
    out.m_gamma = head.attr("gamma").toTensor().item<double>();
    out.m_coef0 = head.attr("coef0").toTensor().item<double>();
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
