#include "head_buffer.h"

#include <torch/script.h>

namespace forgelens {

Result<at::Tensor> headBuffer(
    const torch::jit::Module &head, const char *name, c10::ScalarType dtype, int64_t dims)
{
    const auto failure = [name](const QString &why) {
        return Error{ ErrorCode::BadModel,
            QStringLiteral("the model's head buffer \"%1\" %2; convert the model again with "
                           "models/convert/")
                .arg(QLatin1String(name), why) };
    };
    if (!head.hasattr(name))
        return failure(QStringLiteral("is missing"));
    const c10::IValue value = head.attr(name);
    if (!value.isTensor())
        return failure(QStringLiteral("is not a tensor"));
    const at::Tensor tensor = value.toTensor();
    if (tensor.scalar_type() != dtype)
        return failure(QStringLiteral("has type %1, not %2")
                           .arg(QLatin1String(c10::toString(tensor.scalar_type())),
                               QLatin1String(c10::toString(dtype))));
    if (tensor.dim() != dims)
        return failure(QStringLiteral("has %1 dimensions, not %2").arg(tensor.dim()).arg(dims));
    return tensor.to(torch::kCPU).contiguous();
}

} // namespace forgelens
