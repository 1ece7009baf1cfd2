#pragma once

#include "forgelens/image/image_format.h"
#include "forgelens/metadata/metadata_property.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <span>

namespace forgelens {

// Text hidden in the lowest bits of a lossless image's pixels, in the layout of the AUTOMATIC1111
// "stealth pnginfo" extension (also written by Forge and SwarmUI) and of NovelAI: pixels taken
// column by column (x outer, y inner); in alpha mode one bit per pixel, the alpha's lowest, in
// RGB mode three, the red, green and blue lowest bits in that order; bits packed most
// significant first into bytes. First a 15-byte signature ("stealth_pnginfo" or "stealth_pngcomp"
// in alpha, "stealth_rgbinfo" or "stealth_rgbcomp" in RGB), then the payload's length in bits as
// a 32-bit big-endian number, then the payload: UTF-8 text, gzip-compressed for the "comp"
// signatures (NovelAI writes stealth_pngcomp holding its JSON).
struct StealthMetadata {
    QString signature; // e.g. "stealth_pngcomp"
    bool alpha = true; // alpha-channel mode; false: RGB mode
    QString text; // the payload, decoded (at most a megabyte)
    QString problem; // set when the signature is there but the payload is not readable
};

// Read only from lossless images (PNG, lossless or alpha-carrying WebP): in a lossy one the low
// bits are noise. A PNG's first column is inflated first and the whole image is decoded only
// when a signature is there. Images over `maxPixels` are not read.
std::optional<StealthMetadata> readStealthMetadata(
    std::span<const std::uint8_t> bytes, ImageFormat format, qint64 maxPixels = 100'000'000);

// The property a report lists it as: group "Hidden", key "Hidden.<signature>".
MetadataProperty stealthProperty(const StealthMetadata &stealth);

} // namespace forgelens
