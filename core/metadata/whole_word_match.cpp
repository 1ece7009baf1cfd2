#include "whole_word_match.h"

#include <QRegularExpression>

namespace forgelens {

QString firstWholeWord(const QString &text, const QStringList &names)
{
    for (const QString &name : names) {
        const QRegularExpression word(
            QStringLiteral("(?<![\\w])%1(?![\\w])").arg(QRegularExpression::escape(name)),
            QRegularExpression::CaseInsensitiveOption
                | QRegularExpression::UseUnicodePropertiesOption);
        if (word.match(text).hasMatch())
            return name;
    }
    return {};
}

} // namespace forgelens
