#pragma once

#include "forgelens/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace forgelens {

// One top-level ISO-BMFF box (ISO/IEC 14496-12 4.2): offsets into the file.
struct BmffBox {
    std::uint32_t type = 0; // four characters, big-endian
    std::uint64_t start = 0; // of the header
    std::uint64_t payload = 0; // after the header (8 bytes, or 16 with a 64-bit size)
    std::uint64_t end = 0;
};

// The top-level boxes of HEIF, AVIF or a JPEG XL container, in order (at most 100,000): size 1
// means a 64-bit size follows, 0 that the box runs to the end of the file. A box running past
// the end of the file (a file cut short) ends the list. Error code metadata-malformed when a box
// declares a size smaller than its own header.
Result<std::vector<BmffBox>> topLevelBoxes(std::span<const std::uint8_t> bytes);

} // namespace forgelens
