#include "ui/image_map_files.h"

#include "ui/image_map_rendering.h"

#include <QBuffer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

namespace forgelens {
namespace {

QString namePart(const QString &text)
{
    QString part = text;
    part.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    part = part.left(80);
    return part.isEmpty() || part.startsWith(QLatin1Char('.')) ? QStringLiteral("image") + part
                                                               : part;
}

bool writeAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit();
}

} // namespace

QString imageMapFileStem(const QString &folder, const QString &imagePath, const ImageMap &map)
{
    return QStringLiteral("%1/%2.%3.%4")
        .arg(folder, namePart(QFileInfo(imagePath).completeBaseName()), namePart(map.detectorId),
            imageMapKindName(map.kind));
}

bool writeImageMapFiles(const QString &stem, const ImageMap &map, const QImage &picture,
    double opacity, const QJsonObject &extra)
{
    QJsonObject json = imageMapToJson(map);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        json.insert(it.key(), it.value());
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    renderImageMap(map, picture, opacity).save(&buffer, "PNG");
    return writeAtomically(stem + QStringLiteral(".json"), QJsonDocument(json).toJson())
        && writeAtomically(stem + QStringLiteral(".png"), png);
}

} // namespace forgelens
