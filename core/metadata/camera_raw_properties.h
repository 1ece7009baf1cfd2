#pragma once

#include "forgelens/metadata/metadata_property.h"

#include <cstdint>
#include <span>
#include <vector>

namespace forgelens {

// A camera RAW's own description as LibRaw reads it (group "Raw"): camera, capture settings,
// sensor and output sizes, the flip, the embedded preview's format and size, and the development
// the detectors are shown. Exiv2 reads the RAW's EXIF and maker notes beside these.
void appendCameraRawProperties(
    std::span<const std::uint8_t> bytes, std::vector<MetadataProperty> &properties);

} // namespace forgelens
