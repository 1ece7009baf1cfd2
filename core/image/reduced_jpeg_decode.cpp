#include "forgelens/image/reduced_jpeg_decode.h"

#include "forgelens/image/input_geometry.h"

#include <algorithm>

namespace forgelens {

std::optional<ReducibleResize> reducibleResize(const InputSpec &spec)
{
    if (!spec.reducedJpegDecode || spec.resize == InputSpec::Resize::None || !spec.antialias
        || spec.interpolation == InputSpec::Interpolation::Nearest
        || spec.crop == InputSpec::Crop::Tiles)
        return std::nullopt;
    for (const InputSpec::Step step : spec.order) {
        if (step == InputSpec::Step::Resize)
            return ReducibleResize{ spec.resize, spec.resizeHeight, spec.resizeWidth,
                spec.maxSize };
        if (step == InputSpec::Step::Crop && spec.crop != InputSpec::Crop::None)
            return std::nullopt; // a crop in full-size pixels comes first
    }
    return std::nullopt;
}

int jpegReduction(int storedWidth, int storedHeight, const std::vector<ReducibleResize> &resizes)
{
    if (resizes.empty() || storedWidth <= 0 || storedHeight <= 0)
        return 1;
    for (const int reduction : { 8, 4, 2 }) {
        // libjpeg's scaled output: each side times 1/reduction, rounded up.
        const int64_t reducedWidth = (int64_t(storedWidth) + reduction - 1) / reduction;
        const int64_t reducedHeight = (int64_t(storedHeight) + reduction - 1) / reduction;
        const bool keepsEnough = std::all_of(resizes.begin(), resizes.end(), [&](const auto &r) {
            InputSpec spec;
            spec.resize = r.policy;
            spec.resizeHeight = r.height;
            spec.resizeWidth = r.width;
            spec.maxSize = r.maxSize;
            // As stored and turned a quarter: the EXIF orientation is applied after decoding.
            const int64_t sides[2][4]
                = { { storedHeight, storedWidth, reducedHeight, reducedWidth },
                      { storedWidth, storedHeight, reducedWidth, reducedHeight } };
            for (const auto &[fullH, fullW, reducedH, reducedW] : sides) {
                const PixelExtent out = resizedExtent(PixelExtent{ fullH, fullW }, spec);
                if (out.height <= 0 || out.width <= 0
                    || reducedH < kReducedDecodeMargin * out.height
                    || reducedW < kReducedDecodeMargin * out.width)
                    return false;
            }
            return true;
        });
        if (keepsEnough)
            return reduction;
    }
    return 1;
}

} // namespace forgelens
