#pragma once

#include <QString>

namespace forgelens {

// Container formats ForgeLens decodes, identified by content (magic bytes), never by extension.
enum class ImageFormat { Unknown, Jpeg, Png, Gif, Bmp, Tiff, WebP };

// Lower-case short name ("jpeg", "png", ...; "unknown").
QString imageFormatName(ImageFormat format);

} // namespace forgelens
