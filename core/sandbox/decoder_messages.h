#pragma once

#include "forgelens/sandbox/evidence_reading.h"

#include <QString>

namespace forgelens {

// The decoder libraries' own messages (libpng's "iCCP: known incorrect sRGB profile", libjpeg's
// "premature end of data segment", LibRaw's and libde265's complaints) go to stderr, which in a
// worker is a non-blocking pipe of its own: read after each file, they become part of that file's
// error or a decoder-warning finding instead of noise on the analyst's terminal. A library that
// writes more than the pipe holds loses the rest (its write fails), never blocks.
class DecoderMessages {
public:
    // Points stderr at the pipe (before the system-call filter: it creates descriptors).
    bool capture();
    // What was written since the last call, at most 4 KiB of it, trimmed.
    QString take();

private:
    int m_readEnd = -1;
};

// Appends `messages` to the reading's error, or, when the file was read, adds decoder-warning
// to its finding codes and (when kept) to its metadata report.
void attachDecoderMessages(EvidenceReading &reading, const QString &messages);

} // namespace forgelens
