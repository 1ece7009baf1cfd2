#include "decoded_image_conversion.h"

namespace forgelens {

QImage toQImage(const DecodedImage &image)
{
    if (image.isNull())
        return {};
    // The QByteArray is implicitly shared: the copy held by the cleanup function keeps the
    // pixels alive for as long as the QImage (or any copy of it) exists.
    auto *owner = new QByteArray(image.rgb);
    return QImage(
        reinterpret_cast<const uchar *>(owner->constData()), image.width, image.height,
        qsizetype(image.width) * 3, QImage::Format_RGB888,
        [](void *data) { delete static_cast<QByteArray *>(data); }, owner);
}

} // namespace forgelens
