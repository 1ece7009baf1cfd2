#pragma once

#include <QString>

namespace forgelens::cli {

// Reads a whole-number option (--batch, --decode-threads, --k…) of at least `minimum` into
// `value`; false when the text is not such a number.
inline bool readCount(const QString &text, int minimum, int *value)
{
    bool ok = false;
    *value = text.toInt(&ok);
    return ok && *value >= minimum;
}

} // namespace forgelens::cli
