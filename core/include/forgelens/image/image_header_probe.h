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
// WebP (VP8, VP8L, VP8X), JPEG XL (SizeHeader, bare or in its container), JPEG 2000 (JP2 ihdr
// box, or a bare codestream's SIZ marker). HEIF, AVIF and camera RAW are identified with a size
// of 0 x 0: theirs is declared deep in the container, and their decoder reads it through its
// library before allocating pixels. Never reads past `bytes`; a header cut short is an error.
// Error codes: "empty-file", "not-an-image", "unsupported-format" (an image format recognised
// but not decoded: PSD, SVG, BigTIFF, ...), "truncated", "bad-header".
Result<ImageHeader> probeImageHeader(std::span<const std::uint8_t> bytes);

// Format by magic bytes alone (Unknown when none matches). The first 16 bytes tell every format
// but two: a TIFF is told to be a camera RAW (DNG, NEF, ARW, PEF) from its first directory, and
// a HEIF with a structural major brand (mif1) an AVIF from its compatible brands, when `bytes`
// holds them.
ImageFormat sniffImageFormat(std::span<const std::uint8_t> bytes);

// "II*\0" or "MM\0*": a classic TIFF header, which camera RAWs (DNG, NEF, ARW, CR2, ...) share.
bool hasClassicTiffSignature(std::span<const std::uint8_t> bytes);

// A classic TIFF whose first directory carries DNGVersion (tag 50706): a DNG.
bool tiffDeclaresDng(std::span<const std::uint8_t> bytes);

// The name of an image format ForgeLens recognises by content but does not decode ("Photoshop
// document (PSD/PSB)", "SVG vector drawing", "OpenEXR image", ...), or empty. A scan gives such a
// file a row with unsupported-format instead of passing it over as "not an image".
QString undecodedImageFormat(std::span<const std::uint8_t> bytes);

} // namespace forgelens
