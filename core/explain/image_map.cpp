#include "forgelens/explain/image_map.h"

#include <QJsonArray>

#include <algorithm>

namespace forgelens {

QString imageMapKindName(ImageMap::Kind kind)
{
    switch (kind) {
    case ImageMap::Kind::TileScore: return QStringLiteral("tile-score");
    case ImageMap::Kind::SelfConsistency: return QStringLiteral("self-consistency");
    case ImageMap::Kind::PatchSimilarity: return QStringLiteral("patch-similarity");
    }
    return {};
}

QRect ImageMap::drawRect(int row, int col) const
{
    const QRect window = windows.at(size_t(row * cols + col));
    // Between neighbours, each draws up to the midpoint of their two centres.
    int left = window.left(), right = window.right() + 1;
    int top = window.top(), bottom = window.bottom() + 1;
    if (col > 0)
        left = std::max(left,
            (windows.at(size_t(row * cols + col - 1)).center().x() + window.center().x() + 1) / 2);
    if (col + 1 < cols)
        right = std::min(right,
            (windows.at(size_t(row * cols + col + 1)).center().x() + window.center().x() + 1) / 2);
    if (row > 0)
        top = std::max(top,
            (windows.at(size_t((row - 1) * cols + col)).center().y() + window.center().y() + 1)
                / 2);
    if (row + 1 < rows)
        bottom = std::min(bottom,
            (windows.at(size_t((row + 1) * cols + col)).center().y() + window.center().y() + 1)
                / 2);
    return QRect(QPoint(left, top), QPoint(right - 1, bottom - 1));
}

QJsonObject imageMapToJson(const ImageMap &map)
{
    QJsonArray grid;
    QJsonArray windows;
    for (int r = 0; r < map.rows; ++r) {
        QJsonArray row;
        QJsonArray rowWindows;
        for (int c = 0; c < map.cols; ++c) {
            row.append(double(map.value(r, c)));
            const QRect w = map.windows.at(size_t(r * map.cols + c));
            rowWindows.append(QJsonArray{ w.x(), w.y(), w.width(), w.height() });
        }
        grid.append(row);
        windows.append(rowWindows);
    }
    return QJsonObject{ { QStringLiteral("schema"), QStringLiteral("forgelens.image-map") },
        { QStringLiteral("version"), 1 }, { QStringLiteral("kind"), imageMapKindName(map.kind) },
        { QStringLiteral("detector"), map.detectorId },
        { QStringLiteral("image_width"), map.imageWidth },
        { QStringLiteral("image_height"), map.imageHeight }, { QStringLiteral("rows"), map.rows },
        { QStringLiteral("cols"), map.cols }, { QStringLiteral("window"), map.window },
        { QStringLiteral("stride_x"), map.strideX }, { QStringLiteral("stride_y"), map.strideY },
        { QStringLiteral("units"), map.units }, { QStringLiteral("reading"), map.reading },
        { QStringLiteral("low"), double(map.low) }, { QStringLiteral("high"), double(map.high) },
        { QStringLiteral("forward_passes"), map.forwardPasses },
        { QStringLiteral("seconds"), map.seconds }, { QStringLiteral("values"), grid },
        { QStringLiteral("windows"), windows } };
}

ImageMap imageMapFromJson(const QJsonObject &json)
{
    ImageMap map;
    if (json.value(QStringLiteral("schema")).toString() != QLatin1String("forgelens.image-map")
        || json.value(QStringLiteral("version")).toInt() != 1)
        return {};
    const QString kind = json.value(QStringLiteral("kind")).toString();
    bool known = false;
    for (const ImageMap::Kind candidate : { ImageMap::Kind::TileScore,
             ImageMap::Kind::SelfConsistency, ImageMap::Kind::PatchSimilarity }) {
        if (imageMapKindName(candidate) == kind) {
            map.kind = candidate;
            known = true;
        }
    }
    map.detectorId = json.value(QStringLiteral("detector")).toString();
    map.imageWidth = json.value(QStringLiteral("image_width")).toInt();
    map.imageHeight = json.value(QStringLiteral("image_height")).toInt();
    map.rows = json.value(QStringLiteral("rows")).toInt();
    map.cols = json.value(QStringLiteral("cols")).toInt();
    map.window = json.value(QStringLiteral("window")).toInt();
    map.strideX = json.value(QStringLiteral("stride_x")).toInt();
    map.strideY = json.value(QStringLiteral("stride_y")).toInt();
    map.units = json.value(QStringLiteral("units")).toString();
    map.reading = json.value(QStringLiteral("reading")).toString();
    map.low = float(json.value(QStringLiteral("low")).toDouble());
    map.high = float(json.value(QStringLiteral("high")).toDouble());
    map.forwardPasses = json.value(QStringLiteral("forward_passes")).toInt();
    map.seconds = json.value(QStringLiteral("seconds")).toDouble();
    if (!known || map.rows < 1 || map.cols < 1 || map.rows * qint64(map.cols) > 4096
        || map.imageWidth < 1 || map.imageHeight < 1 || map.imageWidth > 1'000'000
        || map.imageHeight > 1'000'000 || !(map.high >= map.low))
        return {};
    const QJsonArray grid = json.value(QStringLiteral("values")).toArray();
    const QJsonArray windows = json.value(QStringLiteral("windows")).toArray();
    if (grid.size() != map.rows || windows.size() != map.rows)
        return {};
    const QRect image(0, 0, map.imageWidth, map.imageHeight);
    for (int r = 0; r < map.rows; ++r) {
        const QJsonArray row = grid.at(r).toArray();
        const QJsonArray rowWindows = windows.at(r).toArray();
        if (row.size() != map.cols || rowWindows.size() != map.cols)
            return {};
        for (int c = 0; c < map.cols; ++c) {
            const QJsonArray w = rowWindows.at(c).toArray();
            const QRect rect(w.at(0).toInt(), w.at(1).toInt(), w.at(2).toInt(), w.at(3).toInt());
            if (w.size() != 4 || rect.isEmpty() || !image.contains(rect) || !row.at(c).isDouble())
                return {};
            map.values.push_back(float(row.at(c).toDouble()));
            map.windows.push_back(rect);
        }
    }
    return map;
}

} // namespace forgelens
