#pragma once

#include "forgelens/image/image_decoder.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <span>

namespace forgelens {

// What a library decoder (HEIF, AVIF, JPEG XL, camera RAW) hands decodeImage(): the primary
// image as 8-bit RGB, already standing as its container says it is shown (HEIF/AVIF irot and
// imir, JPEG XL's orientation field, a RAW's flip).
struct ContainerPixels {
    cv::Mat rgb; // CV_8UC3, R G B byte order, rows x cols = height x width
    int storedWidth = 0; // before the container's orientation
    int storedHeight = 0;
    int orientation = 1; // the EXIF orientation (1-8) the container's transforms amount to
};

// Each applies `limits` to the size its library reads from the container before decoding.
// Errors: truncated, decompression-bomb, unsupported-format, decode-failed.
Result<ContainerPixels> decodeHeif(std::span<const std::uint8_t> bytes, const DecodeLimits &limits);
Result<ContainerPixels> decodeAvif(std::span<const std::uint8_t> bytes, const DecodeLimits &limits);
Result<ContainerPixels> decodeJpegXl(
    std::span<const std::uint8_t> bytes, const DecodeLimits &limits);
Result<ContainerPixels> decodeCameraRaw(
    std::span<const std::uint8_t> bytes, const DecodeLimits &limits);

} // namespace forgelens
