#include "camera_raw_properties.h"

#include <libraw/libraw.h>

#include <QDateTime>

#include <memory>

namespace forgelens {

void appendCameraRawProperties(
    std::span<const std::uint8_t> bytes, std::vector<MetadataProperty> &properties)
{
    auto raw = std::make_unique<LibRaw>(LIBRAW_OPTIONS_NONE);
    if (raw->open_buffer(const_cast<std::uint8_t *>(bytes.data()), bytes.size()) != LIBRAW_SUCCESS)
        return;
    const auto add = [&properties](const char *name, const QString &value) {
        if (!value.trimmed().isEmpty())
            properties.push_back(
                { QStringLiteral("Raw"), QStringLiteral("Raw.%1").arg(QLatin1String(name)),
                    QStringLiteral("LibRaw"), value, value });
    };
    const libraw_iparams_t &camera = raw->imgdata.idata;
    const libraw_imgother_t &other = raw->imgdata.other;
    const libraw_image_sizes_t &sizes = raw->imgdata.sizes;
    add("Make", QString::fromUtf8(camera.make));
    add("Model", QString::fromUtf8(camera.model));
    add("Software", QString::fromUtf8(camera.software));
    if (other.timestamp > 0) // LibRaw reads the camera's local time as if it were this machine's
        add("Timestamp",
            QDateTime::fromSecsSinceEpoch(qint64(other.timestamp)).toString(Qt::ISODate));
    if (other.iso_speed > 0)
        add("ISO", QString::number(double(other.iso_speed)));
    if (other.shutter > 0)
        add("Shutter",
            other.shutter < 1 ? QStringLiteral("1/%1 s").arg(qRound(1.0 / double(other.shutter)))
                              : QStringLiteral("%1 s").arg(double(other.shutter)));
    if (other.aperture > 0)
        add("Aperture", QStringLiteral("f/%1").arg(double(other.aperture), 0, 'f', 1));
    if (other.focal_len > 0)
        add("FocalLength", QStringLiteral("%1 mm").arg(double(other.focal_len)));
    add("SensorSize", QStringLiteral("%1 x %2").arg(sizes.raw_width).arg(sizes.raw_height));
    add("ImageSize", QStringLiteral("%1 x %2").arg(sizes.width).arg(sizes.height));
    add("Flip", QString::number(sizes.flip));
    add("Development",
        QStringLiteral("LibRaw %1 defaults at full size: AHD demosaicing, daylight white "
                       "balance (not the camera's), sRGB, BT.709 gamma, auto brightness, 8 bits")
            .arg(QLatin1String(LibRaw::version())));
    if (raw->unpack_thumb() == LIBRAW_SUCCESS) {
        const libraw_thumbnail_t &thumb = raw->imgdata.thumbnail;
        const char *format = thumb.tformat == LIBRAW_THUMBNAIL_JPEG ? "JPEG"
            : thumb.tformat == LIBRAW_THUMBNAIL_BITMAP              ? "RGB bitmap"
                                                                    : "other";
        add("Preview",
            QStringLiteral("%1 %2 x %3, %4 bytes")
                .arg(QLatin1String(format))
                .arg(thumb.twidth)
                .arg(thumb.theight)
                .arg(thumb.tlength));
    }
}

} // namespace forgelens
