#pragma once

#include "forgelens/result.h"

#include <QByteArray>

#include <cstdint>
#include <optional>
#include <span>

namespace forgelens {

// Where the C2PA specification (2.x, appendix A) puts the manifest store in the still-image
// containers other than JPEG, PNG and WebP. Each returns the JUMBF superbox (header included),
// std::nullopt when there is none, or malformed-c2pa when the container's own structure around
// it is inconsistent. Nothing here is verified: the store is a claim.

// HEIF/HEIC/AVIF: a top-level `uuid` box with the C2PA UUID, a purpose string ("manifest" or
// "original"), for those an 8-byte offset, then the store.
Result<std::optional<QByteArray>> bmffC2paStore(std::span<const std::uint8_t> bytes);

// JPEG XL container: a top-level `jumb` box whose description is labelled "c2pa".
Result<std::optional<QByteArray>> jpegXlC2paStore(std::span<const std::uint8_t> bytes);

// TIFF and DNG: tag 52545 (0xCD41, UNDEFINED) in the last image directory (C2PA 1.4 on) or in
// the first (before).
Result<std::optional<QByteArray>> tiffC2paStore(std::span<const std::uint8_t> bytes);

// GIF: the application extension "C2PA_GIF", its sub-blocks joined.
Result<std::optional<QByteArray>> gifC2paStore(std::span<const std::uint8_t> bytes);

} // namespace forgelens
