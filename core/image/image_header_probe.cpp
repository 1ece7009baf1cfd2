#include "forgelens/image/image_header_probe.h"

#include <QString>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
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
// never disagree; the first match wins, so the RAW variants of TIFF come before TIFF. BigTIFF is
// listed as TIFF so that it is reported as an unsupported TIFF variant rather than as "not an
// image". ISO-BMFF files (HEIF, AVIF, CR3) are told apart by their brands (bmffFormat below).
constexpr std::array<Signature, 23> kSignatures = { {
    { ImageFormat::Jpeg, { 0xFF, 0xD8, 0xFF }, 3 },
    { ImageFormat::Png, { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, 8 },
    { ImageFormat::Gif, { 'G', 'I', 'F', '8', '7', 'a' }, 6 },
    { ImageFormat::Gif, { 'G', 'I', 'F', '8', '9', 'a' }, 6 },
    { ImageFormat::Bmp, { 'B', 'M' }, 2 },
    // Canon CR2: a TIFF whose header is followed by "CR" and the CR2 version.
    { ImageFormat::Raw, { 'I', 'I', 0x2A, 0x00, kAnyByte, kAnyByte, kAnyByte, kAnyByte, 'C', 'R' },
        10 },
    { ImageFormat::Raw, { 'I', 'I', 'R', 'O' }, 4 }, // Olympus ORF
    { ImageFormat::Raw, { 'I', 'I', 'R', 'S' }, 4 }, // Olympus ORF (older)
    { ImageFormat::Raw, { 'M', 'M', 'O', 'R' }, 4 }, // Olympus ORF (big-endian)
    { ImageFormat::Raw, { 'I', 'I', 'U', 0x00 }, 4 }, // Panasonic RW2
    { ImageFormat::Raw, { 'F', 'U', 'J', 'I', 'F', 'I', 'L', 'M', 'C', 'C', 'D', '-' }, 12 }, // RAF
    { ImageFormat::Raw, { 'F', 'O', 'V', 'b' }, 4 }, // Sigma X3F
    { ImageFormat::Raw, { 0x00, 'M', 'R', 'M' }, 4 }, // Minolta MRW
    { ImageFormat::Raw, { 'I', 'I', 0x1A, 0x00, 0x00, 0x00, 'H', 'E', 'A', 'P', 'C', 'C' },
        12 }, // CRW
    { ImageFormat::Tiff, { 'I', 'I', 0x2A, 0x00 }, 4 },
    { ImageFormat::Tiff, { 'M', 'M', 0x00, 0x2A }, 4 },
    { ImageFormat::Tiff, { 'I', 'I', 0x2B, 0x00 }, 4 },
    { ImageFormat::Tiff, { 'M', 'M', 0x00, 0x2B }, 4 },
    { ImageFormat::WebP,
        { 'R', 'I', 'F', 'F', kAnyByte, kAnyByte, kAnyByte, kAnyByte, 'W', 'E', 'B', 'P' }, 12 },
    // JPEG XL: the ISO-BMFF container's signature box, or the bare codestream's marker.
    { ImageFormat::JpegXl, { 0x00, 0x00, 0x00, 0x0C, 'J', 'X', 'L', ' ', 0x0D, 0x0A, 0x87, 0x0A },
        12 },
    { ImageFormat::JpegXl, { 0xFF, 0x0A }, 2 },
    // JPEG 2000: the JP2 signature box, or a bare codestream (SOC then SIZ).
    { ImageFormat::Jpeg2000, { 0x00, 0x00, 0x00, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A },
        12 },
    { ImageFormat::Jpeg2000, { 0xFF, 0x4F, 0xFF, 0x51 }, 4 },
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
    // Zero bytes alone begin the box signatures (JPEG XL, JPEG 2000) and MRW, and many other
    // files: they say nothing about an image.
    if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t byte) { return byte == 0; }))
        return ImageFormat::Unknown;
    for (const Signature &signature : kSignatures) {
        if (bytes.size() < signature.length && matchesSignaturePrefix(bytes, signature))
            return signature.format;
    }
    return ImageFormat::Unknown;
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
                         .arg(imageFormatDisplayName(format), what));
}

// Shared last step: every format must yield dimensions that fit the ImageHeader's int fields and
// are not zero, since a zero-sized image cannot be analysed and decoders reject it.
Result<ImageHeader> checkedHeader(
    ImageFormat format, std::uint64_t width, std::uint64_t height, const QString &where)
{
    if (width == 0 || height == 0) {
        return badHeader(QStringLiteral("The %1 header (%2) gives a size of %3 x %4 pixels; an "
                                        "image cannot have a zero width or height.")
                             .arg(imageFormatDisplayName(format), where)
                             .arg(width)
                             .arg(height));
    }
    if (width > kMaxDimension || height > kMaxDimension) {
        return badHeader(QStringLiteral("The %1 header (%2) gives a size of %3 x %4 pixels, which "
                                        "is beyond any valid image size.")
                             .arg(imageFormatDisplayName(format), where)
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
        return Result<ImageHeader>::failure(ErrorCode::UnsupportedFormat,
            QStringLiteral("The file is a BigTIFF (64-bit TIFF variant), which is not "
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

// ISO-BMFF ("....ftyp" then the major brand, a minor version and compatible brands): HEIF
// (HEVC items: heic, heix, heim, heis; sequences: hevc, hevx, hevm, hevs), AVIF (avif, avis),
// Canon CR3 (crx), and the structural brands mif1/msf1 that either can carry, decided by the
// compatible brands. Video files (isom, mp41, qt) are not images.
ImageFormat bmffFormat(Bytes bytes)
{
    if (!hasBytes(bytes, 0, 12) || readU32Be(bytes, 4) != 0x66747970u) // "ftyp"
        return ImageFormat::Unknown;
    const auto brandFormat = [](std::uint32_t brand) {
        switch (brand) {
        case 0x61766966u: // avif
        case 0x61766973u: // avis
            return ImageFormat::Avif;
        case 0x68656963u: // heic
        case 0x68656978u: // heix
        case 0x6865696Du: // heim
        case 0x68656973u: // heis
        case 0x68657663u: // hevc
        case 0x68657678u: // hevx
        case 0x6865766Du: // hevm
        case 0x68657673u: // hevs
            return ImageFormat::Heif;
        case 0x63727820u: // "crx "
            return ImageFormat::Raw;
        default: return ImageFormat::Unknown;
        }
    };
    const std::uint32_t major = readU32Be(bytes, 8);
    if (const ImageFormat format = brandFormat(major); format != ImageFormat::Unknown)
        return format;
    const bool structural = major == 0x6D696631u || major == 0x6D736631u; // mif1, msf1
    // Compatible brands follow the minor version, up to the box's end (bounded by the file).
    const std::uint64_t boxSize = readU32Be(bytes, 0);
    const std::uint64_t end
        = std::min<std::uint64_t>(std::min<std::uint64_t>(boxSize, 4096), bytes.size());
    bool heifCompatible = false;
    for (std::uint64_t at = 16; at + 4 <= end; at += 4) {
        const ImageFormat format = brandFormat(readU32Be(bytes, std::size_t(at)));
        if (format == ImageFormat::Avif)
            return ImageFormat::Avif;
        heifCompatible = heifCompatible || format == ImageFormat::Heif;
    }
    return structural || heifCompatible ? ImageFormat::Heif : ImageFormat::Unknown;
}

// Whether any entry of a classic TIFF's first directory satisfies `matches(tag, value)`; the
// value is a SHORT's or a LONG's, read in the file's byte order. False for a directory cut short.
template <typename Matches> bool firstDirectoryHas(Bytes bytes, Matches matches)
{
    if (!hasBytes(bytes, 0, 8))
        return false;
    const bool littleEndian = bytes[0] == 'I';
    const auto u16 = [&](std::size_t at) {
        return littleEndian ? readU16Le(bytes, at) : readU16Be(bytes, at);
    };
    const auto u32 = [&](std::size_t at) {
        return littleEndian ? readU32Le(bytes, at) : readU32Be(bytes, at);
    };
    if (u16(2) != 42)
        return false;
    const std::uint32_t ifd = u32(4);
    if (!hasBytes(bytes, ifd, 2))
        return false;
    const std::uint16_t entries = u16(ifd);
    for (std::uint32_t i = 0; i < entries; ++i) {
        const std::uint64_t entry = std::uint64_t{ ifd } + 2 + std::uint64_t{ i } * 12;
        if (!hasBytes(bytes, entry, 12))
            return false;
        const auto at = static_cast<std::size_t>(entry);
        const std::uint32_t value = u16(at + 2) == 3 ? u16(at + 8) : u32(at + 8);
        if (matches(u16(at), value))
            return true;
    }
    return false;
}

// A TIFF whose first directory says it is a camera's raw data rather than a picture: DNG
// (DNGVersion), a thumbnail in IFD0 with the raw image in SubIFDs (NEF, ARW, PEF, SRW), colour
// filter array or linear raw photometric interpretation, or a vendor's raw compression.
bool tiffIsCameraRaw(Bytes bytes)
{
    return firstDirectoryHas(bytes, [](std::uint16_t tag, std::uint32_t value) {
        return tag == 50706 || tag == 330 // DNGVersion, SubIFDs
            || (tag == 262 && (value == 32803 || value == 34892)) // CFA, LinearRaw
            || (tag == 259
                && (value == 34713 || value == 65535 || value == 32767 || value == 32769
                    || value == 32770)); // Nikon, Pentax and other raw compressions
    });
}

// JPEG XL's SizeHeader (ISO/IEC 18181-1 D.2), read bit by bit, least significant bit first,
// right after the codestream's FF 0A marker.
class LsbBitReader {
public:
    LsbBitReader(Bytes bytes, std::size_t start) : m_bytes(bytes), m_bit(std::uint64_t{ start } * 8)
    {
    }
    bool ok() const { return m_ok; }
    std::uint32_t bits(int count)
    {
        std::uint32_t value = 0;
        for (int i = 0; i < count; ++i) {
            const std::uint64_t byte = m_bit / 8;
            if (byte >= m_bytes.size()) {
                m_ok = false;
                return 0;
            }
            value |= std::uint32_t((m_bytes[std::size_t(byte)] >> (m_bit % 8)) & 1u) << i;
            ++m_bit;
        }
        return value;
    }

private:
    Bytes m_bytes;
    std::uint64_t m_bit;
    bool m_ok = true;
};

Result<ImageHeader> jxlSizeHeader(Bytes bytes, std::size_t codestream)
{
    constexpr ImageFormat format = ImageFormat::JpegXl;
    if (!hasBytes(bytes, codestream, 2) || bytes[codestream] != 0xFF
        || bytes[codestream + 1] != 0x0A)
        return badHeader(QStringLiteral("The JPEG XL codestream does not start with its FF 0A "
                                        "signature."));
    LsbBitReader in(bytes, codestream + 2);
    const auto dimension = [&in](bool small) -> std::uint64_t {
        if (small)
            return (std::uint64_t{ in.bits(5) } + 1) * 8;
        static constexpr int kBits[] = { 9, 13, 18, 30 };
        return std::uint64_t{ in.bits(kBits[in.bits(2)]) } + 1;
    };
    const bool small = in.bits(1) != 0;
    const std::uint64_t height = dimension(small);
    const std::uint32_t ratio = in.bits(3);
    // Fixed aspect ratios: width = height * numerator / denominator.
    static constexpr std::uint64_t kRatios[8][2]
        = { { 1, 1 }, { 1, 1 }, { 12, 10 }, { 4, 3 }, { 3, 2 }, { 16, 9 }, { 5, 4 }, { 2, 1 } };
    const std::uint64_t width
        = ratio == 0 ? dimension(small) : height * kRatios[ratio][0] / kRatios[ratio][1];
    if (!in.ok())
        return endsBefore(format, QStringLiteral("the image size in its codestream header"));
    return checkedHeader(format, width, height, QStringLiteral("SizeHeader"));
}

// Walks top-level ISO-BMFF boxes from `start`: calls `visit(type, payloadStart, payloadSize)`
// until it returns true (found) or the boxes end. Sizes come from the file and are checked.
template <typename Visit>
bool walkBoxes(Bytes bytes, std::uint64_t start, std::uint64_t end, Visit visit)
{
    std::uint64_t at = start;
    while (at + 8 <= end) {
        std::uint64_t size = readU32Be(bytes, std::size_t(at));
        const std::uint32_t type = readU32Be(bytes, std::size_t(at + 4));
        std::uint64_t header = 8;
        if (size == 1) {
            if (at + 16 > end)
                return false;
            size = (std::uint64_t{ readU32Be(bytes, std::size_t(at + 8)) } << 32)
                | readU32Be(bytes, std::size_t(at + 12));
            header = 16;
        } else if (size == 0) {
            size = end - at; // to the end of the enclosing box or file
        }
        if (size < header || size > end - at)
            return visit(type, at + header, end - at - header);
        if (visit(type, at + header, size - header))
            return true;
        at += size;
    }
    return false;
}

Result<ImageHeader> probeJpegXl(Bytes bytes)
{
    if (bytes[0] == 0xFF)
        return jxlSizeHeader(bytes, 0);
    // The container: the codestream is in a jxlc box, or split over jxlp boxes, each of which
    // starts with a 4-byte sequence number.
    std::optional<std::uint64_t> codestream;
    walkBoxes(
        bytes, 0, bytes.size(), [&](std::uint32_t type, std::uint64_t payload, std::uint64_t) {
            if (type == 0x6A786C63u) // jxlc
                codestream = payload;
            else if (type == 0x6A786C70u) // jxlp
                codestream = payload + 4;
            return codestream.has_value();
        });
    if (!codestream)
        return truncated(QStringLiteral("The JPEG XL container holds no codestream box (jxlc or "
                                        "jxlp); it is truncated or damaged."));
    return jxlSizeHeader(bytes, std::size_t(*codestream));
}

Result<ImageHeader> probeJpeg2000(Bytes bytes)
{
    constexpr ImageFormat format = ImageFormat::Jpeg2000;
    if (bytes.empty())
        return endsBefore(format, QStringLiteral("its codestream"));
    if (bytes[0] == 0xFF) {
        if (!hasBytes(bytes, 0, 4) || readU32Be(bytes, 0) != 0xFF4FFF51u)
            return badHeader(QStringLiteral("The JPEG 2000 codestream does not start with its SOC "
                                            "and SIZ markers."));
        // SOC, SIZ marker, Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4): the image area is
        // the reference grid less its offset.
        if (!hasBytes(bytes, 0, 24))
            return endsBefore(format, QStringLiteral("the image size in its SIZ marker"));
        const std::uint32_t xsiz = readU32Be(bytes, 8), ysiz = readU32Be(bytes, 12);
        const std::uint32_t xo = readU32Be(bytes, 16), yo = readU32Be(bytes, 20);
        if (xo >= xsiz || yo >= ysiz)
            return badHeader(QStringLiteral("The JPEG 2000 SIZ marker places the image offset "
                                            "(%1, %2) outside the reference grid (%3 x %4).")
                                 .arg(xo)
                                 .arg(yo)
                                 .arg(xsiz)
                                 .arg(ysiz));
        return checkedHeader(format, xsiz - xo, ysiz - yo, QStringLiteral("SIZ marker"));
    }
    // JP2: the header superbox (jp2h) holds the image header box (ihdr): HEIGHT(4) WIDTH(4).
    std::optional<std::pair<std::uint32_t, std::uint32_t>> size;
    walkBoxes(bytes, 0, bytes.size(),
        [&](std::uint32_t type, std::uint64_t payload, std::uint64_t length) {
            if (type != 0x6A703268u) // jp2h
                return false;
            walkBoxes(bytes, payload, payload + length,
                [&](std::uint32_t inner, std::uint64_t at, std::uint64_t innerLength) {
                    if (inner == 0x69686472u && innerLength >= 8) // ihdr
                        size = std::pair{ readU32Be(bytes, std::size_t(at + 4)),
                            readU32Be(bytes, std::size_t(at)) };
                    return size.has_value();
                });
            return true;
        });
    if (!size)
        return endsBefore(format, QStringLiteral("its image header box (jp2h/ihdr)"));
    // OpenJPEG allocates what the codestream's SIZ marker declares, not ihdr: the two must agree.
    std::optional<std::uint64_t> codestream;
    walkBoxes(
        bytes, 0, bytes.size(), [&](std::uint32_t type, std::uint64_t payload, std::uint64_t) {
            if (type == 0x6A703263u) // jp2c
                codestream = payload;
            return codestream.has_value();
        });
    if (codestream) {
        const Result<ImageHeader> siz = probeJpeg2000(bytes.subspan(std::size_t(*codestream)));
        if (!siz)
            return siz;
        if (std::uint64_t(siz->width) != size->first || std::uint64_t(siz->height) != size->second)
            return badHeader(
                QStringLiteral("The JPEG 2000 ihdr box declares %1 x %2 pixels but the "
                               "codestream's SIZ marker %3 x %4; the file is damaged "
                               "or crafted.")
                    .arg(size->first)
                    .arg(size->second)
                    .arg(siz->width)
                    .arg(siz->height));
    }
    return checkedHeader(format, size->first, size->second, QStringLiteral("ihdr box"));
}

bool startsWith(Bytes bytes, const char *text)
{
    const std::size_t length = std::strlen(text);
    return bytes.size() >= length && std::memcmp(bytes.data(), text, length) == 0;
}

} // namespace

bool tiffDeclaresDng(std::span<const std::uint8_t> bytes)
{
    return hasClassicTiffSignature(bytes)
        && firstDirectoryHas(bytes, [](std::uint16_t tag, std::uint32_t) {
               return tag == 50706; // DNGVersion
           });
}

bool hasClassicTiffSignature(std::span<const std::uint8_t> bytes)
{
    return bytes.size() >= 4
        && ((bytes[0] == 'I' && bytes[1] == 'I' && bytes[2] == 0x2A && bytes[3] == 0)
            || (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && bytes[3] == 0x2A));
}

QString undecodedImageFormat(std::span<const std::uint8_t> bytes)
{
    if (startsWith(bytes, "8BPS"))
        return QStringLiteral("Photoshop document (PSD/PSB)");
    if (startsWith(bytes, "\x76\x2F\x31\x01"))
        return QStringLiteral("OpenEXR image");
    if (startsWith(bytes, "#?RADIANCE") || startsWith(bytes, "#?RGBE"))
        return QStringLiteral("Radiance HDR image");
    if (startsWith(bytes, "qoif"))
        return QStringLiteral("QOI image");
    if (startsWith(bytes, "II\xBC"))
        return QStringLiteral("JPEG XR (HD Photo) image");
    if (startsWith(bytes, "DDS "))
        return QStringLiteral("DirectDraw Surface (DDS) texture");
    if (startsWith(bytes, "gimp xcf"))
        return QStringLiteral("GIMP document (XCF)");
    // Netpbm: "P1" to "P6", white space, then a width (a digit) or a comment ("P7" is PAM's
    // "WIDTH" header).
    const auto isSpace
        = [](std::uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    if (bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '6'
        && isSpace(bytes[2]) && ((bytes[3] >= '0' && bytes[3] <= '9') || bytes[3] == '#'))
        return QStringLiteral("Netpbm image (PBM/PGM/PPM)");
    if (startsWith(bytes, "P7\nWIDTH"))
        return QStringLiteral("Netpbm image (PAM)");
    // Windows icons and cursors: reserved 0, type 1 or 2, 1 to 255 images, then the first
    // 16-byte directory entry: its reserved byte 0, its data after the directory.
    if (bytes.size() >= 22 && bytes[0] == 0 && bytes[1] == 0 && (bytes[2] == 1 || bytes[2] == 2)
        && bytes[3] == 0 && bytes[4] > 0 && bytes[5] == 0 && bytes[9] == 0
        && readU32Le(bytes, 18) >= 6u + 16u * bytes[4])
        return QStringLiteral("Windows icon (ICO/CUR)");
    // SVG: XML text whose first kilobyte opens an <svg element.
    const std::size_t head = std::min<std::size_t>(bytes.size(), 1024);
    const QByteArray text
        = QByteArray::fromRawData(reinterpret_cast<const char *>(bytes.data()), qsizetype(head));
    if ((text.startsWith("<?xml") || text.startsWith("<svg") || text.startsWith("\xEF\xBB\xBF<"))
        && text.contains("<svg"))
        return QStringLiteral("SVG vector drawing");
    return {};
}

ImageFormat sniffImageFormat(std::span<const std::uint8_t> bytes)
{
    if (const ImageFormat bmff = bmffFormat(bytes); bmff != ImageFormat::Unknown)
        return bmff;
    for (const Signature &signature : kSignatures) {
        if (bytes.size() >= signature.length && matchesSignaturePrefix(bytes, signature)) {
            if (signature.format == ImageFormat::Tiff && tiffIsCameraRaw(bytes))
                return ImageFormat::Raw;
            return signature.format;
        }
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
    case ImageFormat::JpegXl: return probeJpegXl(bytes);
    case ImageFormat::Jpeg2000: return probeJpeg2000(bytes);
    // Their size is declared deep in the container (HEIF/AVIF item properties, a RAW's maker
    // directories): the decoder reads it through its library and applies the limit there,
    // still before any pixel is allocated.
    case ImageFormat::Heif:
    case ImageFormat::Avif: return ImageHeader{ format, 0, 0 };
    case ImageFormat::Raw: {
        // A TIFF-based RAW reports its first directory's size (often a preview's), which is
        // what a TIFF decoder would show should LibRaw not know the camera.
        if (hasClassicTiffSignature(bytes)) {
            Result<ImageHeader> tiff = probeTiff(bytes);
            if (tiff) {
                tiff->format = ImageFormat::Raw;
                return tiff;
            }
        }
        return ImageHeader{ format, 0, 0 }; // LibRaw reads what the TIFF reading could not
    }
    case ImageFormat::Unknown: break;
    }

    // A file shorter than a signature it starts with is most likely a cut-off image, not
    // something else, and the analyst should hear that.
    const ImageFormat partial = formatOfIncompleteSignature(bytes);
    if (partial != ImageFormat::Unknown) {
        return truncated(QStringLiteral("The file is only %1 bytes long. It starts like a %2 file "
                                        "but ends inside the format signature; it is truncated.")
                             .arg(bytes.size())
                             .arg(imageFormatDisplayName(partial)));
    }
    if (const QString undecoded = undecodedImageFormat(bytes); !undecoded.isEmpty())
        return Result<ImageHeader>::failure(ErrorCode::UnsupportedFormat,
            QStringLiteral("The file is a %1: an image format ForgeLens recognises but does not "
                           "decode. Export it to PNG or TIFF to analyse it (the export is a new "
                           "file, not the evidence).")
                .arg(undecoded));
    return Result<ImageHeader>::failure(ErrorCode::NotAnImage,
        QStringLiteral("The content is not a recognised image format (JPEG, PNG, GIF, BMP, TIFF, "
                       "WebP, HEIF, AVIF, JPEG XL, JPEG 2000 or camera RAW). The format is judged "
                       "from the file's content, not its name."));
}

} // namespace forgelens
