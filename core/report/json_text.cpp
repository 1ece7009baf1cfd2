#include "forgelens/report/json_text.h"

#include <QString>

namespace forgelens {

QByteArray terminalSafeJson(const QJsonDocument &document, QJsonDocument::JsonFormat format)
{
    const QString text = QString::fromUtf8(document.toJson(format));
    QString out;
    out.reserve(text.size());
    for (const char32_t codePoint : text.toUcs4()) {
        // The layout's own new lines and indentation are the only raw controls Qt writes.
        const bool layout = codePoint == u'\n' || codePoint == u' ';
        const QChar::Category category = QChar::category(codePoint);
        const bool unsafe = category == QChar::Other_Control || category == QChar::Other_Format
            || category == QChar::Separator_Line || category == QChar::Separator_Paragraph;
        if (!unsafe || layout) {
            out += QChar::fromUcs4(codePoint);
            continue;
        }
        // Such characters occur only inside strings (JSON's own syntax is ASCII), where a
        // \u escape stands for exactly the same character.
        for (const QChar unit : QChar::fromUcs4(codePoint))
            out += QStringLiteral("\\u%1").arg(unit.unicode(), 4, 16, QLatin1Char('0'));
    }
    return out.toUtf8();
}

} // namespace forgelens
