#pragma once

#include "forgelens/explain/image_map.h"

#include <QImage>
#include <QJsonObject>
#include <QString>

namespace forgelens {

// Where a map of one image goes: FOLDER/IMAGE.DETECTOR.KIND (then .png and .json), the image's
// and the detector's names reduced to [A-Za-z0-9._-] (they come from file names and manifests).
QString imageMapFileStem(const QString &folder, const QString &imagePath, const ImageMap &map);

// Writes STEM.json (imageMapToJson with `extra`'s keys added) and STEM.png (renderImageMap over
// `picture` at `opacity`), each atomically. False when either could not be written.
bool writeImageMapFiles(const QString &stem, const ImageMap &map, const QImage &picture,
    double opacity, const QJsonObject &extra = {});

} // namespace forgelens
