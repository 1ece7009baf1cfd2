#include "forgelens/image/native_crop_region.h"

#include "forgelens/image/input_geometry.h"

namespace forgelens {

std::optional<NativeCenterCrop> nativeCenterCrop(const InputSpec &spec)
{
    if (spec.crop != InputSpec::Crop::Center || spec.cropHeight <= 0 || spec.cropWidth <= 0)
        return std::nullopt;
    for (const InputSpec::Step step : spec.order) {
        if (step == InputSpec::Step::Resize && spec.resize != InputSpec::Resize::None)
            return std::nullopt; // the crop is taken from resized pixels
        if (step == InputSpec::Step::Crop)
            return NativeCenterCrop{ spec.cropHeight, spec.cropWidth, spec.cropPad,
                spec.applyExifOrientation };
    }
    return std::nullopt;
}

std::optional<QRect> nativeCropRect(
    const NativeCenterCrop &crop, int storedWidth, int storedHeight, int orientation)
{
    if (storedWidth <= 0 || storedHeight <= 0 || crop.height <= 0 || crop.width <= 0)
        return std::nullopt;
    const bool turned = orientation >= 5 && orientation <= 8;
    const int shownWidth = turned ? storedHeight : storedWidth;
    const int shownHeight = turned ? storedWidth : storedHeight;
    InputSpec spec;
    spec.resize = InputSpec::Resize::None;
    spec.crop = InputSpec::Crop::Center;
    spec.cropHeight = crop.height;
    spec.cropWidth = crop.width;
    spec.cropPad = crop.pad;
    spec.applyExifOrientation = crop.applyExifOrientation;
    const bool stored = !crop.applyExifOrientation;
    const PixelExtent canvas = stored ? PixelExtent{ storedHeight, storedWidth }
                                      : PixelExtent{ shownHeight, shownWidth };
    const PixelExtent window = cropExtent(canvas, spec);
    if (window.height > canvas.height || window.width > canvas.width)
        return std::nullopt;
    const std::vector<QRect> regions
        = scoredRegions(spec, shownWidth, shownHeight, storedWidth, storedHeight, orientation);
    if (regions.size() != 1
        || qint64(regions[0].width()) * regions[0].height() != window.height * window.width)
        return std::nullopt;
    return regions[0];
}

std::optional<QRect> nativeCropRegion(
    const std::vector<NativeCenterCrop> &crops, int storedWidth, int storedHeight, int orientation)
{
    if (crops.empty())
        return std::nullopt;
    QRect united;
    for (const NativeCenterCrop &crop : crops) {
        const std::optional<QRect> shown
            = nativeCropRect(crop, storedWidth, storedHeight, orientation);
        if (!shown)
            return std::nullopt;
        united |= storedRect(*shown, orientation, storedWidth, storedHeight);
    }
    if (2 * qint64(united.width()) * united.height() > qint64(storedWidth) * storedHeight)
        return std::nullopt;
    return united;
}

} // namespace forgelens
