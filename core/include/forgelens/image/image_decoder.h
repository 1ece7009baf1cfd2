#pragma once

#include "forgelens/image/decoded_image.h"
#include "forgelens/image/native_crop_region.h"
#include "forgelens/image/reduced_jpeg_decode.h"
#include "forgelens/result.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace forgelens {

struct DecodeLimits {
    // Refuse images with more pixels than this, judged from the header before the decoder
    // allocates anything (a 200-megapixel phone photograph still fits).
    qint64 maxPixels = 210'000'000;
    // Refuse files larger than this before reading them.
    qint64 maxFileBytes = qint64(1) << 30;

    QString validate() const;
};

enum class DecodeMode {
    Strict, // a truncated file is an error: it is never analysed
    // A truncated JPEG decodes to what its data holds (the rest grey, as libjpeg fills it) and
    // comes back with DecodedImage::truncated set: for showing an analyst what is there, never
    // for scoring.
    Salvage,
};

// Caller-owned memory that decodeImage() writes the RGB pixels into instead of DecodedImage::rgb:
// the sandbox's worker points it at the memory it shares with the analysing process, which
// saves a copy and a fresh allocation of up to 630 MB per file. When the pixels fit
// (width * height * 3 <= capacity) the result's `rgb` stays empty, which only such a call returns
// for an image that is not null; otherwise they go to `rgb` as usual.
struct PixelTarget {
    unsigned char *data = nullptr;
    qint64 capacity = 0; // bytes
};

// Decodes JPEG (baseline, progressive, CMYK), PNG (8/16-bit, palette, alpha, grey), BMP, GIF
// (first frame), TIFF (first page), WebP and JPEG 2000 with OpenCV (GIF with Qt), applying the
// EXIF orientation; HEIF/HEIC (libheif, HEVC by libde265 on this thread), AVIF (libavif, a
// sequence's first frame), JPEG XL (libjxl) and camera RAW/DNG (LibRaw's default development at
// full size), applying their containers' own orientation. Always 8-bit RGB: alpha is dropped (as
// torchvision's convert("RGB") does); deeper samples keep their high byte (or are scaled).
// Every format's declared size is checked against `limits` before pixels are allocated.
// JPEGs are walked first: more than 500 scans is refused (jpeg-too-many-scans), and so is a
// Huffman-coded JPEG whose data is too small to hold the pixels it declares (truncated).
// What the caller already knows, so the decoder does less.
struct DecodeHints {
    // The resizes every model will make: a JPEG decoded in DecodeMode::Strict is then decoded at
    // jpegReduction() of its size by libjpeg's DCT scaling (DecodedImage::reduction). Every
    // other format, and Salvage, decode in full. Empty: always in full.
    std::vector<ReducibleResize> reduceFor;
    // The centre crops every model takes at native resolution: a JPEG decoded in
    // DecodeMode::Strict is then decoded only in nativeCropRegion() (DecodedImage::region), with
    // the same pixels there as a full decode. Where the region decode does not take the file
    // (jpeg_region_decode.h), it is decoded whole. Empty: always whole.
    std::vector<NativeCenterCrop> cropFor;
    // The EXIF orientation as the metadata pass read it from the same bytes (Exiv2, as
    // readExifOrientation reads it): the decoder then does not parse the EXIF a second time.
    std::optional<int> exifOrientation;
};

// Error codes: empty-file, not-an-image, unsupported-format, truncated, bad-header,
// decompression-bomb, jpeg-too-many-scans, decode-failed, decoder-out-of-memory.
Result<DecodedImage> decodeImage(std::span<const std::uint8_t> bytes, const DecodeLimits &limits,
    DecodeMode mode = DecodeMode::Strict, PixelTarget target = {}, const DecodeHints &hints = {});

} // namespace forgelens
