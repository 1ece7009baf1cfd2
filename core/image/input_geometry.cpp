#include "forgelens/image/input_geometry.h"

#include <algorithm>
#include <cmath>

namespace forgelens {
namespace {

// One axis of the map from the current canvas back to the image the steps started from:
// image = offset + scale * canvas.
struct AxisMap {
    double offset = 0.0;
    double scale = 1.0;
    double toImage(double canvas) const { return offset + scale * canvas; }
};

int64_t roundHalfEven(double value)
{
    return static_cast<int64_t>(std::nearbyint(value));
}

// A rectangle of the stored image, moved to where it stands once EXIF orientation `o` is
// applied (W, H: stored size). Orientation 6 is shown turned clockwise, 8 anticlockwise.
QRect orient(const QRect &r, int o, int W, int H)
{
    const int x = r.x();
    const int y = r.y();
    const int w = r.width();
    const int h = r.height();
    switch (o) {
    case 2: return { W - (x + w), y, w, h };
    case 3: return { W - (x + w), H - (y + h), w, h };
    case 4: return { x, H - (y + h), w, h };
    case 5: return { y, x, h, w };
    case 6: return { H - (y + h), x, h, w };
    case 7: return { H - (y + h), W - (x + w), h, w };
    case 8: return { y, W - (x + w), h, w };
    default: return r;
    }
}

} // namespace

PixelExtent resizedExtent(PixelExtent in, const InputSpec &spec)
{
    switch (spec.resize) {
    case InputSpec::Resize::None: return in;
    case InputSpec::Resize::Exact: return { spec.resizeHeight, spec.resizeWidth };
    case InputSpec::Resize::ShorterSide: break;
    }
    const bool portrait = in.width <= in.height;
    const int64_t shortSide = portrait ? in.width : in.height;
    const int64_t longSide = portrait ? in.height : in.width;
    int64_t newShort = spec.resizeHeight;
    auto newLong
        = static_cast<int64_t>(static_cast<double>(newShort * longSide) / double(shortSide));
    if (spec.maxSize && newLong > *spec.maxSize) {
        newShort = static_cast<int64_t>(
            static_cast<double>(int64_t(*spec.maxSize) * newShort) / double(newLong));
        newLong = *spec.maxSize;
    }
    return portrait ? PixelExtent{ newLong, newShort } : PixelExtent{ newShort, newLong };
}

PixelExtent cropExtent(PixelExtent canvas, const InputSpec &spec)
{
    if (spec.cropPad)
        return { spec.cropHeight, spec.cropWidth };
    return { std::min<int64_t>(spec.cropHeight, canvas.height),
        std::min<int64_t>(spec.cropWidth, canvas.width) };
}

std::vector<int> tileOrigins(int length, int tile, int count)
{
    std::vector<int> origins;
    if (count <= 1) {
        origins.push_back((length - tile) / 2);
        return origins;
    }
    for (int i = 0; i < count; ++i)
        origins.push_back(int((int64_t(i) * (length - tile)) / (count - 1)));
    return origins;
}

TileGrid tileGrid(PixelExtent padded, PixelExtent tile, int maxTiles)
{
    TileGrid grid{ (padded.height + tile.height - 1) / tile.height,
        (padded.width + tile.width - 1) / tile.width };
    if (grid.rows * grid.cols > maxTiles) {
        const auto fit = static_cast<int64_t>(
            std::floor(std::sqrt(double(maxTiles) * double(padded.height) / double(padded.width))));
        grid.rows = std::max<int64_t>(1, std::min(grid.rows, fit));
        grid.cols = std::max<int64_t>(1, std::min<int64_t>(grid.cols, maxTiles / grid.rows));
    }
    return grid;
}

std::vector<QRect> scoredRegions(const InputSpec &spec, int width, int height, int storedWidth,
    int storedHeight, int orientation)
{
    const bool stored = !spec.applyExifOrientation && orientation != 1;
    const int W = stored ? storedWidth : width;
    const int H = stored ? storedHeight : height;
    if (W <= 0 || H <= 0)
        return {};
    PixelExtent canvas{ H, W };
    AxisMap xs;
    AxisMap ys;
    // Windows on the canvas, as [top, left, height, width]; the whole canvas until a crop.
    struct Window {
        int64_t top, left, height, width;
    };
    std::vector<Window> windows{ { 0, 0, H, W } };
    for (const InputSpec::Step step : spec.order) {
        if (step == InputSpec::Step::Resize && spec.resize != InputSpec::Resize::None) {
            const PixelExtent out = resizedExtent(canvas, spec);
            if (out.height <= 0 || out.width <= 0)
                return {};
            xs.scale *= double(canvas.width) / double(out.width);
            ys.scale *= double(canvas.height) / double(out.height);
            canvas = out;
            windows = { { 0, 0, canvas.height, canvas.width } };
        } else if (step == InputSpec::Step::Crop && spec.crop != InputSpec::Crop::None) {
            const PixelExtent crop = cropExtent(canvas, spec);
            // Zero padding (torchvision's CenterCrop pads a short side symmetrically).
            const int64_t padW = std::max<int64_t>(crop.width - canvas.width, 0);
            const int64_t padH = std::max<int64_t>(crop.height - canvas.height, 0);
            xs.offset -= xs.scale * double(padW / 2);
            ys.offset -= ys.scale * double(padH / 2);
            const PixelExtent padded{ canvas.height + padH, canvas.width + padW };
            windows.clear();
            if (spec.crop == InputSpec::Crop::Center) {
                windows.push_back({ roundHalfEven(double(padded.height - crop.height) / 2.0),
                    roundHalfEven(double(padded.width - crop.width) / 2.0), crop.height,
                    crop.width });
            } else {
                const TileGrid grid = tileGrid(padded, crop, spec.maxTiles);
                for (int top : tileOrigins(int(padded.height), int(crop.height), int(grid.rows))) {
                    for (int left : tileOrigins(int(padded.width), int(crop.width), int(grid.cols)))
                        windows.push_back({ top, left, crop.height, crop.width });
                }
            }
            // Later steps (a resize after a crop) rescale what the windows hold, not where
            // they lie in the image: the regions are fixed here.
            break;
        }
    }
    std::vector<QRect> regions;
    const QRect bounds(0, 0, W, H);
    for (const Window &w : windows) {
        const double x0 = xs.toImage(double(w.left));
        const double y0 = ys.toImage(double(w.top));
        const double x1 = xs.toImage(double(w.left + w.width));
        const double y1 = ys.toImage(double(w.top + w.height));
        const QRect r = QRect(QPoint(int(std::floor(x0)), int(std::floor(y0))),
            QPoint(int(std::ceil(x1)) - 1, int(std::ceil(y1)) - 1))
                            .intersected(bounds);
        if (!r.isEmpty())
            regions.push_back(stored ? orient(r, orientation, W, H) : r);
    }
    return regions;
}

QRect shownRect(const QRect &stored, int orientation, int storedWidth, int storedHeight)
{
    return orient(stored, orientation, storedWidth, storedHeight);
}

QRect storedRect(const QRect &shown, int orientation, int storedWidth, int storedHeight)
{
    // 6 and 8 undo each other; every other orientation is its own inverse. The inverse turns
    // the image as shown, whose sides 5 to 8 swap.
    const int inverse = orientation == 6 ? 8 : orientation == 8 ? 6 : orientation;
    const bool turned = orientation >= 5 && orientation <= 8;
    return orient(
        shown, inverse, turned ? storedHeight : storedWidth, turned ? storedWidth : storedHeight);
}

} // namespace forgelens
