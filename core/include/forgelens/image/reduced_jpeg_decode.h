#pragma once

#include "forgelens/image/input_spec.h"

#include <optional>
#include <vector>

namespace forgelens {

// A JPEG can be decoded at 1/2, 1/4 or 1/8 of its size for the price of a much smaller inverse
// DCT (libjpeg's DCT-domain scaling), when the model's preprocessing shrinks the image anyway.
// The pixels are not those of a full decode followed by the same resize, so this is an
// exception to DESIGN's bit-compatibility, allowed where the change of P it makes was measured
// and is at most 1e-3 on real photographs (README, "Reduced JPEG decode"; each model card):
// a bundle opts in with input.resize.reduced_jpeg_decode, a scan can switch it off
// (--full-decode), and the parity tests, the window, maps and tiles always decode in full.

// The first resize of a model's preprocessing, as far as the decoder needs to know it.
struct ReducibleResize {
    InputSpec::Resize policy = InputSpec::Resize::Exact; // Exact or ShorterSide
    int height = 0; // Exact: output height; ShorterSide: the shorter side
    int width = 0; // Exact only
    std::optional<int> maxSize; // ShorterSide only

    friend bool operator==(const ReducibleResize &, const ReducibleResize &) = default;
};

// The spec's first resize, when a reduced decode may feed it: the manifest allows it, the
// resize is antialiased bilinear or bicubic and comes before any crop, and the crop is not
// "tiles" (tiles read native-resolution pixels). nullopt otherwise.
std::optional<ReducibleResize> reducibleResize(const InputSpec &spec);

// The decoded image must keep at least this many times the resize's output in each direction.
// A reduced pixel is close to the mean of the block it replaces, which the resize's own filter
// then blurs once more: the larger the margin, the less that extra blur weighs. Measured on
// real photographs (README's ΔP table): with 2, P moved by up to 2.9e-3 on make bench's
// bundle; with 4, by at most 5.0e-4.
constexpr int kReducedDecodeMargin = 4;

// The largest reduction in {1, 2, 4, 8} that keeps a storedWidth x storedHeight JPEG, reduced
// (sides rounded up), at least kReducedDecodeMargin times every resize's output in each
// direction, whichever way the image stands (its EXIF orientation may turn it). 1 when
// `resizes` is empty. Each resize's output is computed from the full size, as preprocessing
// computes it.
int jpegReduction(int storedWidth, int storedHeight, const std::vector<ReducibleResize> &resizes);

} // namespace forgelens
