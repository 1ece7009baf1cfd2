#include "ui/image_map_rendering.h"

#include <QFontMetrics>
#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace forgelens {
namespace {

// Eight samples of matplotlib's viridis colour map (its published values at 0, 1/7, …, 1).
constexpr std::array<std::array<int, 3>, 8> kStops{ { { 68, 1, 84 }, { 70, 50, 127 },
    { 54, 92, 141 }, { 39, 127, 142 }, { 31, 161, 135 }, { 74, 194, 109 }, { 159, 218, 58 },
    { 253, 231, 37 } } };

constexpr int kLegendHeight = 54;

} // namespace

QColor mapColour(double fraction)
{
    if (!std::isfinite(fraction))
        fraction = 0.0;
    const double position = std::clamp(fraction, 0.0, 1.0) * double(kStops.size() - 1);
    const size_t lower = std::min(size_t(position), kStops.size() - 2);
    const double t = position - double(lower);
    const auto mix = [&](int channel) {
        return int(std::lround(
            kStops[lower][size_t(channel)] * (1.0 - t) + kStops[lower + 1][size_t(channel)] * t));
    };
    return QColor(mix(0), mix(1), mix(2));
}

QImage imageMapLayer(const ImageMap &map, int maxSide)
{
    if (map.isNull() || map.imageWidth <= 0 || map.imageHeight <= 0)
        return {};
    const double scale = std::min(1.0, double(maxSide) / std::max(map.imageWidth, map.imageHeight));
    const int width = std::max(1, int(std::lround(map.imageWidth * scale)));
    const int height = std::max(1, int(std::lround(map.imageHeight * scale)));
    QImage layer(width, height, QImage::Format_ARGB32_Premultiplied);
    layer.fill(Qt::transparent);
    QPainter painter(&layer);
    const double span = double(map.high) - double(map.low);
    for (int r = 0; r < map.rows; ++r) {
        for (int c = 0; c < map.cols; ++c) {
            const QRect cell = map.drawRect(r, c);
            const double fraction = span > 0 ? (double(map.value(r, c)) - map.low) / span : 0.5;
            painter.fillRect(QRectF(cell.x() * scale, cell.y() * scale, cell.width() * scale,
                                 cell.height() * scale),
                mapColour(fraction));
        }
    }
    return layer;
}

void paintMapRamp(QPainter &painter, const QRect &rect)
{
    QLinearGradient gradient(rect.topLeft(), rect.topRight());
    for (size_t i = 0; i < kStops.size(); ++i)
        gradient.setColorAt(double(i) / double(kStops.size() - 1),
            QColor(kStops[i][0], kStops[i][1], kStops[i][2]));
    painter.fillRect(rect, gradient);
}

QImage renderImageMap(const ImageMap &map, const QImage &background, double opacity, int maxSide)
{
    if (map.isNull() || map.imageWidth <= 0 || map.imageHeight <= 0)
        return {};
    const double scale = std::min(1.0, double(maxSide) / std::max(map.imageWidth, map.imageHeight));
    const int width = std::max(1, int(std::lround(map.imageWidth * scale)));
    const int height = std::max(1, int(std::lround(map.imageHeight * scale)));
    QImage out(width, height + kLegendHeight, QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    if (!background.isNull())
        painter.drawImage(QRect(0, 0, width, height), background);
    else
        painter.fillRect(QRect(0, 0, width, height), Qt::gray);

    // Pre-composited: the layer is blended here, so the PNG (and a PDF made from it) carries no
    // transparency of its own.
    painter.setOpacity(std::clamp(opacity, 0.0, 1.0));
    painter.drawImage(QRect(0, 0, width, height), imageMapLayer(map, std::max(width, height)));
    painter.setOpacity(1.0);

    // Legend: the ramp with its two ends labelled, then what the map is.
    const QRect ramp(8, height + 8, std::min(240, width / 3 + 40), 14);
    paintMapRamp(painter, ramp);
    painter.setPen(Qt::black);
    QFont font = painter.font();
    font.setPixelSize(11);
    painter.setFont(font);
    const QFontMetrics metrics(font);
    const QString low = QString::number(map.low, 'f', 3);
    const QString high = QString::number(map.high, 'f', 3);
    painter.drawText(ramp.left(), ramp.bottom() + 4 + metrics.ascent(), low);
    painter.drawText(
        ramp.right() - metrics.horizontalAdvance(high), ramp.bottom() + 4 + metrics.ascent(), high);
    const QString title = QStringLiteral("%1 — %2 map, %3 (%4 × %5 windows of %6 px)")
                              .arg(map.detectorId, imageMapKindName(map.kind), map.units)
                              .arg(map.cols)
                              .arg(map.rows)
                              .arg(map.window);
    painter.drawText(
        QRect(ramp.right() + 12, height + 4, width - ramp.right() - 16, kLegendHeight - 8),
        Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, title);
    painter.end();
    return out;
}

} // namespace forgelens
