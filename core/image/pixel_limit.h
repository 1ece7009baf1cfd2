#pragma once

#include "forgelens/image/image_decoder.h"

#include <optional>

namespace forgelens {

// decompression-bomb when a declared width x height exceeds limits.maxPixels: checked against
// what a header declares, before a decoder allocates any pixel.
std::optional<Error> pixelLimitError(qint64 width, qint64 height, const DecodeLimits &limits);

} // namespace forgelens
