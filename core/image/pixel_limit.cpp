#include "pixel_limit.h"

namespace forgelens {

std::optional<Error> pixelLimitError(qint64 width, qint64 height, const DecodeLimits &limits)
{
    const qint64 pixels = width * height;
    if (pixels <= limits.maxPixels)
        return std::nullopt;
    return Error{ ErrorCode::DecompressionBomb,
        QStringLiteral("the header declares %1 × %2 pixels (%3 megapixels), "
                       "more than the limit of %4 megapixels; not decoded")
            .arg(width)
            .arg(height)
            .arg(double(pixels) / 1e6, 0, 'f', 1)
            .arg(double(limits.maxPixels) / 1e6, 0, 'f', 1) };
}

} // namespace forgelens
