#pragma once

#include <QtGlobal>

#include <cstdint>
#include <span>

namespace forgelens {

// What the decoder will face in a JPEG, found by walking its segments and the entropy-coded data
// of every scan (progressive files have many) up to the first EOI marker; bytes appended after
// it (as some phones do) are ignored, and so are stray bytes between segments, which libjpeg
// also skips with a warning.
struct JpegLayout {
    // libjpeg "decodes" a JPEG cut short by padding it with grey and only warns; a forensic tool
    // must say the file is truncated instead.
    bool endsProperly = false;
    int scans = 0;
    qint64 entropyBytes = 0; // entropy-coded data of all scans
    bool huffman = false; // SOF0-SOF2 (the frame types whose blocks each cost a bit, below)
};

// Walks a JPEG's segments and the entropy-coded data of every scan up to the first EOI.
JpegLayout walkJpeg(std::span<const std::uint8_t> bytes);

} // namespace forgelens
