#pragma once

#include <QByteArray>
#include <QJsonDocument>

namespace forgelens {

// A JSON document as text whose bytes hold no character that changes how a terminal or a
// bidirectional renderer shows the text around it: inside strings, every control, format
// (bidirectional overrides, zero-width and tag characters) and line or paragraph separator
// character is written as a \uXXXX escape (a surrogate pair beyond the BMP). The document's
// values are unchanged: any JSON reader decodes the escapes back. Qt escapes C0 controls itself;
// this covers the rest, for output on a terminal and for files someone may `cat`.
QByteArray terminalSafeJson(
    const QJsonDocument &document, QJsonDocument::JsonFormat format = QJsonDocument::Indented);

} // namespace forgelens
