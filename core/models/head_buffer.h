#pragma once

#include "forgelens/result.h"

#include <ATen/core/Tensor.h>

namespace torch::jit {
struct Module;
}

namespace forgelens {

// One named buffer of a head submodule, checked for its dtype and number of dimensions, on the
// CPU and contiguous. Error code bad-model, naming the buffer.
Result<at::Tensor> headBuffer(
    const torch::jit::Module &head, const char *name, c10::ScalarType dtype, int64_t dims);

} // namespace forgelens
