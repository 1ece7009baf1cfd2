#include "forgelens/image/image_header_probe.h"

#include <QString>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace forgelens {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint64_t kMaxDimension = static_cast<std::uint64_t>(std::numeric_limits<int>::max());

// A signature byte that may take any value (the RIFF size field of WebP).
constexpr int kAnyByte = -1;

struct Signature {
    ImageFormat format;
    std::array<int, 12> pattern;
    std::size_t length;
};

// One table drives both sniffing and the "file ends inside a signature" check, so the two can
// never disagree. BigTIFF is listed as TIFF so that it is reported as an unsupported TIFF
// variant rather than as "not an image".
constexpr std::array<Signature, 10> kSignatures = { {
    { ImageFormat::Jpeg, { 0xFF, 0xD8, 0xFF }, 3 },
    { ImageFormat::Png, { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, 8 },
    { ImageFormat::Gif, { 'G', 'I', 'F', '8', '7', 'a' }, 6 },
    { ImageFormat::Gif, { 'G', 'I', 'F', '8', '9', 'a' }, 6 },
    { ImageFormat::Bmp, { 'B', 'M' }, 2 },
    { ImageFormat::Tiff, { 'I', 'I', 0x2A, 0x00 }, 4 },
    { ImageFormat::Tiff, { 'M', 'M', 0x00, 0x2A }, 4 },
    { ImageFormat::Tiff, { 'I', 'I', 0x2B, 0x00 }, 4 },
    { ImageFormat::Tiff, { 'M', 'M', 0x00, 0x2B }, 4 },
    { ImageFormat::WebP,
        { 'R', 'I', 'F', 'F', kAnyByte, kAnyByte, kAnyByte, kAnyByte, 'W', 'E', 'B', 'P' }, 12 },
} };

// Compares the first min(bytes.size(), signature.length) bytes against the signature.
bool matchesSignaturePrefix(Bytes bytes, const Signature &signature)
{
    const std::size_t count = bytes.size() < signature.length ? bytes.size() : signature.length;
    for (std::size_t i = 0; i < count; ++i) {
        if (signature.pattern[i] != kAnyByte && signature.pattern[i] != bytes[i])
            return false;
    }
    return true;
}

// The format whose signature the whole file is a proper prefix of, or Unknown.
ImageFormat formatOfIncompleteSignature(Bytes bytes)
{
    for (const Signature &signature : kSignatures) {
        if (bytes.size() < signature.length && matchesSignaturePrefix(bytes, signature))
            return signature.format;
    }
    return ImageFormat::Unknown;
}

// Human-facing name used in messages (the lower-case imageFormatName() is for CSV/JSON).
QString displayName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg: return QStringLiteral("JPEG");
    case ImageFormat::Png: return QStringLiteral("PNG");
    case ImageFormat::Gif: return QStringLiteral("GIF");
    case ImageFormat::Bmp: return QStringLiteral("BMP");
    case ImageFormat::Tiff: return QStringLiteral("TIFF");
    case ImageFormat::WebP: return QStringLiteral("WebP");
    case ImageFormat::Unknown: break;
    }
    return QStringLiteral("unknown");
}

// Offsets come from the file itself, so the sum is done in 64 bits where it cannot wrap.
bool hasBytes(Bytes bytes, std::uint64_t offset, std::uint64_t count)
{
    return offset <= bytes.size() && count <= bytes.size() - offset;
}

std::uint16_t readU16Be(Bytes bytes, std::size_t at)
{
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

std::uint16_t readU16Le(Bytes bytes, std::size_t at)
{
    return static_cast<std::uint16_t>(bytes[at] | (bytes[at + 1] << 8));
}

std::uint32_t readU24Le(Bytes bytes, std::size_t at)
{
    return std::uint32_t{ bytes[at] } | (std::uint32_t{ bytes[at + 1] } << 8)
        | (std::uint32_t{ bytes[at + 2] } << 16);
}

std::uint32_t readU32Be(Bytes bytes, std::size_t at)
{
    return (std::uint32_t{ bytes[at] } << 24) | (std::uint32_t{ bytes[at + 1] } << 16)
        | (std::uint32_t{ bytes[at + 2] } << 8) | std::uint32_t{ bytes[at + 3] };
}

std::uint32_t readU32Le(Bytes bytes, std::size_t at)
{
    return std::uint32_t{ bytes[at] } | (std::uint32_t{ bytes[at + 1] } << 8)
        | (std::uint32_t{ bytes[at + 2] } << 16) | (std::uint32_t{ bytes[at + 3] } << 24);
}

// A four-character chunk name from the file, shown verbatim only when it is printable so that
// hostile bytes cannot put control characters into a report.
QString fourCcText(Bytes bytes, std::size_t at)
{
    QString text;
    QString hex;
    bool printable = true;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::uint8_t byte = bytes[at + i];
        printable = printable && byte >= 0x20 && byte <= 0x7E;
        text += QChar(static_cast<char16_t>(byte));
        hex += QStringLiteral(" %1").arg(unsigned{ byte }, 2, 16, QLatin1Char('0'));
    }
    if (printable)
        return QStringLiteral("\"%1\"").arg(text);
    return QStringLiteral("by the non-text bytes%1").arg(hex.toUpper());
}

Result<ImageHeader> truncated(const QString &message)
{
    return Result<ImageHeader>::failure(ErrorCode::Truncated, message);
}

Result<ImageHeader> badHeader(const QString &message)
{
    return Result<ImageHeader>::failure(ErrorCode::BadHeader, message);
}

Result<ImageHeader> endsBefore(ImageFormat format, const QString &what)
{
    return truncated(QStringLiteral("The %1 file ends before %2 could be read; it is truncated.")
                         .arg(displayName(format), what));
}

// Shared last step: every format must yield dimensions that fit the ImageHeader's int fields and
// are not zero, since a zero-sized image cannot be analysed and decoders reject it.
Result<ImageHeader> checkedHeader(
    ImageFormat format, std::uint64_t width, std::uint64_t height, const QString &where)
{
    if (width == 0 || height == 0) {
        return badHeader(QStringLiteral("The %1 header (%2) gives a size of %3 x %4 pixels; an "
                                        "image cannot have a zero width or height.")
                             .arg(displayName(format), where)
                             .arg(width)
                             .arg(height));
    }
    if (width > kMaxDimension || height > kMaxDimension) {
        return badHeader(QStringLiteral("The %1 header (%2) gives a size of %3 x %4 pixels, which "
                                        "is beyond any valid image size.")
                             .arg(displayName(format), where)
                             .arg(width)
                             .arg(height));
    }
    return ImageHeader{ format, static_cast<int>(width), static_cast<int>(height) };
}

bool isJpegStartOfFrame(std::uint8_t marker)
{
    // C4 (DHT), C8 (JPG extension) and CC (DAC) share the SOFn range but are not frame headers.
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

bool isJpegStandaloneMarker(std::uint8_t marker)
{
    // TEM, RST0..RST7 and SOI carry no length field.
    return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8);
}

Result<ImageHeader> probeJpeg(Bytes bytes)
{
    constexpr ImageFormat format = ImageFormat::Jpeg;
    const QString beforeSof = QStringLiteral("its frame header (SOF)");
    std::size_t pos = 2; // just past SOI; the signature guarantees bytes[2] == 0xFF

    // Every iteration consumes at least one byte or returns, so the walk always terminates.
    while (true) {
        if (pos >= bytes.size())
            return endsBefore(format, beforeSof);

        // libjpeg skips stray bytes between segments with only a warning; doing the same keeps
        // the probe from rejecting files the decoder itself accepts.
        if (bytes[pos] != 0xFF) {
            ++pos;
            continue;
        }
        while (pos < bytes.size() && bytes[pos] == 0xFF)
            ++pos; // fill bytes before a marker
        if (pos >= bytes.size())
            return endsBefore(format, beforeSof);

        const std::uint8_t marker = bytes[pos];
        const std::size_t markerOffset = pos - 1;
        ++pos;

        // FF 00 is byte stuffing from entropy-coded data; outside a scan it is stray data.
        if (marker == 0x00 || isJpegStandaloneMarker(marker))
            continue;
        if (marker == 0xD9) {
            return badHeader(QStringLiteral("The JPEG file has its end-of-image marker (EOI) at "
                                            "byte %1, before any frame header (SOF); it contains "
                                            "no image.")
                                 .arg(markerOffset));
        }
        if (marker == 0xDA) {
            return badHeader(QStringLiteral("The JPEG file starts its image data (SOS marker at "
                                            "byte %1) before any frame header (SOF), so its size "
                                            "is not defined.")
                                 .arg(markerOffset));
        }

        if (!hasBytes(bytes, pos, 2))
            return endsBefore(format, beforeSof);
        const std::uint16_t length = readU16Be(bytes, pos);
        if (length < 2) {
            return badHeader(QStringLiteral("The JPEG segment with marker FF %1 at byte %2 "
                                            "declares a length of %3, which is impossible (the "
                                            "length counts its own 2 bytes).")
                                 .arg(unsigned{ marker }, 2, 16, QLatin1Char('0'))
                                 .arg(markerOffset)
                                 .arg(length));
        }

        if (isJpegStartOfFrame(marker)) {
            // Length(2) precision(1) height(2) width(2) component count(1).
            if (length < 8) {
                return badHeader(QStringLiteral("The JPEG frame header (SOF) at byte %1 declares a "
                                                "length of %2, too short to hold the image size.")
                                     .arg(markerOffset)
                                     .arg(length));
            }
            if (!hasBytes(bytes, pos, 7))
                return endsBefore(
                    format, QStringLiteral("the image size in its frame header (SOF)"));
            const std::uint16_t height = readU16Be(bytes, pos + 3);
            const std::uint16_t width = readU16Be(bytes, pos + 5);
            if (height == 0) {
                // A zero height means "given later by a DNL marker", which decoders do not support.
                return badHeader(QStringLiteral("The JPEG frame header (SOF) at byte %1 gives a "
                                                "height of 0, deferring it to a DNL marker; this "
                                                "is not supported.")
                                     .arg(markerOffset));
            }
            return checkedHeader(format, width, height, QStringLiteral("frame header (SOF)"));
        }

        const std::uint64_t segmentEnd = std::uint64_t{ pos } + length;
        if (segmentEnd > bytes.size())
            return endsBefore(format, beforeSof);
        pos = static_cast<std::size_t>(segmentEnd);
    }
}

Result<ImageHeader> probePng(Bytes bytes)
{
    constexpr ImageFormat format = ImageFormat::Png;
    // Signature(8), then the first chunk: length(4) type(4) data.
    if (!hasBytes(bytes, 8, 8))
        return endsBefore(format, QStringLiteral("its first chunk"));
    if (readU32Be(bytes, 12) != 0x49484452u) { // "IHDR"
        return badHeader(QStringLiteral("The PNG file's first chunk is named %1, but the PNG "
                                        "standard requires the image header chunk (IHDR) to "
                                        "come first.")
                             .arg(fourCcText(bytes, 12)));
    }
    const std::uint32_t length = readU32Be(bytes, 8);
    if (length != 13) {
        return badHeader(QStringLiteral("The PNG image header chunk (IHDR) declares a length of %1 "
                                        "bytes; it must be exactly 13.")
                             .arg(length));
    }
    if (!hasBytes(bytes, 16, 8))
        return endsBefore(format, QStringLiteral("the image size in its header chunk (IHDR)"));
    return checkedHeader(
        format, readU32Be(bytes, 16), readU32Be(bytes, 20), QStringLiteral("IHDR chunk"));
}

Result<ImageHeader> probeGif(Bytes bytes)
{
    // Signature(6), logical screen width(2) and height(2), little-endian.
    if (!hasBytes(bytes, 6, 4))
        return endsBefore(ImageFormat::Gif, QStringLiteral("its logical screen size"));
    return checkedHeader(ImageFormat::Gif, readU16Le(bytes, 6), readU16Le(bytes, 8),
        QStringLiteral("logical screen descriptor"));
}

Result<ImageHeader> probeBmp(Bytes bytes)
{
    constexpr ImageFormat format = ImageFormat::Bmp;
    // File header(14), then the DIB header, which starts with its own size.
    if (!hasBytes(bytes, 14, 4))
        return endsBefore(format, QStringLiteral("its bitmap information header"));
    const std::uint32_t dibSize = readU32Le(bytes, 14);

    if (dibSize == 12) {
        // OS/2 BITMAPCOREHEADER: unsigned 16-bit width and height.
        if (!hasBytes(bytes, 18, 4))
            return endsBefore(format, QStringLiteral("the image size in its core header"));
        return checkedHeader(
            format, readU16Le(bytes, 18), readU16Le(bytes, 20), QStringLiteral("OS/2 core header"));
    }
    if (dibSize < 40) {
        return badHeader(QStringLiteral("The BMP information header declares a size of %1 bytes; "
                                        "only the 12-byte OS/2 header and headers of 40 bytes or "
                                        "more are supported.")
                             .arg(dibSize));
    }

    // BITMAPINFOHEADER and later: signed 32-bit width and height.
    if (!hasBytes(bytes, 18, 8))
        return endsBefore(format, QStringLiteral("the image size in its information header"));
    const auto width = static_cast<std::int32_t>(readU32Le(bytes, 18));
    const auto height = static_cast<std::int32_t>(readU32Le(bytes, 22));
    if (width <= 0) {
        return badHeader(QStringLiteral("The BMP information header gives a width of %1 pixels; "
                                        "the width must be positive.")
                             .arg(width));
    }
    // A negative height only marks a top-down bitmap; 64 bits keep -INT32_MIN representable.
    const std::int64_t absHeight = height < 0 ? -std::int64_t{ height } : std::int64_t{ height };
    return checkedHeader(format, static_cast<std::uint64_t>(width),
        static_cast<std::uint64_t>(absHeight), QStringLiteral("information header"));
}

Result<ImageHeader> probeTiff(Bytes bytes)
{
    constexpr ImageFormat format = ImageFormat::Tiff;
    const bool littleEndian = bytes[0] == 'I';
    const auto u16 = [&](std::size_t at) {
        return littleEndian ? readU16Le(bytes, at) : readU16Be(bytes, at);
    };
    const auto u32 = [&](std::size_t at) {
        return littleEndian ? readU32Le(bytes, at) : readU32Be(bytes, at);
    };

    if (u16(2) == 43) {
        return badHeader(QStringLiteral("The file is a BigTIFF (64-bit TIFF variant), which is not "
                                        "supported; only classic TIFF files can be analysed."));
    }
    if (!hasBytes(bytes, 4, 4))
        return endsBefore(format, QStringLiteral("the position of its first image directory"));
    const std::uint32_t ifdOffset = u32(4);
    if (ifdOffset < 8) {
        return badHeader(QStringLiteral("The TIFF header places its first image directory at byte "
                                        "%1, inside the 8-byte file header; the file is damaged.")
                             .arg(ifdOffset));
    }
    if (!hasBytes(bytes, ifdOffset, 2)) {
        return truncated(QStringLiteral("The TIFF header places its first image directory at byte "
                                        "%1, but the file is only %2 bytes long; it is truncated.")
                             .arg(ifdOffset)
                             .arg(bytes.size()));
    }

    const std::uint16_t entryCount = u16(ifdOffset);
    std::uint64_t width = 0;
    std::uint64_t height = 0;
    bool haveWidth = false;
    bool haveHeight = false;
    // Bounded by the 16-bit entry count; stops as soon as both tags are known.
    for (std::uint32_t i = 0; i < entryCount && !(haveWidth && haveHeight); ++i) {
        const std::uint64_t entry = std::uint64_t{ ifdOffset } + 2 + std::uint64_t{ i } * 12;
        if (!hasBytes(bytes, entry, 12))
            return endsBefore(
                format, QStringLiteral("the image size in its first image directory"));
        const auto at = static_cast<std::size_t>(entry);
        const std::uint16_t tag = u16(at);
        if (tag != 256 && tag != 257)
            continue;
        if ((tag == 256 && haveWidth) || (tag == 257 && haveHeight))
            continue; // a duplicate tag; the first occurrence wins, as in libtiff

        const QString tagName
            = tag == 256 ? QStringLiteral("ImageWidth") : QStringLiteral("ImageLength");
        const std::uint16_t type = u16(at + 2);
        const std::uint32_t count = u32(at + 4);
        if (count != 1) {
            return badHeader(QStringLiteral("The TIFF %1 tag holds %2 values; it must hold exactly "
                                            "one.")
                                 .arg(tagName)
                                 .arg(count));
        }
        // A single SHORT sits in the first two bytes of the value field in either byte order.
        std::uint64_t value = 0;
        if (type == 3) {
            value = u16(at + 8);
        } else if (type == 4) {
            value = u32(at + 8);
        } else {
            return badHeader(QStringLiteral("The TIFF %1 tag has data type %2; only SHORT (3) and "
                                            "LONG (4) are valid for it.")
                                 .arg(tagName)
                                 .arg(type));
        }
        if (tag == 256) {
            width = value;
            haveWidth = true;
        } else {
            height = value;
            haveHeight = true;
        }
    }

    if (!haveWidth || !haveHeight) {
        return badHeader(QStringLiteral("The first TIFF image directory has no %1 tag, so the "
                                        "image size is not defined.")
                             .arg(!haveWidth ? QStringLiteral("ImageWidth (256)")
                                             : QStringLiteral("ImageLength (257)")));
    }
    return checkedHeader(format, width, height, QStringLiteral("first image directory"));
}

Result<ImageHeader> probeWebP(Bytes bytes)
{
    constexpr ImageFormat format = ImageFormat::WebP;
    // "RIFF" size "WEBP"(12), then the first chunk: name(4) size(4) payload at 20.
    if (!hasBytes(bytes, 12, 8))
        return endsBefore(format, QStringLiteral("its first chunk"));
    const std::uint32_t chunk = readU32Be(bytes, 12);
    const std::uint32_t chunkSize = readU32Le(bytes, 16);
    constexpr std::size_t payload = 20;

    const auto chunkTooSmall = [&](const QString &name, std::uint32_t minimum) {
        return badHeader(QStringLiteral("The WebP %1 chunk declares a size of %2 bytes; it needs "
                                        "at least %3 to describe the image.")
                             .arg(name)
                             .arg(chunkSize)
                             .arg(minimum));
    };

    if (chunk == 0x56503820u) { // "VP8 ": lossy
        if (chunkSize < 10)
            return chunkTooSmall(QStringLiteral("lossy (VP8)"), 10);
        if (!hasBytes(bytes, payload, 10))
            return endsBefore(format, QStringLiteral("the image size in its lossy (VP8) header"));
        // Bit 0 of the 3-byte frame tag is 0 for a key frame; only key frames carry a size.
        if ((bytes[payload] & 0x01) != 0) {
            return badHeader(QStringLiteral("The WebP lossy (VP8) data does not start with a key "
                                            "frame, so the image size is not defined."));
        }
        if (bytes[payload + 3] != 0x9D || bytes[payload + 4] != 0x01
            || bytes[payload + 5] != 0x2A) {
            return badHeader(QStringLiteral("The WebP lossy (VP8) frame lacks its start code "
                                            "(9D 01 2A); the header is damaged."));
        }
        // The top two bits of each 16-bit field are an upscaling hint, not part of the size.
        return checkedHeader(format, readU16Le(bytes, payload + 6) & 0x3FFFu,
            readU16Le(bytes, payload + 8) & 0x3FFFu, QStringLiteral("VP8 frame header"));
    }
    if (chunk == 0x5650384Cu) { // "VP8L": lossless
        if (chunkSize < 5)
            return chunkTooSmall(QStringLiteral("lossless (VP8L)"), 5);
        if (!hasBytes(bytes, payload, 5))
            return endsBefore(
                format, QStringLiteral("the image size in its lossless (VP8L) header"));
        if (bytes[payload] != 0x2F) {
            return badHeader(QStringLiteral("The WebP lossless (VP8L) data lacks its signature "
                                            "byte (2F); the header is damaged."));
        }
        const std::uint32_t bits = readU32Le(bytes, payload + 1);
        if ((bits >> 29) != 0) {
            return badHeader(QStringLiteral("The WebP lossless (VP8L) header has version %1; only "
                                            "version 0 exists.")
                                 .arg(bits >> 29));
        }
        // 14 bits each for width-1 and height-1, so both are at least 1.
        return checkedHeader(format, (bits & 0x3FFFu) + 1u, ((bits >> 14) & 0x3FFFu) + 1u,
            QStringLiteral("VP8L header"));
    }
    if (chunk == 0x56503858u) { // "VP8X": extended
        if (chunkSize < 10)
            return chunkTooSmall(QStringLiteral("extended (VP8X)"), 10);
        if (!hasBytes(bytes, payload, 10))
            return endsBefore(
                format, QStringLiteral("the canvas size in its extended (VP8X) header"));
        // Flags(1) reserved(3), then 24-bit canvas width-1 and height-1.
        return checkedHeader(format, std::uint64_t{ readU24Le(bytes, payload + 4) } + 1,
            std::uint64_t{ readU24Le(bytes, payload + 7) } + 1, QStringLiteral("VP8X canvas"));
    }
    return badHeader(QStringLiteral("The WebP file's first chunk is named %1; it must be \"VP8 \", "
                                    "\"VP8L\" or \"VP8X\".")
                         .arg(fourCcText(bytes, 12)));
}

} // namespace

ImageFormat sniffImageFormat(std::span<const std::uint8_t> bytes)
{
    for (const Signature &signature : kSignatures) {
        if (bytes.size() >= signature.length && matchesSignaturePrefix(bytes, signature))
            return signature.format;
    }
    return ImageFormat::Unknown;
}

Result<ImageHeader> probeImageHeader(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty()) {
        return Result<ImageHeader>::failure(ErrorCode::EmptyFile,
            QStringLiteral("The file is empty (0 bytes); there is no image to analyse."));
    }

    const ImageFormat format = sniffImageFormat(bytes);
    switch (format) {
    case ImageFormat::Jpeg: return probeJpeg(bytes);
    case ImageFormat::Png: return probePng(bytes);
    case ImageFormat::Gif: return probeGif(bytes);
    case ImageFormat::Bmp: return probeBmp(bytes);
    case ImageFormat::Tiff: return probeTiff(bytes);
    case ImageFormat::WebP: return probeWebP(bytes);
    case ImageFormat::Unknown: break;
    }

    // A file shorter than a signature it starts with is most likely a cut-off image, not
    // something else, and the analyst should hear that.
    const ImageFormat partial = formatOfIncompleteSignature(bytes);
    if (partial != ImageFormat::Unknown) {
        return truncated(QStringLiteral("The file is only %1 bytes long. It starts like a %2 file "
                                        "but ends inside the format signature; it is truncated.")
                             .arg(bytes.size())
                             .arg(displayName(partial)));
    }
    return Result<ImageHeader>::failure(ErrorCode::NotAnImage,
        QStringLiteral("The content is not a recognised image format (JPEG, PNG, GIF, BMP, TIFF "
                       "or WebP). The format is judged from the file's content, not its name."));
}

} // namespace forgelens
