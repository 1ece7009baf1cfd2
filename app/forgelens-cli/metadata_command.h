#pragma once

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli metadata IMAGE… [--json]`: what each file says about its own origin (EXIF,
// IPTC, XMP, PNG text chunks, C2PA, JPEG structure) and the findings drawn from it.
// Exit codes: 0 every part of every file was read; 1 a file could not be read or a part of it
// is malformed (reported; the rest is still shown); 2 usage error.
int runMetadata(const QStringList &arguments);

} // namespace forgelens::cli
