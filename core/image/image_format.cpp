#include "forgelens/image/image_format.h"

#include <QHash>

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
    case ImageFormat::Heif: return QStringLiteral("heif");
    case ImageFormat::Avif: return QStringLiteral("avif");
    case ImageFormat::JpegXl: return QStringLiteral("jxl");
    case ImageFormat::Jpeg2000: return QStringLiteral("jpeg2000");
    case ImageFormat::Raw: return QStringLiteral("raw");
    }
    // Reached only for a value cast from an out-of-range integer; name it rather than crash.
    return QStringLiteral("unknown");
}

QString imageFormatDisplayName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg: return QStringLiteral("JPEG");
    case ImageFormat::Png: return QStringLiteral("PNG");
    case ImageFormat::Gif: return QStringLiteral("GIF");
    case ImageFormat::Bmp: return QStringLiteral("BMP");
    case ImageFormat::Tiff: return QStringLiteral("TIFF");
    case ImageFormat::WebP: return QStringLiteral("WebP");
    case ImageFormat::Heif: return QStringLiteral("HEIF");
    case ImageFormat::Avif: return QStringLiteral("AVIF");
    case ImageFormat::JpegXl: return QStringLiteral("JPEG XL");
    case ImageFormat::Jpeg2000: return QStringLiteral("JPEG 2000");
    case ImageFormat::Raw: return QStringLiteral("camera RAW");
    case ImageFormat::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QString orientationSourceName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Heif:
    case ImageFormat::Avif: return QStringLiteral("irot/imir");
    case ImageFormat::JpegXl: return QStringLiteral("codestream");
    case ImageFormat::Raw: return QStringLiteral("camera");
    default: return QStringLiteral("EXIF");
    }
}

namespace {

// Suffix -> format, for the formats decoded. Camera RAW: every maker's suffix LibRaw reads.
const QHash<QString, ImageFormat> &decodedSuffixes()
{
    static const QHash<QString, ImageFormat> suffixes = [] {
        QHash<QString, ImageFormat> map;
        const auto add = [&map](ImageFormat format, std::initializer_list<const char *> names) {
            for (const char *name : names)
                map.insert(QLatin1String(name), format);
        };
        add(ImageFormat::Jpeg, { "jpg", "jpeg", "jpe", "jfif", "jfi", "jif" });
        add(ImageFormat::Png, { "png", "apng" });
        add(ImageFormat::Gif, { "gif" });
        add(ImageFormat::Bmp, { "bmp", "dib" });
        add(ImageFormat::Tiff, { "tif", "tiff" });
        add(ImageFormat::WebP, { "webp" });
        add(ImageFormat::Heif, { "heic", "heif", "heics", "heifs", "hif" });
        add(ImageFormat::Avif, { "avif", "avifs" });
        add(ImageFormat::JpegXl, { "jxl" });
        add(ImageFormat::Jpeg2000, { "jp2", "j2k", "j2c", "jpc", "jpf", "jpx", "jpm" });
        add(ImageFormat::Raw,
            { "dng", "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "raf", "orf", "rw2",
                "rwl", "pef", "ptx", "srw", "x3f", "3fr", "fff", "iiq", "erf", "mrw", "mef", "mos",
                "dcr", "kdc", "k25", "raw", "gpr" });
        return map;
    }();
    return suffixes;
}

QString suffixOf(const QString &fileName)
{
    const qsizetype dot = fileName.lastIndexOf(QLatin1Char('.'));
    const qsizetype slash = fileName.lastIndexOf(QLatin1Char('/'));
    if (dot < 0 || dot < slash)
        return {};
    return fileName.mid(dot + 1).toLower();
}

} // namespace

const QStringList &imageFileSuffixes()
{
    static const QStringList suffixes = [] {
        QStringList list = decodedSuffixes().keys();
        // Recognised by content but not decoded: named so, they still get a row saying so.
        for (const char *name : { "psd", "psb", "svg", "svgz", "exr", "hdr", "qoi", "jxr", "wdp",
                 "hdp", "dds", "xcf", "ico", "cur", "pbm", "pgm", "ppm", "pnm", "pam" })
            list.append(QLatin1String(name));
        list.sort();
        return list;
    }();
    return suffixes;
}

ImageFormat imageFormatForFileName(const QString &fileName)
{
    return decodedSuffixes().value(suffixOf(fileName), ImageFormat::Unknown);
}

} // namespace forgelens
