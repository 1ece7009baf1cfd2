#include "forgelens/image/image_header_probe.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTest>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <span>

using forgelens::ImageFormat;
using forgelens::ImageHeader;
using forgelens::Result;

namespace {

// Byte-buffer builders, so every test input is visible in the test itself.
void appendU16Be(QByteArray &out, std::uint32_t value)
{
    out.append(char((value >> 8) & 0xFF));
    out.append(char(value & 0xFF));
}

void appendU16Le(QByteArray &out, std::uint32_t value)
{
    out.append(char(value & 0xFF));
    out.append(char((value >> 8) & 0xFF));
}

void appendU24Le(QByteArray &out, std::uint32_t value)
{
    appendU16Le(out, value & 0xFFFF);
    out.append(char((value >> 16) & 0xFF));
}

void appendU32Be(QByteArray &out, std::uint32_t value)
{
    appendU16Be(out, value >> 16);
    appendU16Be(out, value & 0xFFFF);
}

void appendU32Le(QByteArray &out, std::uint32_t value)
{
    appendU16Le(out, value & 0xFFFF);
    appendU16Le(out, value >> 16);
}

QByteArray bytesOf(std::initializer_list<int> values)
{
    QByteArray out;
    for (const int value : values)
        out.append(char(value));
    return out;
}

// The probe always runs on an exactly sized heap block: a QByteArray keeps a terminating NUL and
// spare capacity behind its data, which would hide a one-byte over-read from AddressSanitizer.
Result<ImageHeader> probeExact(const QByteArray &bytes, qsizetype length)
{
    const auto size = static_cast<std::size_t>(length);
    if (size == 0)
        return forgelens::probeImageHeader({});
    const std::unique_ptr<std::uint8_t[]> block(new std::uint8_t[size]);
    std::memcpy(block.get(), bytes.constData(), size);
    return forgelens::probeImageHeader(std::span<const std::uint8_t>(block.get(), size));
}

Result<ImageHeader> probeExact(const QByteArray &bytes)
{
    return probeExact(bytes, bytes.size());
}

// The error code, or "ok", so a comparison fails readably instead of throwing on success.
QString codeOf(const Result<ImageHeader> &result)
{
    return result.ok() ? QStringLiteral("ok") : result.error().codeName();
}

// A valid header plus the offset just past its last dimension byte: shorter prefixes cannot
// know the size, longer ones must give it.
struct Sample {
    QByteArray bytes;
    int dimsEnd = 0;
};

Sample jpegWithApp0(int width, int height)
{
    QByteArray out = bytesOf({ 0xFF, 0xD8 });
    out += bytesOf({ 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
        0x00, 0x01, 0x00, 0x00 });
    out += bytesOf({ 0xFF, 0xC0, 0x00, 0x11, 0x08 });
    appendU16Be(out, std::uint32_t(height));
    appendU16Be(out, std::uint32_t(width));
    const int dimsEnd = int(out.size());
    out += bytesOf({ 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01 });
    out += bytesOf({ 0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F,
        0x00, 0x12, 0x34, 0xFF, 0xD9 });
    return { out, dimsEnd };
}

// Progressive frame (SOF2) preceded by fill bytes, a DQT, and a DHT whose C4 marker sits in the
// SOFn range and whose payload would read as a bogus size if it were taken for a frame header.
Sample jpegProgressive(int width, int height)
{
    QByteArray out = bytesOf({ 0xFF, 0xD8 });
    out += bytesOf({ 0xFF, 0xDB, 0x00, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04 });
    out += bytesOf({ 0xFF, 0xC4, 0x00, 0x08, 0x00, 0x7F, 0xFF, 0x7F, 0xFF, 0x00 });
    out += bytesOf({ 0xFF, 0xFF, 0xFF, 0xC2, 0x00, 0x0B, 0x08 });
    appendU16Be(out, std::uint32_t(height));
    appendU16Be(out, std::uint32_t(width));
    const int dimsEnd = int(out.size());
    out += bytesOf({ 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9 });
    return { out, dimsEnd };
}

Sample png(std::uint32_t width, std::uint32_t height)
{
    QByteArray out = bytesOf({ 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A });
    appendU32Be(out, 13);
    out += "IHDR";
    appendU32Be(out, width);
    appendU32Be(out, height);
    const int dimsEnd = int(out.size());
    out += bytesOf({ 0x08, 0x06, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78 });
    return { out, dimsEnd };
}

Sample gif(std::uint32_t width, std::uint32_t height)
{
    QByteArray out = "GIF89a";
    appendU16Le(out, width);
    appendU16Le(out, height);
    const int dimsEnd = int(out.size());
    out += bytesOf({ 0x00, 0x00, 0x00, 0x3B });
    return { out, dimsEnd };
}

Sample bmpInfo(std::int32_t width, std::int32_t height)
{
    QByteArray out = "BM";
    appendU32Le(out, 14 + 40 + 16);
    appendU32Le(out, 0);
    appendU32Le(out, 14 + 40);
    appendU32Le(out, 40);
    appendU32Le(out, std::uint32_t(width));
    appendU32Le(out, std::uint32_t(height));
    const int dimsEnd = int(out.size());
    appendU16Le(out, 1); // planes
    appendU16Le(out, 24); // bits per pixel
    for (int i = 0; i < 6; ++i)
        appendU32Le(out, 0);
    out += QByteArray(16, '\x7F');
    return { out, dimsEnd };
}

Sample bmpCore(std::uint32_t width, std::uint32_t height)
{
    QByteArray out = "BM";
    appendU32Le(out, 14 + 12);
    appendU32Le(out, 0);
    appendU32Le(out, 14 + 12);
    appendU32Le(out, 12);
    appendU16Le(out, width);
    appendU16Le(out, height);
    const int dimsEnd = int(out.size());
    appendU16Le(out, 1);
    appendU16Le(out, 24);
    return { out, dimsEnd };
}

enum class TiffType : std::uint16_t { Short = 3, Long = 4 };

struct TiffEntry {
    std::uint16_t tag;
    std::uint16_t type;
    std::uint32_t count;
    std::uint32_t value;
};

// Header, 8 bytes of stand-in pixel data, then the IFD, so the IFD offset is not trivially 8.
QByteArray tiff(
    bool littleEndian, std::initializer_list<TiffEntry> entries, std::uint32_t ifdOffset = 16)
{
    const auto u16 = [&](QByteArray &out, std::uint32_t v) {
        littleEndian ? appendU16Le(out, v) : appendU16Be(out, v);
    };
    const auto u32 = [&](QByteArray &out, std::uint32_t v) {
        littleEndian ? appendU32Le(out, v) : appendU32Be(out, v);
    };
    QByteArray out = littleEndian ? QByteArray("II") : QByteArray("MM");
    u16(out, 42);
    u32(out, ifdOffset);
    out += QByteArray(8, '\x55');
    u16(out, std::uint32_t(entries.size()));
    for (const TiffEntry &entry : entries) {
        u16(out, entry.tag);
        u16(out, entry.type);
        u32(out, entry.count);
        // A SHORT value is left-justified in the 4-byte field in both byte orders.
        if (entry.type == std::uint16_t(TiffType::Short)) {
            u16(out, entry.value);
            u16(out, 0);
        } else {
            u32(out, entry.value);
        }
    }
    u32(out, 0); // no next IFD
    return out;
}

Sample tiffImage(bool littleEndian, TiffType type, std::uint32_t width, std::uint32_t height)
{
    const auto t = std::uint16_t(type);
    const QByteArray out = tiff(littleEndian,
        { { 254, 4, 1, 0 }, { 256, t, 1, width }, { 257, t, 1, height }, { 259, 3, 1, 1 } });
    return { out, 16 + 2 + 3 * 12 };
}

QByteArray riffWebP(const char *chunkName, std::uint32_t chunkSize, const QByteArray &payload)
{
    QByteArray out = "RIFF";
    appendU32Le(out, std::uint32_t(4 + 8 + payload.size()));
    out += "WEBP";
    out += chunkName;
    appendU32Le(out, chunkSize);
    out += payload;
    return out;
}

QByteArray vp8Payload(std::uint32_t widthField, std::uint32_t heightField,
    std::initializer_list<int> frameTag = { 0x30, 0x01, 0x00 },
    std::initializer_list<int> startCode = { 0x9D, 0x01, 0x2A })
{
    QByteArray payload = bytesOf(frameTag) + bytesOf(startCode);
    appendU16Le(payload, widthField);
    appendU16Le(payload, heightField);
    payload += bytesOf({ 0x00, 0x00, 0x00, 0x00 });
    return payload;
}

Sample webpLossy(std::uint32_t widthField, std::uint32_t heightField)
{
    const QByteArray payload = vp8Payload(widthField, heightField);
    return { riffWebP("VP8 ", std::uint32_t(payload.size()), payload), 30 };
}

QByteArray vp8lPayload(std::uint32_t bits, int signature = 0x2F)
{
    QByteArray payload = bytesOf({ signature });
    appendU32Le(payload, bits);
    payload += bytesOf({ 0x00, 0x00, 0x00 });
    return payload;
}

Sample webpLossless(std::uint32_t width, std::uint32_t height)
{
    // 14 bits width-1, 14 bits height-1, alpha hint set, version 0.
    const std::uint32_t bits = (width - 1) | ((height - 1) << 14) | (1u << 28);
    const QByteArray payload = vp8lPayload(bits);
    return { riffWebP("VP8L", std::uint32_t(payload.size()), payload), 25 };
}

Sample webpExtended(std::uint32_t width, std::uint32_t height)
{
    QByteArray payload = bytesOf({ 0x10, 0x00, 0x00, 0x00 });
    appendU24Le(payload, width - 1);
    appendU24Le(payload, height - 1);
    return { riffWebP("VP8X", 10, payload), 30 };
}

} // namespace

class TestImageHeaderProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validHeaders_data();
    void validHeaders();
    void everyPrefixIsTruncatedOrComplete_data();
    void everyPrefixIsTruncatedOrComplete();
    void failures_data();
    void failures();
    void messagesSpeakPlainly();
    void mutatedHeadersNeverMisbehave_data();
    void mutatedHeadersNeverMisbehave();
    void longMarkerRunsTerminate();
    void sniffNeedsOnlyTheSignature();
    void formatNames_data();
    void formatNames();
};

void TestImageHeaderProbe::validHeaders_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("dimsEnd");
    QTest::addColumn<ImageFormat>("format");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");

    const auto add
        = [](const char *name, const Sample &sample, ImageFormat format, int width, int height) {
              QTest::newRow(name) << sample.bytes << sample.dimsEnd << format << width << height;
          };
    add("jpeg app0 + sof0", jpegWithApp0(640, 480), ImageFormat::Jpeg, 640, 480);
    add("jpeg dqt + dht + fill + sof2", jpegProgressive(4032, 3024), ImageFormat::Jpeg, 4032, 3024);
    add("png", png(1920, 1080), ImageFormat::Png, 1920, 1080);
    add("png max dimension", png(0x7FFFFFFF, 1), ImageFormat::Png, 0x7FFFFFFF, 1);
    add("gif", gif(320, 200), ImageFormat::Gif, 320, 200);
    add("bmp info header, top-down", bmpInfo(800, -600), ImageFormat::Bmp, 800, 600);
    add("bmp info header, bottom-up", bmpInfo(17, 5), ImageFormat::Bmp, 17, 5);
    add("bmp os/2 core header", bmpCore(64, 48), ImageFormat::Bmp, 64, 48);
    add("tiff II short", tiffImage(true, TiffType::Short, 3000, 2000), ImageFormat::Tiff, 3000,
        2000);
    add("tiff II long", tiffImage(true, TiffType::Long, 70000, 50000), ImageFormat::Tiff, 70000,
        50000);
    add("tiff MM short", tiffImage(false, TiffType::Short, 1234, 567), ImageFormat::Tiff, 1234,
        567);
    add("tiff MM long", tiffImage(false, TiffType::Long, 100000, 3), ImageFormat::Tiff, 100000, 3);
    // The top two bits of each VP8 field are a scaling hint and must be masked off.
    add("webp vp8", webpLossy(0xC000 | 1024, 0x4000 | 768), ImageFormat::WebP, 1024, 768);
    add("webp vp8l", webpLossless(16384, 1), ImageFormat::WebP, 16384, 1);
    add("webp vp8x", webpExtended(16777216, 9000), ImageFormat::WebP, 16777216, 9000);
}

void TestImageHeaderProbe::validHeaders()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ImageFormat, format);
    QFETCH(int, width);
    QFETCH(int, height);

    const Result<ImageHeader> result = probeExact(bytes);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(result->format, format);
    QCOMPARE(result->width, width);
    QCOMPARE(result->height, height);

    const auto *data = reinterpret_cast<const std::uint8_t *>(bytes.constData());
    QCOMPARE(forgelens::sniffImageFormat({ data, std::size_t(bytes.size()) }), format);
}

void TestImageHeaderProbe::everyPrefixIsTruncatedOrComplete_data()
{
    validHeaders_data();
}

void TestImageHeaderProbe::everyPrefixIsTruncatedOrComplete()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, dimsEnd);
    QFETCH(ImageFormat, format);
    QFETCH(int, width);
    QFETCH(int, height);

    for (qsizetype length = 0; length <= bytes.size(); ++length) {
        const Result<ImageHeader> result = probeExact(bytes, length);
        const QByteArray where = "prefix length " + QByteArray::number(length);
        if (length == 0) {
            QVERIFY2(!result.ok(), where.constData());
            QCOMPARE(result.error().codeName(), QStringLiteral("empty-file"));
        } else if (length < dimsEnd) {
            // Anything but "truncated" here would be a size read from missing bytes, or an
            // intact-but-short header blamed on its content.
            QVERIFY2(!result.ok(), where.constData());
            QCOMPARE(result.error().codeName(), QStringLiteral("truncated"));
            QVERIFY2(!result.error().message.isEmpty(), where.constData());
        } else {
            QVERIFY2(result.ok(), where.constData());
            QCOMPARE(result->format, format);
            QCOMPARE(result->width, width);
            QCOMPARE(result->height, height);
        }
    }
}

void TestImageHeaderProbe::failures_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("code");

    const QString empty = QStringLiteral("empty-file");
    const QString notImage = QStringLiteral("not-an-image");
    const QString truncated = QStringLiteral("truncated");
    const QString bad = QStringLiteral("bad-header");

    QTest::newRow("empty") << QByteArray() << empty;
    QTest::newRow("text") << QByteArray("Lorem ipsum dolor sit amet, consectetur adipiscing.")
                          << notImage;
    QTest::newRow("one zero byte") << bytesOf({ 0x00 }) << notImage;
    QTest::newRow("riff wave") << QByteArray("RIFF\x24\x00\x00\x00WAVEfmt ", 16) << notImage;
    QTest::newRow("jpeg without third ff") << bytesOf({ 0xFF, 0xD8, 0x00, 0xE0 }) << notImage;
    QTest::newRow("lone signature byte") << bytesOf({ 0x89 }) << truncated;

    const QByteArray soi = bytesOf({ 0xFF, 0xD8 });
    QTest::newRow("jpeg segment length 0")
        << soi + bytesOf({ 0xFF, 0xE0, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11 }) << bad;
    QTest::newRow("jpeg segment length 1")
        << soi + bytesOf({ 0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xC0, 0x00, 0x11 }) << bad;
    QTest::newRow("jpeg sos before sof") << soi
            + bytesOf({ 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0xFF, 0xC0,
                0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00 })
                                         << bad;
    QTest::newRow("jpeg eoi before sof") << soi + bytesOf({ 0xFF, 0xD9, 0x00, 0x00 }) << bad;
    QTest::newRow("jpeg sof height 0 (dnl)")
        << soi + bytesOf({ 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x00, 0x00, 0x10, 0x01, 0x01, 0x11 })
        << bad;
    QTest::newRow("jpeg sof width 0")
        << soi + bytesOf({ 0xFF, 0xC1, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x00, 0x01, 0x01, 0x11 })
        << bad;
    QTest::newRow("jpeg sof too short for size")
        << soi + bytesOf({ 0xFF, 0xC0, 0x00, 0x05, 0x08, 0x00, 0x10, 0x00, 0x10 }) << bad;
    QTest::newRow("jpeg segment runs past end")
        << soi + bytesOf({ 0xFF, 0xE0, 0x40, 0x00, 0x00, 0x00 }) << truncated;
    QTest::newRow("jpeg only soi and markers")
        << soi + bytesOf({ 0xFF, 0xD0, 0xFF, 0x01, 0xFF, 0xFF }) << truncated;

    const Sample goodPng = png(10, 10);
    QTest::newRow("png width 0") << png(0, 10).bytes << bad;
    QTest::newRow("png height 0") << png(10, 0).bytes << bad;
    QTest::newRow("png width over 2^31-1") << png(0x80000000u, 10).bytes << bad;
    QByteArray pngNotIhdr = goodPng.bytes;
    pngNotIhdr.replace(12, 4, "IDAT");
    QTest::newRow("png first chunk not ihdr") << pngNotIhdr << bad;
    QByteArray pngShortIhdr = goodPng.bytes;
    pngShortIhdr[11] = 12;
    QTest::newRow("png ihdr length 12") << pngShortIhdr << bad;

    QTest::newRow("gif width 0") << gif(0, 10).bytes << bad;
    QTest::newRow("gif height 0") << gif(10, 0).bytes << bad;
    QTest::newRow("gif87a short") << QByteArray("GIF87a\x01\x00\x01", 9) << truncated;

    QTest::newRow("bmp width 0") << bmpInfo(0, 10).bytes << bad;
    QTest::newRow("bmp width negative") << bmpInfo(-10, 10).bytes << bad;
    QTest::newRow("bmp height 0") << bmpInfo(10, 0).bytes << bad;
    QTest::newRow("bmp height int32 min")
        << bmpInfo(10, std::numeric_limits<std::int32_t>::min()).bytes << bad;
    QByteArray bmpOddHeader = bmpInfo(10, 10).bytes;
    bmpOddHeader[14] = 20;
    QTest::newRow("bmp header size 20") << bmpOddHeader << bad;
    QTest::newRow("bmp core width 0") << bmpCore(0, 5).bytes << bad;

    const auto s = std::uint16_t(TiffType::Short);
    const auto l = std::uint16_t(TiffType::Long);
    QTest::newRow("tiff ifd offset past end")
        << tiff(true, { { 256, s, 1, 10 }, { 257, s, 1, 10 } }, 0x10000) << truncated;
    QTest::newRow("tiff ifd offset 0xffffffff")
        << tiff(false, { { 256, s, 1, 10 }, { 257, s, 1, 10 } }, 0xFFFFFFFFu) << truncated;
    QTest::newRow("tiff ifd offset inside header")
        << tiff(true, { { 256, s, 1, 10 }, { 257, s, 1, 10 } }, 4) << bad;
    QTest::newRow("tiff no image length")
        << tiff(true, { { 256, s, 1, 10 }, { 259, s, 1, 1 } }) << bad;
    QTest::newRow("tiff no image width") << tiff(false, { { 257, l, 1, 10 } }) << bad;
    QTest::newRow("tiff empty ifd") << tiff(true, {}) << bad;
    QTest::newRow("tiff ascii width")
        << tiff(true, { { 256, 2, 1, 10 }, { 257, s, 1, 10 } }) << bad;
    QTest::newRow("tiff width count 2")
        << tiff(false, { { 256, s, 2, 10 }, { 257, s, 1, 10 } }) << bad;
    QTest::newRow("tiff width 0") << tiff(true, { { 256, l, 1, 0 }, { 257, l, 1, 10 } }) << bad;
    QTest::newRow("tiff width over 2^31-1")
        << tiff(false, { { 256, l, 1, 0x80000000u }, { 257, l, 1, 10 } }) << bad;
    QByteArray tiffCutIfd = tiffImage(true, TiffType::Long, 10, 10).bytes;
    tiffCutIfd[16] = char(0xFF); // entry count far beyond the entries present, before the tags
    tiffCutIfd[17] = char(0xFF);
    tiffCutIfd.replace(18 + 12, 2, bytesOf({ 0x01, 0x00 }));
    tiffCutIfd.replace(18 + 24, 2, bytesOf({ 0x01, 0x00 }));
    QTest::newRow("tiff entry count past end") << tiffCutIfd << truncated;
    QTest::newRow("bigtiff II") << bytesOf({ 'I', 'I', 0x2B, 0x00, 0x08, 0x00, 0x00, 0x00, 0x10,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 })
                                << QStringLiteral("unsupported-format");
    QTest::newRow("bigtiff MM") << bytesOf({ 'M', 'M', 0x00, 0x2B, 0x00, 0x08 })
                                << QStringLiteral("unsupported-format");

    QTest::newRow("webp unknown first chunk") << riffWebP("ALPH", 10, QByteArray(10, '\0')) << bad;
    QTest::newRow("webp control chars in chunk name")
        << riffWebP("\x01\n\x1b\x7f", 10, QByteArray(10, '\0')) << bad;
    QTest::newRow("webp vp8 without start code")
        << riffWebP("VP8 ", 14, vp8Payload(10, 10, { 0x30, 0x01, 0x00 }, { 0x9D, 0x01, 0x2B }))
        << bad;
    QTest::newRow("webp vp8 not a key frame")
        << riffWebP("VP8 ", 14, vp8Payload(10, 10, { 0x31, 0x01, 0x00 })) << bad;
    QTest::newRow("webp vp8 width masks to 0") << webpLossy(0xC000, 10).bytes << bad;
    QTest::newRow("webp vp8 chunk size 4") << riffWebP("VP8 ", 4, vp8Payload(10, 10)) << bad;
    QTest::newRow("webp vp8l bad signature") << riffWebP("VP8L", 8, vp8lPayload(0, 0x2E)) << bad;
    QTest::newRow("webp vp8l version 1") << riffWebP("VP8L", 8, vp8lPayload(1u << 29)) << bad;
    QTest::newRow("webp vp8x chunk size 5") << riffWebP("VP8X", 5, QByteArray(10, '\0')) << bad;
    QTest::newRow("webp no chunk") << QByteArray("RIFF\x04\x00\x00\x00WEBP", 12) << truncated;
}

void TestImageHeaderProbe::failures()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, code);

    const Result<ImageHeader> result = probeExact(bytes);
    QVERIFY2(!result.ok(), "a broken header must not yield a size");
    QCOMPARE(result.error().codeName(), code);
    QVERIFY(!result.error().message.isEmpty());
}

void TestImageHeaderProbe::messagesSpeakPlainly()
{
    const Result<ImageHeader> text = probeExact(QByteArray("plain text, not pixels"));
    QVERIFY(!text.ok());
    const QString notImage = text.error().message;
    QVERIFY2(
        notImage.contains(QStringLiteral("not a recognised image format")), qPrintable(notImage));
    for (const char *name : { "JPEG", "PNG", "GIF", "BMP", "TIFF", "WebP" })
        QVERIFY2(notImage.contains(QLatin1String(name)), name);

    const Sample jpeg = jpegWithApp0(8, 8);
    const Result<ImageHeader> cut = probeExact(jpeg.bytes, 10);
    QVERIFY(!cut.ok());
    QCOMPARE(cut.error().message,
        QStringLiteral("The JPEG file ends before its frame header (SOF) could be read; it "
                       "is truncated."));

    // Bytes from the file must not smuggle control characters into a report.
    const Result<ImageHeader> webp
        = probeExact(riffWebP("\x01\n\x1b\x7f", 10, QByteArray(10, '\0')));
    QVERIFY(!webp.ok());
    for (const QChar c : webp.error().message)
        QVERIFY2(c.unicode() >= 0x20 && c.unicode() < 0x7F, qPrintable(webp.error().message));
    QVERIFY2(webp.error().message.contains(QStringLiteral("01 0A 1B 7F")),
        qPrintable(webp.error().message));
}

void TestImageHeaderProbe::mutatedHeadersNeverMisbehave_data()
{
    validHeaders_data();
}

void TestImageHeaderProbe::mutatedHeadersNeverMisbehave()
{
    QFETCH(QByteArray, bytes);

    // Deterministic so a failure reproduces; seeded per row so rows differ.
    std::mt19937 random(static_cast<std::uint32_t>(qHash(QByteArray(QTest::currentDataTag()))));
    std::uniform_int_distribution<int> byteValue(0, 255);
    std::uniform_int_distribution<qsizetype> position(0, bytes.size() - 1);
    std::uniform_int_distribution<qsizetype> length(1, bytes.size());
    const QStringList allowed = { QStringLiteral("not-an-image"), QStringLiteral("truncated"),
        QStringLiteral("bad-header"), QStringLiteral("unsupported-format") };

    for (int round = 0; round < 3000; ++round) {
        QByteArray mutated = bytes;
        const int flips = 1 + round % 4;
        for (int i = 0; i < flips; ++i)
            mutated[position(random)] = char(byteValue(random));
        const Result<ImageHeader> result = probeExact(mutated, length(random));
        if (result.ok()) {
            QVERIFY(result->format != ImageFormat::Unknown);
            // HEIF, AVIF and non-TIFF RAWs are identified with their size left to the library.
            const bool sizeFromLibrary = result->format == ImageFormat::Heif
                || result->format == ImageFormat::Avif || result->format == ImageFormat::Raw;
            QVERIFY(result->width > 0 || (sizeFromLibrary && result->width == 0));
            QVERIFY(result->height > 0 || (sizeFromLibrary && result->height == 0));
        } else {
            QVERIFY2(
                allowed.contains(result.error().codeName()), qPrintable(result.error().codeName()));
            QVERIFY(!result.error().message.isEmpty());
        }
    }
}

void TestImageHeaderProbe::longMarkerRunsTerminate()
{
    constexpr qsizetype size = 4 * 1024 * 1024;
    const QByteArray soi = bytesOf({ 0xFF, 0xD8, 0xFF });

    const QByteArray fill = soi + QByteArray(size, '\xFF');
    QCOMPARE(codeOf(probeExact(fill)), QStringLiteral("truncated"));

    const QByteArray stray = soi + QByteArray(size, '\x00');
    QCOMPARE(codeOf(probeExact(stray)), QStringLiteral("truncated"));

    // Many minimal comment segments (FF FE 00 02) before the end of the file.
    const QByteArray comments
        = bytesOf({ 0xFF, 0xD8 }) + bytesOf({ 0xFF, 0xFE, 0x00, 0x02 }).repeated(size / 4);
    QCOMPARE(codeOf(probeExact(comments)), QStringLiteral("truncated"));
}

void TestImageHeaderProbe::sniffNeedsOnlyTheSignature()
{
    const auto sniff = [](const QByteArray &bytes) {
        const auto *data = reinterpret_cast<const std::uint8_t *>(bytes.constData());
        return forgelens::sniffImageFormat({ data, std::size_t(bytes.size()) });
    };
    QCOMPARE(sniff(QByteArray()), ImageFormat::Unknown);
    QCOMPARE(sniff(bytesOf({ 0xFF, 0xD8, 0xFF })), ImageFormat::Jpeg);
    QCOMPARE(sniff(bytesOf({ 0xFF, 0xD8 })), ImageFormat::Unknown);
    QCOMPARE(sniff(png(1, 1).bytes.left(8)), ImageFormat::Png);
    QCOMPARE(sniff(QByteArray("GIF87a")), ImageFormat::Gif);
    QCOMPARE(sniff(QByteArray("GIF88a")), ImageFormat::Unknown);
    QCOMPARE(sniff(QByteArray("BM")), ImageFormat::Bmp);
    QCOMPARE(sniff(QByteArray("MM\0*", 4)), ImageFormat::Tiff);
    QCOMPARE(sniff(QByteArray("II*\0", 4)), ImageFormat::Tiff);
    QCOMPARE(sniff(QByteArray("RIFF\xff\xff\xff\xffWEBP", 12)), ImageFormat::WebP);
    QCOMPARE(sniff(QByteArray("RIFF\xff\xff\xff\xffWEB", 11)), ImageFormat::Unknown);
    QCOMPARE(sniff(QByteArray("RIFF\xff\xff\xff\xff"
                              "AVI ",
                 12)),
        ImageFormat::Unknown);
}

void TestImageHeaderProbe::formatNames_data()
{
    QTest::addColumn<ImageFormat>("format");
    QTest::addColumn<QString>("name");
    QTest::newRow("unknown") << ImageFormat::Unknown << QStringLiteral("unknown");
    QTest::newRow("jpeg") << ImageFormat::Jpeg << QStringLiteral("jpeg");
    QTest::newRow("png") << ImageFormat::Png << QStringLiteral("png");
    QTest::newRow("gif") << ImageFormat::Gif << QStringLiteral("gif");
    QTest::newRow("bmp") << ImageFormat::Bmp << QStringLiteral("bmp");
    QTest::newRow("tiff") << ImageFormat::Tiff << QStringLiteral("tiff");
    QTest::newRow("webp") << ImageFormat::WebP << QStringLiteral("webp");
}

void TestImageHeaderProbe::formatNames()
{
    QFETCH(ImageFormat, format);
    QFETCH(QString, name);
    QCOMPARE(forgelens::imageFormatName(format), name);
}

QTEST_GUILESS_MAIN(TestImageHeaderProbe)
#include "tst_image_header_probe.moc"
