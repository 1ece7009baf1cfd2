#pragma once

#include "forgelens/image/input_spec.h"

#include <QRect>

#include <optional>
#include <vector>

namespace forgelens {

// A model whose preprocessing begins, before any resize, with a centre crop reads only the
// crop's pixels: CoDE's 224 x 224 crop of a 12-megapixel photograph is 0.4 % of it. A scan then
// decodes a JPEG only around the crops its models take (jpeg_region_decode.h). The crops'
// pixels are bit-identical to those of a full decode (tst_jpeg_region_decode compares them), so
// unlike the reduced decode (reduced_jpeg_decode.h) this changes no score and needs no opt-in.

// What the decoder needs to know of such a crop.
struct NativeCenterCrop {
    int height = 0;
    int width = 0;
    bool pad = true; // InputSpec::cropPad
    bool applyExifOrientation = true; // false: the crop is taken from the stored pixels

    friend bool operator==(const NativeCenterCrop &, const NativeCenterCrop &) = default;
};

// The spec's centre crop when it is the first step that selects pixels (no resize before it;
// tiles are not a centre crop). nullopt otherwise.
std::optional<NativeCenterCrop> nativeCenterCrop(const InputSpec &spec);

// Where `crop` lies in an image stored storedWidth x storedHeight with EXIF orientation
// `orientation`, in the coordinates of the image as shown (as scoredRegions gives it). nullopt
// when the crop does not lie wholly inside the image (torchvision's CenterCrop would pad it).
std::optional<QRect> nativeCropRect(
    const NativeCenterCrop &crop, int storedWidth, int storedHeight, int orientation);

// The rectangle of the stored image (before orientation) that holds every crop of `crops`.
// nullopt when `crops` is empty, when a crop would be padded, or when the rectangle covers more
// than half of the image (a full decode then costs about the same, and keeps the picture whole).
std::optional<QRect> nativeCropRegion(
    const std::vector<NativeCenterCrop> &crops, int storedWidth, int storedHeight, int orientation);

} // namespace forgelens
