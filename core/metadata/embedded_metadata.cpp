#include "forgelens/metadata/embedded_metadata.h"

#include "../image/exiv2_setup.h"
#include "jxl_metadata_boxes.h"

#include <QtEndian>

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

// A JPEG XL brob box, decompressed: Exif is a 4-byte offset to the TIFF header and then the
// TIFF structure; XMP is the packet's text. Read with Exiv2's parsers as if Exiv2 had opened
// the box itself.
template <typename Add> void addCompressedBox(const JxlMetadataBox &box, const Add &add)
{
    if (box.type == "Exif" && box.content.size() > 4) {
        const quint32 offset = qFromBigEndian<quint32>(box.content.constData());
        if (offset > quint32(box.content.size() - 4))
            return;
        Exiv2::ExifData exif;
        Exiv2::ExifParser::decode(exif,
            reinterpret_cast<const Exiv2::byte *>(box.content.constData()) + 4 + offset,
            std::uint32_t(box.content.size() - 4 - qsizetype(offset)));
        for (const Exiv2::Exifdatum &datum : exif) {
            MetadataProperty property = toProperty(datum, "Exif");
            if (const QString comment = decodeUserComment(datum); !comment.isEmpty())
                property.value = capped(comment);
            add(std::move(property));
        }
    } else if (box.type == "xml ") {
        Exiv2::XmpData xmp;
        if (Exiv2::XmpParser::decode(xmp, box.content.toStdString()) == 0) {
            for (const Exiv2::Xmpdatum &datum : xmp)
                add(toProperty(datum, "Xmp"));
        }
    }
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
        out.exifOrientation = 1;
        if (const auto it = image->exifData().findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
            it != image->exifData().end() && it->count() >= 1) {
            const long value = it->toLong(0);
            if (value >= 1 && value <= 8)
                out.exifOrientation = int(value);
        }
        const auto add = [&out, maxProperties](MetadataProperty property) {
            if (int(out.properties.size()) < maxProperties)
                out.properties.push_back(std::move(property));
        };
        // The recognisers' keys, uncapped (8 MiB at most).
        static const QStringList kFullTextKeys{ QStringLiteral("Exif.Photo.UserComment"),
            QStringLiteral("Exif.Image.0x9286"), QStringLiteral("Exif.Image.ImageDescription"),
            QStringLiteral("Exif.Image.Make"), QStringLiteral("Exif.Image.Model"),
            QStringLiteral("Xmp.exif.UserComment"), QStringLiteral("Xmp.dc.description") };
        const auto keepFull = [&out](const QString &key, const QString &text) {
            if (kFullTextKeys.contains(key) && text.size() > 4096 && !out.fullText.contains(key))
                out.fullText.insert(key, text.left(8 * 1024 * 1024));
        };
        for (const Exiv2::Exifdatum &datum : image->exifData()) {
            MetadataProperty property = toProperty(datum, "Exif");
            const QString comment = decodeUserComment(datum);
            if (!comment.isEmpty())
                property.value = capped(comment);
            keepFull(property.key, comment.isEmpty() ? fromStd(datum.print()) : comment);
            add(std::move(property));
        }
        for (const Exiv2::Iptcdatum &datum : image->iptcData())
            add(toProperty(datum, "Iptc"));
        for (const Exiv2::Xmpdatum &datum : image->xmpData()) {
            MetadataProperty property = toProperty(datum, "Xmp");
            keepFull(property.key, fromStd(datum.print()));
            add(std::move(property));
        }
        QStringList boxProblems;
        for (const JxlMetadataBox &box : compressedJxlMetadataBoxes(bytes)) {
            const QString name = QString::fromLatin1(box.type).trimmed();
            if (!box.problem.isEmpty()) {
                boxProblems.append(QStringLiteral("the JPEG XL file's compressed %1 box: %2")
                                       .arg(name, box.problem));
                continue;
            }
            try {
                addCompressedBox(box, add);
            } catch (const Exiv2::AnyError &e) {
                boxProblems.append(QStringLiteral("the JPEG XL file's compressed %1 box: %2")
                                       .arg(name, QString::fromStdString(e.what())));
            }
        }

        Exiv2::ExifThumbC thumbnail(image->exifData());
        const Exiv2::DataBuf data = thumbnail.copy();
        if (data.size_ > 0)
            out.thumbnail = QByteArray(reinterpret_cast<const char *>(data.pData_), data.size_);
        out.warnings = log.messages() + boxProblems;
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
