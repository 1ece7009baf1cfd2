#include "ui/image_map_files.h"

#include "ui/image_map_rendering.h"
#include "ui/output_file_names.h"

#include <QBuffer>
#include <QFileInfo>
#include <QJsonDocument>

namespace forgelens {

QString imageMapFileStem(const QString &folder, const QString &imagePath, const ImageMap &map)
{
    return QStringLiteral("%1/%2.%3.%4")
        .arg(folder, safeFileNamePart(QFileInfo(imagePath).completeBaseName()),
            safeFileNamePart(map.detectorId), imageMapKindName(map.kind));
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
    return writeFileAtomically(stem + QStringLiteral(".json"), QJsonDocument(json).toJson())
        && writeFileAtomically(stem + QStringLiteral(".png"), png);
}

} // namespace forgelens
