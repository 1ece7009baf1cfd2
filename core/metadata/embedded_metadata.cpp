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

// EXIF UserComment (tag 0x9286, in the Exif directory or, as Fooocus writes it, IFD0): an
// 8-byte character code, then the text. "UNICODE" text is UTF-16 whose byte order writers do not
// agree on (piexif, hence AUTOMATIC1111 and Easy Diffusion: big-endian; ImageSharp, hence
// SwarmUI: little-endian, whatever the TIFF's own byte order): it is told from where the zero
// bytes of ASCII characters fall. Empty when the value is not such a comment.
QString decodeUserComment(const Exiv2::Exifdatum &datum)
{
    if (datum.tag() != 0x9286 || datum.size() < 8 || datum.size() > 16 * 1024 * 1024)
        return {};
    std::vector<Exiv2::byte> raw(datum.size());
    datum.copy(raw.data(), Exiv2::bigEndian);
    const QByteArray bytes(reinterpret_cast<const char *>(raw.data()), qsizetype(raw.size()));
    const QByteArray code = bytes.left(8);
    QByteArray text = bytes.mid(8);
    if (code == QByteArray("UNICODE\0", 8)) {
        int zeroEven = 0, zeroOdd = 0;
        for (qsizetype i = 0; i + 1 < text.size(); i += 2) {
            zeroEven += text.at(i) == 0;
            zeroOdd += text.at(i + 1) == 0;
        }
        bool bigEndian = zeroEven >= zeroOdd;
        if (text.startsWith("\xFE\xFF") || text.startsWith("\xFF\xFE")) {
            bigEndian = text.startsWith("\xFE\xFF");
            text = text.mid(2);
        }
        QString out;
        out.reserve(text.size() / 2);
        for (qsizetype i = 0; i + 1 < text.size(); i += 2) {
            const auto high = quint8(text.at(bigEndian ? i : i + 1));
            const auto low = quint8(text.at(bigEndian ? i + 1 : i));
            out.append(QChar(char16_t((high << 8) | low)));
        }
        while (out.endsWith(QChar(0)))
            out.chop(1);
        return out;
    }
    if (code == QByteArray("ASCII\0\0\0", 8) || code == QByteArray(8, '\0')) {
        while (text.endsWith('\0'))
            text.chop(1);
        return QString::fromUtf8(text);
    }
    return {};
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
        for (const Exiv2::Exifdatum &datum : image->exifData()) {
            MetadataProperty property = toProperty(datum, "Exif");
            if (const QString comment = decodeUserComment(datum); !comment.isEmpty())
                property.value = capped(comment);
            add(std::move(property));
        }
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
