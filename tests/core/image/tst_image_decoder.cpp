#include "forgelens/image/evidence_image.h"
#include "forgelens/image/file_digest.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/metadata/metadata_report.h"
#include "metadata_fixtures.h"

#include <exiv2/exiv2.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <vector>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

QString fixture(const char *name)
{
    return QStringLiteral(FORGELENS_FIXTURES_DIR "/images/") + QLatin1String(name);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

Result<DecodedImage> decodeBytes(const QByteArray &bytes, const DecodeLimits &limits = {})
{
    return decodeImage(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) },
        limits);
}

Result<DecodedImage> decodeFile(const QString &path, const DecodeLimits &limits = {})
{
    return decodeBytes(readAll(path), limits);
}

struct Rgb {
    int r, g, b;
};

Rgb pixelAt(const DecodedImage &image, int x, int y)
{
    const unsigned char *p = image.constData() + (qsizetype(y) * image.width + x) * 3;
    return { p[0], p[1], p[2] };
}

bool near(Rgb actual, Rgb expected, int tolerance)
{
    return std::abs(actual.r - expected.r) <= tolerance
        && std::abs(actual.g - expected.g) <= tolerance
        && std::abs(actual.b - expected.b) <= tolerance;
}

// A JPEG of `size` made by Qt's writer (progressive when asked).
QByteArray encodedJpeg(QSize size, bool progressive)
{
    QImage image(size, QImage::Format_RGB888);
    for (int y = 0; y < size.height(); ++y) {
        for (int x = 0; x < size.width(); ++x)
            image.setPixel(x, y, qRgb((x * 13) % 256, (y * 7) % 256, (x + y) % 256));
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "jpeg");
    writer.setProgressiveScanWrite(progressive);
    writer.write(image);
    return bytes;
}

// The offset of the first marker `code` (FF code) that starts a segment.
qsizetype markerOffset(const QByteArray &jpeg, unsigned char code, qsizetype from = 2)
{
    for (qsizetype at = from; at + 1 < jpeg.size(); ++at) {
        if (uchar(jpeg[at]) == 0xFF && uchar(jpeg[at + 1]) == code)
            return at;
    }
    return -1;
}

constexpr Rgb kRed{ 255, 0, 0 };
constexpr Rgb kGreen{ 0, 255, 0 };
constexpr Rgb kBlue{ 0, 0, 255 };
constexpr Rgb kWhite{ 255, 255, 255 };

} // namespace

class TestImageDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void losslessFormatsDecodeToTheSamePixels_data();
    void losslessFormatsDecodeToTheSamePixels();
    void greyPngBecomesThreeEqualChannels();
    void decodingInPlaceGivesOpenCvsPixels_data();
    void decodingInPlaceGivesOpenCvsPixels();
    void pixelTargetGetsTheSamePixels_data();
    void pixelTargetGetsTheSamePixels();
    void jpegVariantsKeepTheirColours_data();
    void jpegVariantsKeepTheirColours();
    void exifOrientationIsApplied_data();
    void exifOrientationIsApplied();
    void everyExifOrientationIsApplied_data();
    void everyExifOrientationIsApplied();
    void jpegQuirksThatDecodersAcceptStillDecode();
    void cutOffFilesAreTruncated_data();
    void cutOffFilesAreTruncated();
    void badFilesGiveClearErrors_data();
    void badFilesGiveClearErrors();
    void pixelLimitIsCheckedFromTheHeader();
    void jpegsThatCannotHoldTheirPixelsAreRefused();
    void jpegsWithThousandsOfScansAreRefused();
    void otherKnownSlowInputsFinish();
    void digestsMatchKnownVectors();
    void evidenceIsHashedAndLeftUntouched();
    void evidenceErrorsNameTheProblem();
};

void TestImageDecoder::losslessFormatsDecodeToTheSamePixels_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::newRow("bmp") << fixture("pattern.bmp") << "bmp";
    QTest::newRow("gif") << fixture("pattern.gif") << "gif";
    QTest::newRow("tiff") << fixture("pattern.tiff") << "tiff";
    QTest::newRow("webp lossless") << fixture("pattern_lossless.webp") << "webp";
    QTest::newRow("png palette") << fixture("pattern_palette.png") << "png";
    QTest::newRow("png rgba") << fixture("pattern_rgba.png") << "png";
    QTest::newRow("png 16-bit") << fixture("pattern_16bit.png") << "png";
}

void TestImageDecoder::losslessFormatsDecodeToTheSamePixels()
{
    QFETCH(QString, file);
    QFETCH(QString, format);
    const Result<DecodedImage> reference = decodeFile(fixture("pattern.png"));
    QVERIFY2(reference.ok(), qPrintable(reference.ok() ? QString() : reference.error().message));
    const Result<DecodedImage> decoded = decodeFile(file);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
    QCOMPARE(imageFormatName(decoded->format), format);
    QCOMPARE(decoded->width, 48);
    QCOMPARE(decoded->height, 32);
    QCOMPARE(decoded->orientation, 1);
    QCOMPARE(decoded->rgb.size(), qsizetype(48 * 32 * 3));
    QVERIFY(decoded->rgb == reference->rgb);
}

void TestImageDecoder::decodingInPlaceGivesOpenCvsPixels_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("jpeg baseline") << fixture("pattern_baseline.jpg");
    QTest::newRow("jpeg progressive") << fixture("pattern_progressive.jpg");
    QTest::newRow("jpeg cmyk") << fixture("pattern_cmyk.jpg");
    QTest::newRow("png 16-bit") << fixture("pattern_16bit.png");
    QTest::newRow("png grey") << fixture("pattern_grey.png");
    QTest::newRow("png palette") << fixture("pattern_palette.png");
    QTest::newRow("webp lossless") << fixture("pattern_lossless.webp");
    QTest::newRow("tiff") << fixture("pattern.tiff");
}

// An upright image is decoded straight into its destination and its channels are swapped there:
// the bytes must be exactly those of a decode into a matrix of OpenCV's own, converted to RGB.
void TestImageDecoder::decodingInPlaceGivesOpenCvsPixels()
{
    QFETCH(QString, file);
    const QByteArray bytes = readAll(file);
    const cv::Mat encoded(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
    const cv::Mat bgr = cv::imdecode(encoded, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    QVERIFY(!bgr.empty());
    cv::Mat expected;
    cv::cvtColor(bgr, expected, cv::COLOR_BGR2RGB);

    const Result<DecodedImage> decoded = decodeBytes(bytes);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
    QCOMPARE(decoded->orientation, 1);
    QCOMPARE(decoded->width, expected.cols);
    QCOMPARE(decoded->height, expected.rows);
    QVERIFY(expected.isContinuous());
    QCOMPARE(decoded->rgb,
        QByteArray(reinterpret_cast<const char *>(expected.data),
            qsizetype(expected.total() * expected.elemSize())));
}

void TestImageDecoder::pixelTargetGetsTheSamePixels_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("mode");
    QTest::newRow("png") << fixture("pattern.png") << int(DecodeMode::Strict);
    QTest::newRow("jpeg") << fixture("pattern_progressive.jpg") << int(DecodeMode::Strict);
    QTest::newRow("jpeg rotated by EXIF")
        << fixture("pattern_orient6.jpg") << int(DecodeMode::Strict);
    QTest::newRow("truncated jpeg salvaged")
        << fixture("truncated.jpg") << int(DecodeMode::Salvage);
}

// The sandbox's worker decodes into the memory it shares with the analysing process: the bytes
// there must be exactly those of an ordinary decode, and memory too small must be left alone.
void TestImageDecoder::pixelTargetGetsTheSamePixels()
{
    QFETCH(QString, file);
    QFETCH(int, mode);
    const QByteArray bytes = readAll(file);
    const std::span<const std::uint8_t> view(
        reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()));
    const Result<DecodedImage> plain = decodeImage(view, {}, DecodeMode(mode));
    QVERIFY(plain.ok());
    QVERIFY(!plain->rgb.isEmpty());

    std::vector<unsigned char> target(size_t(plain->rgb.size()) + 16, 0xA5);
    const Result<DecodedImage> direct = decodeImage(
        view, {}, DecodeMode(mode), PixelTarget{ target.data(), qint64(target.size()) });
    QVERIFY(direct.ok());
    QVERIFY(direct->rgb.isEmpty());
    QCOMPARE(direct->width, plain->width);
    QCOMPARE(direct->height, plain->height);
    QCOMPARE(direct->truncated, plain->truncated);
    QCOMPARE(
        QByteArray(reinterpret_cast<const char *>(target.data()), plain->rgb.size()), plain->rgb);
    QCOMPARE(target.back(), static_cast<unsigned char>(0xA5)); // nothing written past the image

    std::vector<unsigned char> small(size_t(plain->rgb.size()) - 1, 0xA5);
    const Result<DecodedImage> fallback = decodeImage(
        view, {}, DecodeMode(mode), PixelTarget{ small.data(), qint64(small.size()) });
    QVERIFY(fallback.ok());
    QCOMPARE(fallback->rgb, plain->rgb);
    QVERIFY(std::all_of(small.begin(), small.end(), [](unsigned char v) { return v == 0xA5; }));
}

void TestImageDecoder::greyPngBecomesThreeEqualChannels()
{
    const Result<DecodedImage> decoded = decodeFile(fixture("pattern_grey.png"));
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->width, 48);
    for (int y = 0; y < decoded->height; ++y) {
        for (int x = 0; x < decoded->width; ++x) {
            const Rgb p = pixelAt(*decoded, x, y);
            QVERIFY(p.r == p.g && p.g == p.b);
        }
    }
    // PIL's luma of pure red: (19595 * 255 + 32768) >> 16 = 76.
    QCOMPARE(pixelAt(*decoded, 12, 8).r, 76);
}

void TestImageDecoder::jpegVariantsKeepTheirColours_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("baseline") << fixture("pattern_baseline.jpg");
    QTest::newRow("progressive 4:2:0") << fixture("pattern_progressive.jpg");
    QTest::newRow("cmyk (Adobe)") << fixture("pattern_cmyk.jpg");
}

void TestImageDecoder::jpegVariantsKeepTheirColours()
{
    QFETCH(QString, file);
    const Result<DecodedImage> decoded = decodeFile(file);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
    QCOMPARE(decoded->format, ImageFormat::Jpeg);
    QCOMPARE(decoded->width, 48);
    QCOMPARE(decoded->height, 32);
    // Quadrant centres: a CMYK file decoded as if it were RGB (or with inverted ink) fails.
    QVERIFY(near(pixelAt(*decoded, 12, 8), kRed, 16));
    QVERIFY(near(pixelAt(*decoded, 36, 8), kGreen, 16));
    QVERIFY(near(pixelAt(*decoded, 12, 24), kBlue, 16));
    QVERIFY(near(pixelAt(*decoded, 36, 24), kWhite, 16));
}

void TestImageDecoder::exifOrientationIsApplied_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("orientation");
    QTest::addColumn<QList<int>>("corners"); // TL, TR, BL, BR as indexes into the palette
    // Stored: red TL, green TR, blue BL, white BR. 6 = rotate 90° clockwise to display.
    QTest::newRow("orientation 6")
        << fixture("pattern_orient6.jpg") << 6 << QList<int>{ 2, 0, 3, 1 };
    QTest::newRow("orientation 8")
        << fixture("pattern_orient8.jpg") << 8 << QList<int>{ 1, 3, 0, 2 };
}

void TestImageDecoder::exifOrientationIsApplied()
{
    QFETCH(QString, file);
    QFETCH(int, orientation);
    QFETCH(QList<int>, corners);
    const Result<DecodedImage> decoded = decodeFile(file);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->orientation, orientation);
    QCOMPARE(decoded->storedWidth, 48);
    QCOMPARE(decoded->storedHeight, 32);
    QCOMPARE(decoded->width, 32);
    QCOMPARE(decoded->height, 48);
    const Rgb palette[] = { kRed, kGreen, kBlue, kWhite };
    QVERIFY(near(pixelAt(*decoded, 8, 12), palette[corners[0]], 16));
    QVERIFY(near(pixelAt(*decoded, 24, 12), palette[corners[1]], 16));
    QVERIFY(near(pixelAt(*decoded, 8, 36), palette[corners[2]], 16));
    QVERIFY(near(pixelAt(*decoded, 24, 36), palette[corners[3]], 16));
}

void TestImageDecoder::everyExifOrientationIsApplied_data()
{
    QTest::addColumn<int>("orientation");
    QTest::addColumn<QList<int>>("corners"); // displayed TL, TR, BL, BR as palette indexes
    // Stored: red TL, green TR, blue BL, white BR (palette order). The EXIF 2.3 meanings:
    QTest::newRow("1 as stored") << 1 << QList<int>{ 0, 1, 2, 3 };
    QTest::newRow("2 mirrored left-right") << 2 << QList<int>{ 1, 0, 3, 2 };
    QTest::newRow("3 rotated 180") << 3 << QList<int>{ 3, 2, 1, 0 };
    QTest::newRow("4 mirrored top-bottom") << 4 << QList<int>{ 2, 3, 0, 1 };
    QTest::newRow("5 transposed") << 5 << QList<int>{ 0, 2, 1, 3 };
    QTest::newRow("6 rotated clockwise") << 6 << QList<int>{ 2, 0, 3, 1 };
    QTest::newRow("7 transversed") << 7 << QList<int>{ 3, 1, 2, 0 };
    QTest::newRow("8 rotated anticlockwise") << 8 << QList<int>{ 1, 3, 0, 2 };
}

void TestImageDecoder::everyExifOrientationIsApplied()
{
    QFETCH(int, orientation);
    QFETCH(QList<int>, corners);
    // Tag a temporary copy with Exiv2's writer (never a fixture itself).
    QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("tagged.jpg"));
    QVERIFY(QFile::copy(fixture("pattern_baseline.jpg"), copy));
    QVERIFY(QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    auto image = Exiv2::ImageFactory::open(copy.toStdString());
    image->readMetadata();
    Exiv2::ExifData exif;
    exif["Exif.Image.Orientation"] = std::uint16_t(orientation);
    image->setExifData(exif);
    image->writeMetadata();

    const Result<DecodedImage> decoded = decodeFile(copy);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->orientation, orientation);
    const bool turned = orientation >= 5;
    QCOMPARE(decoded->width, turned ? 32 : 48);
    QCOMPARE(decoded->height, turned ? 48 : 32);
    const int w = decoded->width;
    const int h = decoded->height;
    const Rgb palette[] = { kRed, kGreen, kBlue, kWhite };
    QVERIFY(near(pixelAt(*decoded, w / 4, h / 4), palette[corners[0]], 16));
    QVERIFY(near(pixelAt(*decoded, 3 * w / 4, h / 4), palette[corners[1]], 16));
    QVERIFY(near(pixelAt(*decoded, w / 4, 3 * h / 4), palette[corners[2]], 16));
    QVERIFY(near(pixelAt(*decoded, 3 * w / 4, 3 * h / 4), palette[corners[3]], 16));
}

void TestImageDecoder::jpegQuirksThatDecodersAcceptStillDecode()
{
    const QByteArray jpeg = readAll(fixture("pattern_baseline.jpg"));
    // Stray bytes between segments: libjpeg skips them with a warning.
    QByteArray stray = jpeg;
    QCOMPARE(quint8(stray[3]), quint8(0xE0)); // the first segment is APP0 (JFIF)
    const int afterApp0 = 4 + ((quint8(stray[4]) << 8) | quint8(stray[5]));
    stray.insert(afterApp0, QByteArray("\x00\x00", 2));
    const Result<DecodedImage> strayDecoded = decodeBytes(stray);
    QVERIFY2(strayDecoded.ok(),
        qPrintable(strayDecoded.ok() ? QString() : strayDecoded.error().message));
    QVERIFY(near(pixelAt(*strayDecoded, 12, 8), kRed, 16));
    // Data appended after the end-of-image marker (as some phones write) is not truncation.
    const Result<DecodedImage> appended
        = decodeBytes(jpeg + QByteArray("TRAILER\xff\xd9 more", 14));
    QVERIFY(appended.ok());
    // A GIF without its one-byte trailer still has its whole first frame.
    const QByteArray gif = readAll(fixture("pattern.gif"));
    QVERIFY(decodeBytes(gif.left(gif.size() - 1)).ok());
}

void TestImageDecoder::cutOffFilesAreTruncated_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<double>("fraction");
    QTest::newRow("progressive jpeg at 70 %") << fixture("pattern_progressive.jpg") << 0.7;
    QTest::newRow("baseline jpeg at 95 %") << fixture("pattern_baseline.jpg") << 0.95;
    QTest::newRow("gif at 50 %") << fixture("pattern.gif") << 0.5;
    QTest::newRow("gif at 90 %") << fixture("pattern.gif") << 0.9;
}

void TestImageDecoder::cutOffFilesAreTruncated()
{
    QFETCH(QString, file);
    QFETCH(double, fraction);
    const QByteArray bytes = readAll(file);
    const Result<DecodedImage> decoded
        = decodeBytes(bytes.left(qsizetype(bytes.size() * fraction)));
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().codeName(), QStringLiteral("truncated"));
}

void TestImageDecoder::badFilesGiveClearErrors_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("wording");
    QTest::newRow("truncated jpeg") << fixture("truncated.jpg") << "truncated"
                                    << "truncated";
    QTest::newRow("truncated png") << fixture("truncated.png") << "decode-failed"
                                   << "PNG";
    QTest::newRow("zero bytes") << fixture("empty.png") << "empty-file"
                                << "empty";
    QTest::newRow("text named .png") << fixture("text_renamed.png") << "not-an-image"
                                     << "not a recognised image";
    QTest::newRow("60000x60000 bomb") << fixture("bomb.png") << "decompression-bomb"
                                      << "60000 × 60000";
}

void TestImageDecoder::badFilesGiveClearErrors()
{
    QFETCH(QString, file);
    QFETCH(QString, code);
    QFETCH(QString, wording);
    const Result<DecodedImage> decoded = decodeFile(file);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().codeName(), code);
    QVERIFY2(decoded.error().message.contains(wording, Qt::CaseInsensitive),
        qPrintable(decoded.error().message));
}

// The probe: 694 bytes declaring 14000 x 14000 decoded "with Corrupt JPEG data" at 4.2 GB peak.
// Every 8 x 8 block costs at least one bit of Huffman-coded data, so the file is refused from its
// size before the decoder allocates anything.
void TestImageDecoder::jpegsThatCannotHoldTheirPixelsAreRefused()
{
    const QByteArray small = encodedJpeg(QSize(16, 16), false);
    QVERIFY(decodeBytes(small).ok());
    QByteArray inflated = small;
    const qsizetype sof = markerOffset(inflated, 0xC0);
    QVERIFY(sof > 0);
    for (const qsizetype at : { sof + 5, sof + 7 }) { // height, then width: 14000
        inflated[at] = char(14000 >> 8);
        inflated[at + 1] = char(14000 & 0xFF);
    }
    QVERIFY(inflated.size() < 1000);
    const Result<DecodedImage> refused = decodeBytes(inflated);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().codeName(), QStringLiteral("truncated"));
    QVERIFY2(refused.error().message.contains(QStringLiteral("too small")),
        qPrintable(refused.error().message));
    QCOMPARE(decodeImage({ reinterpret_cast<const std::uint8_t *>(inflated.constData()),
                             size_t(inflated.size()) },
                 DecodeLimits{}, DecodeMode::Salvage)
                 .error()
                 .codeName(),
        QStringLiteral("truncated"));
}

// The probe: a 2 MB progressive JPEG repeating one scan 20,000 times ran past 180 s.
void TestImageDecoder::jpegsWithThousandsOfScansAreRefused()
{
    const QByteArray progressive = encodedJpeg(QSize(64, 48), true);
    QVERIFY(decodeBytes(progressive).ok());
    // The last scan: from its SOS to the EOI.
    qsizetype lastScan = -1;
    for (qsizetype at = markerOffset(progressive, 0xDA); at >= 0;
         at = markerOffset(progressive, 0xDA, at + 2))
        lastScan = at;
    const qsizetype eoi = progressive.lastIndexOf(QByteArray("\xFF\xD9", 2));
    QVERIFY(lastScan > 0 && eoi > lastScan);
    const QByteArray scan = progressive.mid(lastScan, eoi - lastScan);
    QByteArray hostile = progressive.left(eoi);
    for (int i = 0; i < 20'000; ++i)
        hostile += scan;
    hostile += QByteArray("\xFF\xD9", 2);
    QVERIFY(hostile.size() > 1'000'000);
    const Result<DecodedImage> refused = decodeBytes(hostile);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().codeName(), QStringLiteral("jpeg-too-many-scans"));

    // A progressive file with a normal script still decodes.
    QByteArray fewScans = progressive.left(eoi);
    for (int i = 0; i < 20; ++i)
        fewScans += scan;
    fewScans += QByteArray("\xFF\xD9", 2);
    QVERIFY(decodeBytes(fewScans).ok());
}

// The other inputs known to keep decoders busy, generated: each must be refused with a code or
// finish (in the sandbox, past its time limit it would be decoder-timeout; here a hang would
// hit ctest's timeout). Measured with forgelens-cli analyze, each takes well under a second.
void TestImageDecoder::otherKnownSlowInputsFinish()
{
    const auto view = [](const QByteArray &bytes) {
        return std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()));
    };
    // A million empty IDAT chunks before the image data (12 MB of chunk headers).
    const QList<QByteArray> emptyIdats(1'000'000, pngChunk("IDAT", {}));
    const QByteArray idats = pngWithChunks(emptyIdats);
    QVERIFY(decodeBytes(idats).ok());
    QVERIFY(readMetadataReport(view(idats)).png.has_value());

    // 200,000 text chunks: the metadata reader stops listing them and says so.
    const QList<QByteArray> texts(200'000, pngChunk("tEXt", QByteArray("Comment\0hello", 13)));
    const QByteArray texty = pngWithChunks(texts);
    QVERIFY(decodeBytes(texty).ok());
    const MetadataReport report = readMetadataReport(view(texty));
    QVERIFY(std::any_of(report.errors.begin(), report.errors.end(), [](const Error &e) {
        return e.code == ErrorCode::PngTooManyTextChunks;
    }) || std::any_of(report.png->problems.begin(), report.png->problems.end(), [](const Error &e) {
        return e.code == ErrorCode::PngTooManyTextChunks;
    }));

    // A GIF of 5,000 frames: only the first is read.
    QByteArray gif("GIF89a\x02\x00\x02\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff", 19);
    const QByteArray frame("\x21\xf9\x04\x00\x01\x00\x00\x00" // graphic control
                           "\x2c\x00\x00\x00\x00\x02\x00\x02\x00\x00" // 2 x 2 image
                           "\x02\x02\x84\x51\x00", // LZW: clear, 4 x colour 0, end
        23);
    for (int i = 0; i < 5'000; ++i)
        gif += frame;
    gif += ';';
    const Result<DecodedImage> firstFrame = decodeBytes(gif);
    QVERIFY2(firstFrame.ok(), qPrintable(firstFrame.ok() ? QString() : firstFrame.error().message));
    QCOMPARE(firstFrame->width, 2);

    // A TIFF whose strip tables declare ten million strips, far past the end of the file.
    const auto le16 = [](quint16 v) { return QByteArray(reinterpret_cast<const char *>(&v), 2); };
    const auto le32 = [](quint32 v) { return QByteArray(reinterpret_cast<const char *>(&v), 4); };
    const auto entry = [&](quint16 tag, quint16 type, quint32 count, quint32 value) {
        return le16(tag) + le16(type) + le32(count) + le32(value);
    };
    QByteArray tiff = QByteArray("II*\0", 4) + le32(8) + le16(9);
    tiff += entry(256, 3, 1, 16) + entry(257, 3, 1, 16) + entry(258, 3, 1, 8) + entry(259, 3, 1, 1)
        + entry(262, 3, 1, 1) + entry(273, 4, 10'000'000, 4096) + entry(277, 3, 1, 1)
        + entry(278, 3, 1, 1) + entry(279, 4, 10'000'000, 8192);
    tiff += le32(0) + QByteArray(256, '\0');
    const Result<DecodedImage> strips = decodeBytes(tiff);
    QVERIFY(!strips.ok());
    QCOMPARE(strips.error().codeName(), QStringLiteral("decode-failed"));
}

void TestImageDecoder::pixelLimitIsCheckedFromTheHeader()
{
    DecodeLimits limits;
    limits.maxPixels = 48 * 32;
    QVERIFY(decodeFile(fixture("pattern.png"), limits).ok());
    limits.maxPixels = 48 * 32 - 1;
    const Result<DecodedImage> refused = decodeFile(fixture("pattern.png"), limits);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().codeName(), QStringLiteral("decompression-bomb"));
}

void TestImageDecoder::digestsMatchKnownVectors()
{
    const QByteArray abc("abc");
    const FileDigest digest
        = digestBytes({ reinterpret_cast<const std::uint8_t *>(abc.constData()), 3 });
    QCOMPARE(digest.sha256,
        QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(digest.md5, QStringLiteral("900150983cd24fb0d6963f7d28e17f72"));
    QCOMPARE(digestBytes({}).sha256,
        QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

void TestImageDecoder::evidenceIsHashedAndLeftUntouched()
{
    QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("evidence.jpg"));
    QVERIFY(QFile::copy(fixture("pattern_orient6.jpg"), copy));
    QVERIFY(QFile::setPermissions(copy, QFileDevice::ReadOwner)); // read-only evidence
    const QByteArray before = readAll(copy);
    const QDateTime modified = QFileInfo(copy).lastModified();

    const Result<EvidenceImage> evidence = loadEvidenceImage(copy, {});
    QVERIFY2(evidence.ok(), qPrintable(evidence.ok() ? QString() : evidence.error().message));
    QCOMPARE(evidence->fileSize, before.size());
    QCOMPARE(evidence->digest.sha256,
        QString::fromLatin1(QCryptographicHash::hash(before, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(evidence->image.width, 32);
    QVERIFY(evidence->readAtUtc.timeSpec() == Qt::UTC);
    QCOMPARE(readAll(copy), before);
    QCOMPARE(QFileInfo(copy).lastModified(), modified);
}

void TestImageDecoder::evidenceErrorsNameTheProblem()
{
    QTemporaryDir dir;
    EvidenceImage identity;
    Result<EvidenceImage> missing = loadEvidenceImage(dir.filePath(QStringLiteral("gone.png")), {});
    QCOMPARE(missing.error().codeName(), QStringLiteral("not-found"));
    QCOMPARE(loadEvidenceImage(dir.path(), {}).error().codeName(), QStringLiteral("not-a-file"));

    DecodeLimits small;
    small.maxFileBytes = 100;
    QCOMPARE(loadEvidenceImage(fixture("pattern.bmp"), small).error().codeName(),
        QStringLiteral("too-large"));

    // A file that fails to decode is still identified by its hash.
    const Result<EvidenceImage> truncated
        = loadEvidenceImage(fixture("truncated.jpg"), {}, &identity);
    QCOMPARE(truncated.error().codeName(), QStringLiteral("truncated"));
    QCOMPARE(identity.digest.sha256.size(), 64);
    QCOMPARE(identity.fileSize, QFileInfo(fixture("truncated.jpg")).size());
    QVERIFY(identity.image.isNull());
}

QTEST_GUILESS_MAIN(TestImageDecoder)
#include "tst_image_decoder.moc"
