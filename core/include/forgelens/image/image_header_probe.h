#pragma once

#include "forgelens/image/image_format.h"
#include "forgelens/result.h"

#include <cstdint>
#include <span>

namespace forgelens {

// What a file's header says before any pixel is decoded. Used to refuse decompression bombs
// before the decoder allocates, and to sniff the format by content.
struct ImageHeader {
    ImageFormat format = ImageFormat::Unknown;
    int width = 0; // pixels, as stored (before EXIF orientation)
    int height = 0; // pixels, as stored
};

// Identifies the format from magic bytes and reads the stored dimensions from the header:
// JPEG (first SOFn marker), PNG (IHDR), GIF (logical screen / first image descriptor),
// BMP (BITMAPINFOHEADER and later, OS/2 core header), TIFF (first IFD, both byte orders),
// WebP (VP8, VP8L, VP8X). Never reads past `bytes`; a header cut short is an error.
// Error codes: "empty-file", "not-an-image", "truncated", "bad-header".
Result<ImageHeader> probeImageHeader(std::span<const std::uint8_t> bytes);

// Format by magic bytes alone (Unknown when none matches). Needs at most the first 16 bytes.
ImageFormat sniffImageFormat(std::span<const std::uint8_t> bytes);

} // namespace forgelens
