#include "forgelens/image/image_format.h"

namespace forgelens {

QString imageFormatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Unknown: return QStringLiteral("unknown");
    case ImageFormat::Jpeg: return QStringLiteral("jpeg");
    case ImageFormat::Png: return QStringLiteral("png");
    case ImageFormat::Gif: return QStringLiteral("gif");
    case ImageFormat::Bmp: return QStringLiteral("bmp");
    case ImageFormat::Tiff: return QStringLiteral("tiff");
    case ImageFormat::WebP: return QStringLiteral("webp");
    }
    // Reached only for a value cast from an out-of-range integer; name it rather than crash.
    return QStringLiteral("unknown");
}

} // namespace forgelens
