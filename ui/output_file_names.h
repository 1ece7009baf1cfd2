#pragma once

#include <QByteArray>
#include <QString>

namespace forgelens {

// A file-name part made from text that comes from evidence or a manifest (an image's name, a
// detector's id): every character outside [A-Za-z0-9._-] becomes '_', at most 80 of them, and
// never a hidden name or an empty one ("image" is put in front).
QString safeFileNamePart(const QString &text);

// Writes `bytes` to `path` through a temporary file renamed into place: a reader never sees a
// half-written file. False when it could not be written.
bool writeFileAtomically(const QString &path, const QByteArray &bytes);

} // namespace forgelens
