#pragma once

#include <QRect>

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <span>

namespace forgelens {

// Decodes only the rectangle `region` of a JPEG's stored pixels (before any orientation), as
// RGB (CV_8UC3, region.height() x region.width()). libjpeg-turbo decodes the rows down to the
// region's last and, in them, the columns of the region (jpeg_skip_scanlines, which still reads
// the entropy-coded data above the region, and jpeg_crop_scanline), with one iMCU to spare on
// every side: chroma upsampling at the edge of a cropped row differs from the same column
// inside a whole row. Within the region the pixels are those of OpenCV's full decode
// (libjpeg's defaults: islow IDCT, fancy upsampling, block smoothing), bit for bit.
//
// nullopt when this decode does not take the file, and the caller decodes it whole: not 1 or 3
// components (CMYK and YCCK are converted by OpenCV's own code), not 8-bit, a header whose size
// is not storedWidth x storedHeight, any libjpeg warning (damaged data is decoded the one way
// the full decode does it) or error.
std::optional<cv::Mat> decodeJpegRegion(
    std::span<const std::uint8_t> bytes, const QRect &region, int storedWidth, int storedHeight);

} // namespace forgelens
