#pragma once

#include "forgelens/result.h"

#include <QString>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace forgelens {

struct QuantizationTable {
    int id = 0; // Tq, 0..3
    int precision = 8; // 8 or 16 bits
    std::array<int, 64> values{}; // natural (row-major) order, de-zigzagged
};

// The coding structure of a JPEG, from its markers.
struct JpegStructure {
    QString process; // "baseline", "extended", "progressive", "lossless", ...
    bool arithmetic = false;
    int components = 0;
    QString subsampling; // e.g. "4:2:0", "4:4:4", "4:2:2"
    int restartInterval = 0; // MCUs between restart markers (DRI); 0 = none
    std::vector<QuantizationTable> tables;
    // Quality (1..100) whose IJG-scaled standard tables (ITU T.81 Annex K, as libjpeg scales
    // them) come closest to the file's; -1 when there are no tables.
    int estimatedQuality = -1;
    // True when every table equals the IJG-scaled standard table at estimatedQuality exactly:
    // typical of software encoders (libjpeg, PIL, OpenCV, browsers); cameras mostly use their own.
    bool standardTables = false;
};

// Error code "malformed-jpeg" when the markers cannot be walked (not a JPEG, a segment running
// past the end, a DQT of the wrong length).
Result<JpegStructure> readJpegStructure(std::span<const std::uint8_t> bytes);

} // namespace forgelens
