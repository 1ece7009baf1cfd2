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

} // namespace forgelens
