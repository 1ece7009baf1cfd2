#include "container_findings.h"

#include "../image/jpeg_layout.h"

#include <libheif/heif.h>

#include <avif/avif.h>

#include <QSet>

#include <memory>

namespace forgelens {
namespace {

using Bytes = std::span<const std::uint8_t>;
using Severity = MetadataFinding::Severity;

std::uint32_t be32(Bytes bytes, size_t at)
{
    return (std::uint32_t(bytes[at]) << 24) | (std::uint32_t(bytes[at + 1]) << 16)
        | (std::uint32_t(bytes[at + 2]) << 8) | std::uint32_t(bytes[at + 3]);
}

std::uint32_t le32(Bytes bytes, size_t at)
{
    return std::uint32_t(bytes[at]) | (std::uint32_t(bytes[at + 1]) << 8)
        | (std::uint32_t(bytes[at + 2]) << 16) | (std::uint32_t(bytes[at + 3]) << 24);
}

// GIF: image descriptors (0x2C) between extensions, each followed by its sub-blocks.
int gifFrames(Bytes bytes)
{
    const size_t size = bytes.size();
    if (size < 13)
        return 1;
    const auto table = [](std::uint8_t flags) -> size_t {
        return (flags & 0x80) ? 3u * (size_t(1) << ((flags & 0x07) + 1)) : 0;
    };
    const auto skipSubBlocks = [&](size_t &at) {
        while (at < size) {
            const size_t length = bytes[at];
            at += 1 + length;
            if (length == 0)
                return true;
        }
        return false;
    };
    int frames = 0;
    size_t at = 13 + table(bytes[10]);
    while (at < size && frames < 1'000'000) {
        if (bytes[at] == 0x21) {
            at += 2;
            if (!skipSubBlocks(at))
                break;
        } else if (bytes[at] == 0x2C && at + 10 <= size) {
            ++frames;
            at += 10 + table(bytes[at + 9]) + 1;
            if (!skipSubBlocks(at))
                break;
        } else {
            break; // the trailer (0x3B) or damage
        }
    }
    return std::max(frames, 1);
}

// PNG: an APNG's acTL chunk gives the frame count.
int apngFrames(Bytes bytes)
{
    for (size_t at = 8; at + 12 <= bytes.size();) {
        const size_t length = be32(bytes, at);
        const std::uint32_t type = be32(bytes, at + 4);
        if (type == 0x6163544Cu && length >= 8 && at + 16 <= bytes.size()) // acTL
            return int(std::min<std::uint32_t>(be32(bytes, at + 8), 1'000'000));
        if (type == 0x49444154u || length > bytes.size() - at - 12) // IDAT: acTL comes before
            break;
        at += 12 + length;
    }
    return 1;
}

// WebP: ANMF chunks, one per frame of an animation.
int webpFrames(Bytes bytes)
{
    int frames = 0;
    for (size_t at = 12; at + 8 <= bytes.size() && frames < 1'000'000;) {
        const size_t length = le32(bytes, at + 4);
        if (be32(bytes, at) == 0x414E4D46u) // ANMF
            ++frames;
        if (length > bytes.size() - at - 8)
            break;
        at += 8 + length + (length & 1);
    }
    return std::max(frames, 1);
}

// TIFF: the chain of image directories (pages), bounded and loop-safe.
int tiffPages(Bytes bytes)
{
    if (bytes.size() < 8)
        return 1;
    const bool little = bytes[0] == 'I';
    const auto u16 = [&](size_t at) {
        return little ? std::uint16_t(bytes[at] | (bytes[at + 1] << 8))
                      : std::uint16_t((bytes[at] << 8) | bytes[at + 1]);
    };
    const auto u32 = [&](size_t at) { return little ? le32(bytes, at) : be32(bytes, at); };
    // Pages, not the thumbnails and reduced-resolution copies (NewSubfileType bit 0) that
    // cameras and scanners add as directories of their own.
    int pages = 0;
    QSet<std::uint64_t> seen; // a loop in the chain ends the count
    for (std::uint64_t ifd = u32(4); ifd != 0 && !seen.contains(ifd) && seen.size() < 10000;) {
        seen.insert(ifd);
        if (ifd + 2 > bytes.size())
            break;
        const std::uint16_t entries = u16(size_t(ifd));
        bool reduced = false;
        for (std::uint16_t i = 0; i < entries; ++i) {
            const std::uint64_t entry = ifd + 2 + std::uint64_t(i) * 12;
            if (entry + 12 > bytes.size())
                break;
            if (u16(size_t(entry)) == 254)
                reduced = (u32(size_t(entry) + 8) & 1u) != 0 || (u16(size_t(entry) + 8) & 1u) != 0;
        }
        pages += reduced ? 0 : 1;
        const std::uint64_t next = ifd + 2 + std::uint64_t(entries) * 12;
        if (next + 4 > bytes.size())
            break;
        ifd = u32(size_t(next));
    }
    return std::max(pages, 1);
}

int heifTopLevelImages(Bytes bytes)
{
    struct Free {
        void operator()(heif_context *context) const { heif_context_free(context); }
    };
    std::unique_ptr<heif_context, Free> context(heif_context_alloc());
    if (!context
        || heif_context_read_from_memory_without_copy(
               context.get(), bytes.data(), bytes.size(), nullptr)
                .code
            != heif_error_Ok)
        return 1;
    return std::max(heif_context_get_number_of_top_level_images(context.get()), 1);
}

int avifFrames(Bytes bytes)
{
    struct Destroy {
        void operator()(avifDecoder *decoder) const { avifDecoderDestroy(decoder); }
    };
    std::unique_ptr<avifDecoder, Destroy> decoder(avifDecoderCreate());
    if (!decoder)
        return 1;
    decoder->ignoreExif = AVIF_TRUE;
    decoder->ignoreXMP = AVIF_TRUE;
    decoder->strictFlags = AVIF_STRICT_DISABLED;
    if (avifDecoderSetIOMemory(decoder.get(), bytes.data(), bytes.size()) != AVIF_RESULT_OK
        || avifDecoderParse(decoder.get()) != AVIF_RESULT_OK)
        return 1;
    return std::max(decoder->imageCount, 1);
}

QString firstOf(const MetadataReport &report, std::initializer_list<const char *> keys)
{
    for (const char *key : keys) {
        if (QString value = report.embedded.value(QLatin1String(key)).trimmed(); !value.isEmpty())
            return value;
    }
    return {};
}

} // namespace

ContainerImageCount countContainerImages(Bytes bytes, ImageFormat format)
{
    switch (format) {
    case ImageFormat::Gif: return { gifFrames(bytes), QStringLiteral("frames") };
    case ImageFormat::Png: return { apngFrames(bytes), QStringLiteral("frames (APNG)") };
    case ImageFormat::WebP: return { webpFrames(bytes), QStringLiteral("frames") };
    case ImageFormat::Tiff: return { tiffPages(bytes), QStringLiteral("pages") };
    case ImageFormat::Heif:
        return { heifTopLevelImages(bytes), QStringLiteral("top-level images") };
    case ImageFormat::Avif: return { avifFrames(bytes), QStringLiteral("frames") };
    default: return {};
    }
}

void appendContainerFindings(Bytes bytes, MetadataReport &report)
{
    std::vector<MetadataFinding> &out = report.findings;
    const ContainerImageCount images = countContainerImages(bytes, report.format);
    if (images.count > 1)
        out.push_back({ Severity::Notice, QStringLiteral("multiple-images"),
            QStringLiteral("The %1 holds %2 %3; only the first (the primary image) is analysed")
                .arg(imageFormatDisplayName(report.format))
                .arg(images.count)
                .arg(images.kind),
            QStringLiteral("%1 %2").arg(images.count).arg(images.kind) });

    if (report.format == ImageFormat::Jpeg && !walkJpeg(bytes).endsProperly)
        out.push_back({ Severity::Warning, QStringLiteral("jpeg-no-eoi"),
            QStringLiteral("The JPEG has no end-of-image marker: the file was cut short or "
                           "damaged after it was written"),
            QStringLiteral("no FF D9 marker after the last scan (%1 bytes)").arg(bytes.size()) });

    const ImageFormat named = imageFormatForFileName(report.file.fileName);
    const bool rawAsTiff = (named == ImageFormat::Raw && report.format == ImageFormat::Tiff)
        || (named == ImageFormat::Tiff && report.format == ImageFormat::Raw);
    if (named != ImageFormat::Unknown && report.format != ImageFormat::Unknown
        && named != report.format && !rawAsTiff)
        out.push_back({ Severity::Notice, QStringLiteral("extension-mismatch"),
            QStringLiteral("The file is named as %1 but its content is %2: renamed, or saved by "
                           "software that does not name files for their format")
                .arg(imageFormatDisplayName(named), imageFormatDisplayName(report.format)),
            QStringLiteral("name %1, content %2")
                .arg(report.file.fileName, imageFormatName(report.format)) });

    // EXIF's PixelXDimension/PixelYDimension (or XMP's copy) record the size the camera or the
    // last EXIF-aware editor wrote; a size that matches neither way round means the pixels were
    // resized, cropped or re-encoded by something that kept the old metadata.
    const QString x = firstOf(report, { "Exif.Photo.PixelXDimension", "Xmp.exif.PixelXDimension" });
    const QString y = firstOf(report, { "Exif.Photo.PixelYDimension", "Xmp.exif.PixelYDimension" });
    bool okX = false, okY = false;
    const int recordedX = x.toInt(&okX), recordedY = y.toInt(&okY);
    // A RAW's header size is its first directory's, often a preview's: not the image's.
    if (report.format != ImageFormat::Raw && okX && okY && recordedX > 0 && recordedY > 0
        && report.width > 0 && report.height > 0
        && !(recordedX == report.width && recordedY == report.height)
        && !(recordedX == report.height && recordedY == report.width))
        out.push_back({ Severity::Notice, QStringLiteral("dimension-mismatch"),
            QStringLiteral("The metadata records an image of %1 × %2 pixels, but this file's image "
                           "is %3 × %4: resized, cropped or re-encoded since the metadata was "
                           "written")
                .arg(recordedX)
                .arg(recordedY)
                .arg(report.width)
                .arg(report.height),
            QStringLiteral("PixelXDimension %1, PixelYDimension %2").arg(x, y) });

    std::stable_sort(
        out.begin(), out.end(), [](const MetadataFinding &a, const MetadataFinding &b) {
            return int(a.severity) > int(b.severity);
        });
}

} // namespace forgelens
