#pragma once

#include "forgelens/image/decoded_image.h"
#include "forgelens/image/input_spec.h"
#include "forgelens/result.h"

#include <ATen/core/Tensor.h>

namespace forgelens {

// Turns decoded pixels into the model's input exactly as the manifest's InputSpec says, with
// the same LibTorch operations torchvision's tensor transforms use (to_tensor, resize through
// interpolate with align_corners=false, center_crop with zero padding, normalize as
// sub-then-div), so a converted bundle sees bit-for-bit what its Python pipeline fed it.
//
// Returns float32 [N, 3, H, W] on the CPU: N = 1, or the number of tiles for crop policy
// "tiles" (row-major tile order). Error code: preprocess-failed.
// Large images whose first step is an antialiased downscale are converted and resized a strip
// of rows at a time, and without a resize the crop or tiles are cut from the 8-bit pixels before
// they become floats (both bit-identical, a fraction of the time and memory: preprocessor.cpp).
// A JPEG decoded reduced (DecodedImage::reduction > 1) is resized to the size its full decode
// would be resized to. A JPEG decoded only in part (DecodedImage::isPartial) feeds only a model
// whose native centre crop lies inside that part (native_crop_region.h); any other model gets
// preprocess-failed.
Result<at::Tensor> preprocessImage(const DecodedImage &image, const InputSpec &spec);

// The same, always through the whole-image float tensor: the reference the strip and 8-bit
// paths are tested against (a partial image still starts from its crop).
Result<at::Tensor> preprocessWholeImage(const DecodedImage &image, const InputSpec &spec);

} // namespace forgelens
