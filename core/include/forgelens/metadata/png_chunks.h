#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <span>
#include <vector>

namespace forgelens {

// A PNG text chunk. Exiv2 hides keywords it does not know (ComfyUI's "prompt" and
// "workflow", Stable Diffusion WebUI's "parameters"), so ForgeLens walks the chunks itself.
struct PngTextChunk {
    QString chunkType; // tEXt, zTXt or iTXt
    QString keyword;
    QString text; // decompressed, decoded (Latin-1 for tEXt/zTXt, UTF-8 for iTXt)
    QString language; // iTXt only
    bool compressed = false;
};

struct PngChunkLimits {
    qint64 maxChunkBytes = 64 << 20; // a larger declared chunk is refused
    qint64 maxInflatedTextBytes = 4 << 20; // a compressed text chunk may expand to this much
    qint64 maxTotalTextBytes = 16 << 20; // all text chunks together
    int maxTextChunks = 1000;
    int maxListedChunks = 10000; // chunk types kept in `chunkTypes`
};

struct PngChunkScan {
    QStringList chunkTypes; // every chunk in file order
    std::vector<PngTextChunk> texts;
    QByteArray c2paJumbf; // payload of a caBX chunk (C2PA manifest store)
    std::vector<Error> problems; // per-chunk problems; the walk went on past them
};

// Walks the chunks of a PNG: checks each CRC, caps sizes, inflates zTXt / compressed iTXt with
// a bound. Error (code "malformed-png") when the file is not a PNG or a chunk's declared length
// runs past the end of the file; problems that leave the walk possible (a bad CRC, a text
// chunk that inflates past the limit, a broken zlib stream) are listed in `problems`.
Result<PngChunkScan> scanPngChunks(
    std::span<const std::uint8_t> bytes, const PngChunkLimits &limits = {});

} // namespace forgelens
