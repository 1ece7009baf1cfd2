#include "forgelens/metadata/embedded_metadata.h"

#include "../image/exiv2_setup.h"

#include <exiv2/exiv2.hpp>

namespace forgelens {
namespace {

QString fromStd(const std::string &text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// Values can be megabytes (maker notes, embedded ICC profiles as XMP): keep reports readable.
QString capped(QString text)
{
    constexpr qsizetype kMaxChars = 4096;
    if (text.size() > kMaxChars)
        return text.left(kMaxChars) + QStringLiteral("… (%1 characters)").arg(text.size());
    return text;
}

template <typename Datum> MetadataProperty toProperty(const Datum &datum, const char *group)
{
    return MetadataProperty{ QLatin1String(group), fromStd(datum.key()),
        QLatin1String(datum.typeName() ? datum.typeName() : "unknown"),
        capped(fromStd(datum.print())), capped(fromStd(datum.toString())) };
}

} // namespace

QString EmbeddedMetadata::value(const QString &key) const
{
    for (const MetadataProperty &property : properties) {
        if (property.key == key)
            return property.value;
    }
    return {};
}

Result<EmbeddedMetadata> readEmbeddedMetadata(
    std::span<const std::uint8_t> bytes, int maxProperties)
{
    if (bytes.empty())
        return Error{ ErrorCode::MetadataUnreadable, QStringLiteral("the file is empty") };
    initialiseExiv2();
    EmbeddedMetadata out;
    Exiv2LogCollector log;
    try {
        // Exiv2 0.27 throws for a format it does not know (even while only identifying it),
        // which would read as "malformed".
        int type = Exiv2::ImageType::none;
        try {
            type = Exiv2::ImageFactory::getType(bytes.data(), static_cast<long>(bytes.size()));
        } catch (const Exiv2::AnyError &) {
        }
        if (type == Exiv2::ImageType::none)
            return Error{ ErrorCode::MetadataUnreadable,
                QStringLiteral("not a format Exiv2 reads metadata from") };
        auto image = Exiv2::ImageFactory::open(bytes.data(), static_cast<long>(bytes.size()));
        if (!image.get())
            return Error{ ErrorCode::MetadataUnreadable,
                QStringLiteral("Exiv2 does not recognise this file format") };
        image->readMetadata();
        const auto add = [&out, maxProperties](MetadataProperty property) {
            if (int(out.properties.size()) < maxProperties)
                out.properties.push_back(std::move(property));
        };
        for (const Exiv2::Exifdatum &datum : image->exifData())
            add(toProperty(datum, "Exif"));
        for (const Exiv2::Iptcdatum &datum : image->iptcData())
            add(toProperty(datum, "Iptc"));
        for (const Exiv2::Xmpdatum &datum : image->xmpData())
            add(toProperty(datum, "Xmp"));

        Exiv2::ExifThumbC thumbnail(image->exifData());
        const Exiv2::DataBuf data = thumbnail.copy();
        if (data.size_ > 0)
            out.thumbnail = QByteArray(reinterpret_cast<const char *>(data.pData_), data.size_);
        out.warnings = log.messages();
    } catch (const Exiv2::AnyError &e) {
        return Error{ ErrorCode::MetadataUnreadable,
            QStringLiteral("the EXIF/IPTC/XMP metadata is malformed: %1")
                .arg(QString::fromStdString(e.what())) };
    } catch (const std::exception &e) {
        return Error{ ErrorCode::MetadataUnreadable,
            QStringLiteral("the metadata could not be read: %1").arg(QString::fromUtf8(e.what())) };
    }
    return out;
}

} // namespace forgelens
