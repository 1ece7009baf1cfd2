#include "ui/output_file_names.h"

#include <QRegularExpression>
#include <QSaveFile>

namespace forgelens {

QString safeFileNamePart(const QString &text)
{
    QString part = text;
    part.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    part = part.left(80);
    return part.isEmpty() || part.startsWith(QLatin1Char('.')) ? QStringLiteral("image") + part
                                                               : part;
}

bool writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit();
}

} // namespace forgelens
