#pragma once

#include <cstdint>
#include <span>

namespace forgelens {

// The EXIF Orientation tag (1..8) of an encoded image, read with Exiv2 from the bytes in
// memory; 1 when absent, out of range or unreadable (a bad tag never stops decoding).
int readExifOrientation(std::span<const std::uint8_t> bytes);

} // namespace forgelens
