#include "forgelens/report/display_text.h"

#include <QList>

namespace forgelens {

QString displayText(const QString &text)
{
    QString out;
    out.reserve(text.size());
    // By code point, so format characters outside the BMP (the tag characters) are caught too.
    for (const char32_t codePoint : text.toUcs4()) {
        const QChar::Category category = QChar::category(codePoint);
        if (category == QChar::Other_Control || category == QChar::Other_Format
            || category == QChar::Separator_Line || category == QChar::Separator_Paragraph)
            out += QStringLiteral("\\u%1").arg(uint(codePoint), 4, 16, QLatin1Char('0'));
        else
            out += QChar::fromUcs4(codePoint);
    }
    return out;
}

} // namespace forgelens
