#pragma once

#include <QString>

namespace forgelens {

// Text taken from an evidence file or a model manifest, made safe to show in a terminal, a text
// report, a table cell or a label: control characters (newlines, escape sequences) and
// invisible format characters (bidirectional overrides, zero-width marks, tag characters) and
// the line and paragraph separators U+2028 / U+2029 (Qt breaks lines at them) are written as
// \uXXXX, so a file cannot forge lines of a report or reorder what a reader sees.
// It does not escape markup: show the result as plain text, or escape it for HTML as well.
QString displayText(const QString &text);

} // namespace forgelens
