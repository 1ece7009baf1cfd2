#pragma once

#include "forgelens/explain/image_map.h"

#include <QColor>
#include <QImage>

class QPainter;

namespace forgelens {

// The colour of `fraction` (0..1, clamped) on the maps' colour scale: a perceptually ordered
// dark-blue → teal → yellow ramp (viridis-like, eight stops interpolated linearly), readable by
// people with the common colour-vision deficiencies and in greyscale print.
QColor mapColour(double fraction);

// The map's cells alone, each in its value's colour (opaque), on a transparent ground where no
// cell stands (gaps between sampled windows), at most `maxSide` pixels on its longer side: the
// layer the window stretches over the image at the analyst's opacity.
QImage imageMapLayer(const ImageMap &map, int maxSide = 1024);

// The colour scale from low (left) to high (right) over `rect`.
void paintMapRamp(QPainter &painter, const QRect &rect);

// `background` (the image, any size: it is scaled to the map's image size first) with the map's
// cells painted over it at `opacity` (0..1), each cell its value's colour between map.low and
// map.high, and a legend strip below naming the detector, the kind, the units and the range.
// Cells are drawn over their ImageMap::drawRect; gaps between sampled windows stay clear. The
// result is at most `maxSide` pixels on its longer side (the legend excluded).
QImage renderImageMap(
    const ImageMap &map, const QImage &background, double opacity = 0.55, int maxSide = 1600);

} // namespace forgelens
