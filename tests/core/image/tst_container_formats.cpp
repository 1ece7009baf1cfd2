// HEIF/HEIC, AVIF (still and animated), JPEG XL, JPEG 2000 (JP2 and bare J2K) and camera RAW
// (DNG): files each format's own encoder writes at test time, decoded through decodeImage();
// their orientation, truncation and decompression bombs; the formats recognised but not
// decoded; and a scan folder holding one file of every format.
#include "forgelens/image/decoded_image.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/image_format.h"
#include "forgelens/image/image_header_probe.h"
#include "forgelens/sandbox/decoder_pool.h"
#include "forgelens/sandbox/sandbox_config.h"
#include "forgelens/scan/scan_file_list.h"
#include "metadata_fixtures.h"

#include <jxl/encode.h>
#include <jxl/encode_cxx.h>
#include <libheif/heif.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <vector>

using namespace forgelens;
using forgelens::testing::le16;
using forgelens::testing::le32;

namespace {

// The test pattern: white, a red block in the top-left corner and a blue one in the
// bottom-right, so that a quarter turn or a mirror shows in which corner each block lands.
constexpr int kWidth = 64;
constexpr int kHeight = 48;
constexpr int kBlockWidth = 16;
constexpr int kBlockHeight = 12;

// Colours are sampled this far in from each corner: inside a block however the image stands
// (blocks are at least 12 pixels either way), clear of lossy codecs' ringing at block edges.
constexpr int kCornerInset = 5;

std::span<const std::uint8_t> bytesOf(const QByteArray &bytes)
{
    return { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) };
}

Result<DecodedImage> decodeBytes(const QByteArray &bytes, const DecodeLimits &limits = {})
{
    return decodeImage(bytesOf(bytes), limits);
}

QString sniffedName(const QByteArray &bytes)
{
    return imageFormatName(sniffImageFormat(bytesOf(bytes)));
}

// "succeeded", or the error's code name and message: what a failed check prints.
template <typename T> QString outcome(const Result<T> &result)
{
    if (result.ok())
        return QStringLiteral("succeeded");
    return QStringLiteral("%1: %2").arg(result.error().codeName(), result.error().message);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// The pattern in R G B byte order (the order every library encoder below takes).
cv::Mat patternRgb()
{
    cv::Mat rgb(kHeight, kWidth, CV_8UC3, cv::Scalar(255, 255, 255));
    rgb(cv::Rect(0, 0, kBlockWidth, kBlockHeight)).setTo(cv::Scalar(255, 0, 0));
    rgb(cv::Rect(kWidth - kBlockWidth, kHeight - kBlockHeight, kBlockWidth, kBlockHeight))
        .setTo(cv::Scalar(0, 0, 255));
    return rgb;
}

QByteArray rgbBytes(const cv::Mat &rgb)
{
    return QByteArray(reinterpret_cast<const char *>(rgb.data), qsizetype(rgb.total() * 3));
}

// cv::imwrite takes B G R; the suffix of `path` chooses the format.
QString writeWithOpenCv(const QString &path, const cv::Mat &rgb)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    if (!cv::imwrite(QFile::encodeName(path).toStdString(), bgr))
        return QStringLiteral("cv::imwrite could not write %1").arg(path);
    return {};
}

QByteArray encodeWithOpenCv(const char *suffix, const cv::Mat &rgb)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> encoded;
    cv::imencode(suffix, bgr, encoded);
    return QByteArray(reinterpret_cast<const char *>(encoded.data()), qsizetype(encoded.size()));
}

// Runs one of the encoders packaging/install-deps.sh installs; returns why it failed, or an
// empty string.
QString runEncoder(const QString &program, const QStringList &arguments)
{
    const QString executable = QStandardPaths::findExecutable(program);
    if (executable.isEmpty())
        return QStringLiteral("%1 is not installed (packaging/install-deps.sh installs it)")
            .arg(program);
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(executable, arguments);
    if (!process.waitForFinished(120'000)) {
        process.kill();
        process.waitForFinished();
        return QStringLiteral("%1 did not finish: %2").arg(program, process.errorString());
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("%1 %2 failed (exit code %3): %4")
            .arg(program, arguments.join(QLatin1Char(' ')))
            .arg(process.exitCode())
            .arg(QString::fromLocal8Bit(process.readAll()));
    return {};
}

QString heifProblem(const char *stage, const heif_error &error)
{
    return QStringLiteral("libheif failed while %1: %2")
        .arg(QLatin1String(stage), QString::fromUtf8(error.message ? error.message : ""));
}

// heif-enc has no option for orientation in libheif 1.15, so the turned HEIC is written
// through the API: the stored pixels are `rgb`, and libheif writes the irot/imir boxes that
// make a viewer show them turned as EXIF `orientation` says.
QString writeHeifWithOrientation(
    const QString &path, const cv::Mat &rgb, heif_orientation orientation)
{
    // Reference-counted; never undone, as the core's decoder keeps libheif for the process.
    heif_init(nullptr);
    const std::unique_ptr<heif_context, decltype(&heif_context_free)> context(
        heif_context_alloc(), &heif_context_free);
    heif_encoder *rawEncoder = nullptr;
    heif_error error
        = heif_context_get_encoder_for_format(context.get(), heif_compression_HEVC, &rawEncoder);
    if (error.code != heif_error_Ok)
        return heifProblem("finding an HEVC encoder", error);
    const std::unique_ptr<heif_encoder, decltype(&heif_encoder_release)> encoder(
        rawEncoder, &heif_encoder_release);
    heif_encoder_set_lossy_quality(encoder.get(), 90);

    heif_image *rawImage = nullptr;
    error = heif_image_create(
        rgb.cols, rgb.rows, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &rawImage);
    if (error.code != heif_error_Ok)
        return heifProblem("creating the image", error);
    const std::unique_ptr<heif_image, decltype(&heif_image_release)> image(
        rawImage, &heif_image_release);
    error = heif_image_add_plane(image.get(), heif_channel_interleaved, rgb.cols, rgb.rows, 8);
    if (error.code != heif_error_Ok)
        return heifProblem("adding its RGB plane", error);
    int stride = 0;
    std::uint8_t *plane = heif_image_get_plane(image.get(), heif_channel_interleaved, &stride);
    if (!plane)
        return QStringLiteral("libheif gave no RGB plane to write into");
    for (int y = 0; y < rgb.rows; ++y)
        std::memcpy(plane + size_t(y) * size_t(stride), rgb.ptr(y), size_t(rgb.cols) * 3);

    const std::unique_ptr<heif_encoding_options, decltype(&heif_encoding_options_free)> options(
        heif_encoding_options_alloc(), &heif_encoding_options_free);
    options->image_orientation = orientation;
    error = heif_context_encode_image(
        context.get(), image.get(), encoder.get(), options.get(), nullptr);
    if (error.code != heif_error_Ok)
        return heifProblem("encoding", error);
    error = heif_context_write_to_file(context.get(), QFile::encodeName(path).constData());
    if (error.code != heif_error_Ok)
        return heifProblem("writing the file", error);
    return {};
}

// cjxl has no option for orientation, so the turned JPEG XL is written through libjxl's
// encoder: lossless, the stored pixels `rgb`, the codestream's orientation field `orientation`.
QString writeJxlWithOrientation(const QString &path, const cv::Mat &rgb, JxlOrientation orientation)
{
    const JxlEncoderPtr encoder = JxlEncoderMake(nullptr);
    if (!encoder)
        return QStringLiteral("libjxl could not create an encoder");
    JxlBasicInfo info;
    JxlEncoderInitBasicInfo(&info);
    info.xsize = std::uint32_t(rgb.cols);
    info.ysize = std::uint32_t(rgb.rows);
    info.bits_per_sample = 8;
    info.num_color_channels = 3;
    info.uses_original_profile = JXL_TRUE; // lossless needs the samples kept as they are
    info.orientation = orientation;
    if (JxlEncoderSetBasicInfo(encoder.get(), &info) != JXL_ENC_SUCCESS)
        return QStringLiteral("libjxl refused the basic info");
    JxlColorEncoding colour;
    JxlColorEncodingSetToSRGB(&colour, JXL_FALSE);
    if (JxlEncoderSetColorEncoding(encoder.get(), &colour) != JXL_ENC_SUCCESS)
        return QStringLiteral("libjxl refused the sRGB colour encoding");
    JxlEncoderFrameSettings *settings = JxlEncoderFrameSettingsCreate(encoder.get(), nullptr);
    if (!settings || JxlEncoderSetFrameLossless(settings, JXL_TRUE) != JXL_ENC_SUCCESS)
        return QStringLiteral("libjxl refused lossless frame settings");
    const JxlPixelFormat format{ 3, JXL_TYPE_UINT8, JXL_NATIVE_ENDIAN, 0 };
    if (JxlEncoderAddImageFrame(settings, &format, rgb.data, rgb.total() * 3) != JXL_ENC_SUCCESS)
        return QStringLiteral("libjxl refused the frame");
    JxlEncoderCloseInput(encoder.get());

    QByteArray encoded(4096, Qt::Uninitialized);
    size_t used = 0;
    for (;;) {
        auto *start = reinterpret_cast<std::uint8_t *>(encoded.data());
        std::uint8_t *next = start + used;
        size_t available = size_t(encoded.size()) - used;
        const JxlEncoderStatus status = JxlEncoderProcessOutput(encoder.get(), &next, &available);
        used = size_t(next - start);
        if (status == JXL_ENC_NEED_MORE_OUTPUT) {
            encoded.resize(encoded.size() * 2);
            continue;
        }
        if (status != JXL_ENC_SUCCESS)
            return QStringLiteral("libjxl failed to encode (error %1)")
                .arg(int(JxlEncoderGetError(encoder.get())));
        break;
    }
    encoded.resize(qsizetype(used));
    return writeFile(path, encoded) ? QString() : QStringLiteral("cannot write %1").arg(path);
}

// TIFF field types.
constexpr quint16 kByte = 1;
constexpr quint16 kAscii = 2;
constexpr quint16 kShort = 3;
constexpr quint16 kLong = 4;
constexpr quint16 kRational = 5;
constexpr quint16 kSRational = 10;

struct TiffEntry {
    quint16 tag;
    quint16 type;
    quint32 count;
    QByteArray value; // little-endian, as the file holds it
};

// The colour filter array's sample at (x, y): RGGB (red on even rows and columns, blue on odd
// ones). The top-left block is strongly red (red photosites high, green and blue low); the
// rest is a neutral grey.
quint16 cfaSample(int x, int y)
{
    const bool red = x % 2 == 0 && y % 2 == 0;
    if (x < kBlockWidth && y < kBlockHeight)
        return red ? 60000 : 4000;
    return 20000;
}

// A minimal uncompressed DNG, as a camera without compression would write it: a little-endian
// TIFF whose one directory (IFD0) is itself the raw image (NewSubfileType 0).
//
//   offset  bytes  content
//   0       8      "II", 42, offset of IFD0 (8)
//   8       270    IFD0: the entry count (22), 22 entries of 12 bytes (tag, type, count, then
//                  the value when it fits in 4 bytes, else its offset), sorted by tag as TIFF
//                  requires, then 0 (no next directory)
//   278     116    the values longer than 4 bytes, each at an even offset: UniqueCameraModel
//                  (19 bytes with its NUL, 1 pad), ColorMatrix1 (72), AsShotNeutral (24)
//   394     6144   the one strip: 48 rows of 64 16-bit samples, little-endian, RGGB
//
// ColorMatrix1 is the identity (XYZ to camera), the illuminant D65 (21), black 0, white 65535.
// `exiftool -validate -warning -a` reports these exact bytes as OK (no warnings).
QByteArray minimalDng()
{
    QByteArray colorMatrix;
    for (int i = 0; i < 9; ++i)
        colorMatrix += le32(i % 4 == 0 ? 10000 : 0) + le32(10000); // SRATIONAL n/d
    QByteArray neutral;
    for (int i = 0; i < 3; ++i)
        neutral += le32(1) + le32(1);
    const QByteArray model("ForgeLens test DNG", 19); // with its terminating NUL
    constexpr quint16 kStripOffsets = 273;
    const quint32 stripBytes = kWidth * kHeight * 2;

    std::vector<TiffEntry> entries = {
        { 254, kLong, 1, le32(0) }, // NewSubfileType: the main image
        { 256, kLong, 1, le32(kWidth) }, // ImageWidth
        { 257, kLong, 1, le32(kHeight) }, // ImageLength
        { 258, kShort, 1, le16(16) }, // BitsPerSample
        { 259, kShort, 1, le16(1) }, // Compression: none
        { 262, kShort, 1, le16(32803) }, // PhotometricInterpretation: CFA
        { kStripOffsets, kLong, 1, QByteArray() }, // filled in once the layout is known
        { 274, kShort, 1, le16(1) }, // Orientation
        { 277, kShort, 1, le16(1) }, // SamplesPerPixel
        { 278, kLong, 1, le32(kHeight) }, // RowsPerStrip
        { 279, kLong, 1, le32(stripBytes) }, // StripByteCounts
        { 284, kShort, 1, le16(1) }, // PlanarConfiguration: chunky
        { 33421, kShort, 2, le16(2) + le16(2) }, // CFARepeatPatternDim
        { 33422, kByte, 4, QByteArray("\x00\x01\x01\x02", 4) }, // CFAPattern: R G G B
        { 50706, kByte, 4, QByteArray("\x01\x04\x00\x00", 4) }, // DNGVersion 1.4
        { 50707, kByte, 4, QByteArray("\x01\x01\x00\x00", 4) }, // DNGBackwardVersion 1.1
        { 50708, kAscii, quint32(model.size()), model }, // UniqueCameraModel
        { 50714, kLong, 1, le32(0) }, // BlackLevel
        { 50717, kLong, 1, le32(65535) }, // WhiteLevel
        { 50721, kSRational, 9, colorMatrix }, // ColorMatrix1
        { 50728, kRational, 3, neutral }, // AsShotNeutral
        { 50778, kShort, 1, le16(21) }, // CalibrationIlluminant1: D65
    };

    constexpr quint32 kIfdOffset = 8;
    const quint32 valuesOffset = kIfdOffset + 2 + 12 * quint32(entries.size()) + 4;
    QByteArray values;
    std::vector<quint32> valueOffsets(entries.size(), 0);
    for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].value.size() <= 4)
            continue;
        valueOffsets[i] = valuesOffset + quint32(values.size());
        values += entries[i].value;
        if (values.size() % 2 != 0)
            values += '\0'; // TIFF wants every offset even
    }
    const quint32 stripOffset = valuesOffset + quint32(values.size());

    QByteArray dng = QByteArray("II", 2) + le16(42) + le32(kIfdOffset);
    dng += le16(quint16(entries.size()));
    for (size_t i = 0; i < entries.size(); ++i) {
        TiffEntry &entry = entries[i];
        if (entry.tag == kStripOffsets)
            entry.value = le32(stripOffset);
        dng += le16(entry.tag) + le16(entry.type) + le32(entry.count);
        dng += entry.value.size() > 4 ? le32(valueOffsets[i]) : entry.value.leftJustified(4, '\0');
    }
    dng += le32(0); // no next directory
    dng += values;
    for (int y = 0; y < kHeight; ++y) {
        for (int x = 0; x < kWidth; ++x)
            dng += le16(cfaSample(x, y));
    }
    return dng;
}

// SHA-256 of minimalDng()'s bytes, the ones exiftool validated. Should the writer change,
// check its output again with `exiftool -validate -warning -a` and update this.
constexpr char kValidatedDngSha256[]
    = "bcc841eb256f932b742898de73ed302bca296339bfa07286c480e52b423f01e4";

struct Rgb {
    int r, g, b;
};

Rgb pixelAt(const DecodedImage &image, int x, int y)
{
    const unsigned char *p = image.constData() + (qsizetype(y) * image.width + x) * 3;
    return { p[0], p[1], p[2] };
}

// Lossy codecs move colours a little: a channel over 150 counts as full, under 100 as empty.
QString colourName(Rgb colour)
{
    const auto full = [](int value) { return value > 150; };
    const auto empty = [](int value) { return value < 100; };
    if (full(colour.r) && empty(colour.g) && empty(colour.b))
        return QStringLiteral("red");
    if (empty(colour.r) && empty(colour.g) && full(colour.b))
        return QStringLiteral("blue");
    if (full(colour.r) && full(colour.g) && full(colour.b))
        return QStringLiteral("white");
    return QStringLiteral("rgb(%1, %2, %3)").arg(colour.r).arg(colour.g).arg(colour.b);
}

// Top-left, top-right, bottom-left, bottom-right.
QStringList cornerColours(const DecodedImage &image)
{
    const int right = image.width - 1 - kCornerInset;
    const int bottom = image.height - 1 - kCornerInset;
    return { colourName(pixelAt(image, kCornerInset, kCornerInset)),
        colourName(pixelAt(image, right, kCornerInset)),
        colourName(pixelAt(image, kCornerInset, bottom)),
        colourName(pixelAt(image, right, bottom)) };
}

const QStringList kUpright{ QStringLiteral("red"), QStringLiteral("white"), QStringLiteral("white"),
    QStringLiteral("blue") };

// The 1 x 1 GIF everyone embeds: OpenCV 4.6 cannot write GIF, and the scan only sniffs it.
const QByteArray kTinyGif("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
                          "\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02"
                          "D\x01\x00;",
    43);

// Photoshop's 26-byte file header: "8BPS", version 1, 6 reserved bytes, 3 channels, 48 x 64,
// 8 bits, RGB mode.
const QByteArray kPsdHeader("8BPS\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x30"
                            "\x00\x00\x00\x40\x00\x08\x00\x03",
    26);
const QByteArray kSvg("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"64\" height=\"48\"><rect width=\"16\" height=\"12\" "
                      "fill=\"red\"/></svg>\n");
// QOI header: "qoif", width and height (big-endian), 3 channels, sRGB; then the end marker.
const QByteArray kQoi("qoif\x00\x00\x00\x40\x00\x00\x00\x30\x03\x00"
                      "\x00\x00\x00\x00\x00\x00\x00\x01",
    22);
const QByteArray kText("Minutes of the meeting\nNothing to report.\n");

} // namespace

class TestContainerFormats : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void eachFormatDecodesUpright_data();
    void eachFormatDecodesUpright();
    void containerOrientationIsApplied_data();
    void containerOrientationIsApplied();
    void animatedAvifDecodesItsFirstFrame();
    void halfFilesAreErrors_data();
    void halfFilesAreErrors();
    void pixelLimitAppliesToEveryFormat_data();
    void pixelLimitAppliesToEveryFormat();
    void jpeg2000HeadersDeclaringHugeImagesAreBombs_data();
    void jpeg2000HeadersDeclaringHugeImagesAreBombs();
    void dngIsDevelopedByLibRaw();
    void plainTiffIsNotTakenForRaw();
    void undecodedFormatsAreNamed_data();
    void undecodedFormatsAreNamed();
    void textIsNotAnImage();
    void scanTakesEveryImageFormat();
    void fileNamesMapToFormats_data();
    void fileNamesMapToFormats();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    void make(const QString &name, const std::function<QString(const QString &)> &writer);
    // The fixture's bytes, or empty when it could not be written (problem() says why).
    QByteArray fixture(const QString &name) const { return readFile(path(name)); }
    QString problem(const QString &name) const
    {
        return m_problems.value(name, QStringLiteral("%1 is missing or empty").arg(name));
    }

    QTemporaryDir m_dir;
    QHash<QString, QString> m_problems; // fixture -> why it could not be written
};

// Records why a fixture could not be written instead of failing here, so that every other
// format is still tested and each test that needs the fixture names the cause.
void TestContainerFormats::make(
    const QString &name, const std::function<QString(const QString &)> &writer)
{
    QString why = writer(path(name));
    if (why.isEmpty() && QFileInfo(path(name)).size() == 0)
        why = QStringLiteral("the writer of %1 left no file").arg(name);
    if (!why.isEmpty())
        m_problems.insert(name, why);
}

void TestContainerFormats::initTestCase()
{
    QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
    const cv::Mat upright = patternRgb();
    cv::Mat turned; // the second frame of the animation: the pattern turned half round
    cv::rotate(upright, turned, cv::ROTATE_180);
    const QString source = path(QStringLiteral("pattern.png"));
    const QString second = path(QStringLiteral("pattern_turned.png"));
    QVERIFY2(writeWithOpenCv(source, upright).isEmpty(), "cannot write the source PNG");
    QVERIFY2(writeWithOpenCv(second, turned).isEmpty(), "cannot write the second frame");

    // Writes the fixture with `program`, the output path following `arguments`.
    const auto encoder = [](const QString &program, const QStringList &arguments) {
        return [program, arguments](const QString &out) {
            return runEncoder(program, arguments + QStringList{ out });
        };
    };
    // Each command as checked by hand with the Debian 12 tools.
    make(QStringLiteral("still.heic"),
        encoder(QStringLiteral("heif-enc"),
            { QStringLiteral("-q"), QStringLiteral("90"), source, QStringLiteral("-o") }));
    // An odd size: libheif's encoder codes 102 x 102 and crops with a clap box, so the coded
    // (ispe) size is not the image's.
    const QString odd = path(QStringLiteral("odd.png"));
    cv::Mat oddPattern;
    cv::resize(upright, oddPattern, cv::Size(101, 101));
    QVERIFY2(writeWithOpenCv(odd, oddPattern).isEmpty(), "cannot write the odd-sized PNG");
    make(QStringLiteral("odd.heic"),
        encoder(QStringLiteral("heif-enc"),
            { QStringLiteral("-q"), QStringLiteral("90"), odd, QStringLiteral("-o") }));
    const QStringList fast{ QStringLiteral("-s"), QStringLiteral("10") };
    make(QStringLiteral("still.avif"),
        encoder(QStringLiteral("avifenc"), fast + QStringList{ source }));
    // irot angle 1: 90° anticlockwise; imir mode 1: left and right exchanged, after irot.
    make(QStringLiteral("irot1.avif"),
        encoder(QStringLiteral("avifenc"),
            fast + QStringList{ QStringLiteral("--irot"), QStringLiteral("1"), source }));
    make(QStringLiteral("irot1_imir1.avif"),
        encoder(QStringLiteral("avifenc"),
            fast
                + QStringList{ QStringLiteral("--irot"), QStringLiteral("1"),
                    QStringLiteral("--imir"), QStringLiteral("1"), source }));
    make(QStringLiteral("anim.avif"),
        encoder(QStringLiteral("avifenc"),
            fast + QStringList{ QStringLiteral("--fps"), QStringLiteral("2"), source, second }));
    make(QStringLiteral("lossy.jxl"),
        encoder(QStringLiteral("cjxl"), { QStringLiteral("-d"), QStringLiteral("1"), source }));
    make(QStringLiteral("lossless.jxl"),
        encoder(QStringLiteral("cjxl"), { QStringLiteral("-d"), QStringLiteral("0"), source }));
    // opj_compress defaults to the reversible (lossless) wavelet; -o's suffix picks JP2 or J2K.
    for (const QString &name : { QStringLiteral("still.jp2"), QStringLiteral("still.j2k") }) {
        make(name,
            encoder(QStringLiteral("opj_compress"),
                { QStringLiteral("-i"), source, QStringLiteral("-o") }));
    }
    make(QStringLiteral("turned.heic"), [&](const QString &out) {
        return writeHeifWithOrientation(out, upright, heif_orientation_rotate_90_cw);
    });
    make(QStringLiteral("turned.jxl"), [&](const QString &out) {
        return writeJxlWithOrientation(out, upright, JXL_ORIENT_ROTATE_90_CW);
    });
    make(QStringLiteral("bayer.dng"), [](const QString &out) {
        return writeFile(out, minimalDng()) ? QString() : QStringLiteral("cannot write it");
    });
    make(QStringLiteral("plain.tiff"),
        [&](const QString &out) { return writeWithOpenCv(out, upright); });
}

void TestContainerFormats::eachFormatDecodesUpright_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("lossless");
    QTest::newRow("heif") << QStringLiteral("still.heic") << "heif" << false;
    QTest::newRow("avif") << QStringLiteral("still.avif") << "avif" << false;
    QTest::newRow("jpeg xl lossy") << QStringLiteral("lossy.jxl") << "jxl" << false;
    QTest::newRow("jpeg xl lossless") << QStringLiteral("lossless.jxl") << "jxl" << true;
    QTest::newRow("jp2") << QStringLiteral("still.jp2") << "jpeg2000" << true;
    QTest::newRow("j2k") << QStringLiteral("still.j2k") << "jpeg2000" << true;
}

void TestContainerFormats::eachFormatDecodesUpright()
{
    QFETCH(QString, file);
    QFETCH(QString, format);
    QFETCH(bool, lossless);
    const QByteArray bytes = fixture(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(problem(file)));
    QCOMPARE(sniffedName(bytes), format);

    const Result<DecodedImage> decoded = decodeBytes(bytes);
    QVERIFY2(decoded.ok(), qPrintable(outcome(decoded)));
    QCOMPARE(imageFormatName(decoded->format), format);
    QCOMPARE(decoded->width, kWidth);
    QCOMPARE(decoded->height, kHeight);
    QCOMPARE(decoded->orientation, 1);
    QCOMPARE(decoded->rgb.size(), qsizetype(kWidth * kHeight * 3));
    QCOMPARE(cornerColours(*decoded), kUpright);
    if (lossless)
        QVERIFY2(decoded->rgb == rgbBytes(patternRgb()), "lossless, but decoded to other pixels");
}

void TestContainerFormats::containerOrientationIsApplied_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QStringList>("corners"); // top-left, top-right, bottom-left, bottom-right
    QTest::addColumn<int>("orientation"); // 0: not asserted
    const QString red = QStringLiteral("red");
    const QString blue = QStringLiteral("blue");
    const QString white = QStringLiteral("white");
    // A quarter turn anticlockwise takes the top-left corner to the bottom-left (EXIF 8).
    QTest::newRow("avif irot 1") << QStringLiteral("irot1.avif") << "avif"
                                 << QStringList{ white, blue, red, white } << 8;
    // ... then exchanging left and right takes it to the bottom-right (EXIF 7, transverse).
    QTest::newRow("avif irot 1 imir 1") << QStringLiteral("irot1_imir1.avif") << "avif"
                                        << QStringList{ blue, white, white, red } << 7;
    // A quarter turn clockwise takes the top-left corner to the top-right (EXIF 6).
    QTest::newRow("jpeg xl rotate 90 cw")
        << QStringLiteral("turned.jxl") << "jxl" << QStringList{ white, red, blue, white } << 6;
    // libheif applies irot/imir itself and does not say which it applied, so the decoder
    // leaves `orientation` at 1 for HEIF (heif_decoder.cpp): only the pixels are checked.
    QTest::newRow("heif rotate 90 cw")
        << QStringLiteral("turned.heic") << "heif" << QStringList{ white, red, blue, white } << 0;
}

void TestContainerFormats::containerOrientationIsApplied()
{
    QFETCH(QString, file);
    QFETCH(QString, format);
    QFETCH(QStringList, corners);
    QFETCH(int, orientation);
    const QByteArray bytes = fixture(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(problem(file)));
    QCOMPARE(sniffedName(bytes), format);

    const Result<DecodedImage> decoded = decodeBytes(bytes);
    QVERIFY2(decoded.ok(), qPrintable(outcome(decoded)));
    QCOMPARE(imageFormatName(decoded->format), format);
    QCOMPARE(decoded->width, kHeight);
    QCOMPARE(decoded->height, kWidth);
    QCOMPARE(decoded->rgb.size(), qsizetype(kWidth * kHeight * 3));
    QCOMPARE(cornerColours(*decoded), corners);
    if (orientation != 0) {
        QCOMPARE(decoded->orientation, orientation);
        QCOMPARE(decoded->storedWidth, kWidth);
        QCOMPARE(decoded->storedHeight, kHeight);
    }
}

void TestContainerFormats::animatedAvifDecodesItsFirstFrame()
{
    const QString file = QStringLiteral("anim.avif");
    const QByteArray bytes = fixture(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(problem(file)));
    QCOMPARE(sniffedName(bytes), QStringLiteral("avif"));
    const Result<DecodedImage> decoded = decodeBytes(bytes);
    QVERIFY2(decoded.ok(), qPrintable(outcome(decoded)));
    QCOMPARE(imageFormatName(decoded->format), QStringLiteral("avif"));
    QCOMPARE(decoded->width, kWidth);
    QCOMPARE(decoded->height, kHeight);
    QCOMPARE(decoded->rgb.size(), qsizetype(kWidth * kHeight * 3));
    // The second frame is the pattern turned half round: blue, white, white, red.
    QCOMPARE(cornerColours(*decoded), kUpright);
}

void TestContainerFormats::halfFilesAreErrors_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("codes"); // the error codes accepted
    const QString truncated = QStringLiteral("truncated");
    const QString failed = QStringLiteral("decode-failed");
    // Cut inside the meta box, libheif 1.15 reports "No 'meta' box" rather than end of data.
    QTest::newRow("heif") << "still.heic" << QStringList{ truncated, failed };
    // libavif's parser reports AVIF_RESULT_TRUNCATED_DATA.
    QTest::newRow("avif") << "still.avif" << QStringList{ truncated };
    QTest::newRow("avif animated") << "anim.avif" << QStringList{ truncated };
    // libjxl runs out of codestream: it says JXL_DEC_NEED_MORE_INPUT when the input is left
    // open, JXL_DEC_ERROR ("missing input") once JxlDecoderCloseInput has been called.
    QTest::newRow("jpeg xl lossy") << "lossy.jxl" << QStringList{ truncated };
    QTest::newRow("jpeg xl lossless") << "lossless.jxl" << QStringList{ truncated };
    QTest::newRow("jpeg xl turned") << "turned.jxl" << QStringList{ truncated };
    // OpenJPEG 2.5 decodes strictly: "Tile part length size inconsistent with stream length".
    QTest::newRow("jp2") << "still.jp2" << QStringList{ truncated, failed };
    QTest::newRow("j2k") << "still.j2k" << QStringList{ truncated, failed };
    // The strip runs past the end: LibRaw's unpack() reports an I/O error.
    QTest::newRow("dng") << "bayer.dng" << QStringList{ truncated };
}

// Never a crash, and never a "success" with the missing half made up.
void TestContainerFormats::halfFilesAreErrors()
{
    QFETCH(QString, file);
    QFETCH(QStringList, codes);
    const QByteArray bytes = fixture(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(problem(file)));
    const QByteArray half = bytes.left(bytes.size() / 2);
    const Result<DecodedImage> decoded = decodeBytes(half);
    // (QVERIFY2 builds its message even when the check passes: no value of an error there.)
    const QString decodedSize = decoded.ok()
        ? QStringLiteral("%1 x %2").arg(decoded->width).arg(decoded->height)
        : QString();
    QVERIFY2(!decoded.ok(),
        qPrintable(QStringLiteral("the first %1 of %2 bytes decoded to %3 pixels")
                       .arg(half.size())
                       .arg(bytes.size())
                       .arg(decodedSize)));
    QVERIFY2(codes.contains(decoded.error().codeName()),
        qPrintable(QStringLiteral("expected %1, got %2")
                       .arg(codes.join(QStringLiteral(" or ")), outcome(decoded))));
}

void TestContainerFormats::pixelLimitAppliesToEveryFormat_data()
{
    QTest::addColumn<QString>("file");
    for (const char *file : { "still.heic", "turned.heic", "still.avif", "irot1.avif", "anim.avif",
             "lossy.jxl", "lossless.jxl", "turned.jxl", "still.jp2", "still.j2k", "bayer.dng" })
        QTest::newRow(file) << QString::fromLatin1(file);
}

// 64 x 48 = 3072 pixels against a limit of 1000: each format's size must be read, from its
// header or through its library, and refused before the pixels are decoded.
void TestContainerFormats::pixelLimitAppliesToEveryFormat()
{
    QFETCH(QString, file);
    const QByteArray bytes = fixture(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(problem(file)));
    DecodeLimits limits;
    limits.maxPixels = 1000;
    const Result<DecodedImage> decoded = decodeBytes(bytes, limits);
    QVERIFY2(!decoded.ok(), "decoded past the pixel limit");
    QVERIFY2(decoded.error().code == ErrorCode::DecompressionBomb, qPrintable(outcome(decoded)));
}

void TestContainerFormats::jpeg2000HeadersDeclaringHugeImagesAreBombs_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("j2k SIZ") << "still.j2k";
    QTest::newRow("jp2 ihdr and SIZ") << "still.jp2";
}

// The declared size is patched to 60000 x 60000 (3.6 gigapixels); the codestream behind it is
// the real 64 x 48 one, which must never be reached.
void TestContainerFormats::jpeg2000HeadersDeclaringHugeImagesAreBombs()
{
    QFETCH(QString, file);
    QByteArray bytes = fixture(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(problem(file)));
    constexpr quint32 kHuge = 60000;
    qsizetype at = 0;
    if (file.endsWith(QLatin1String(".j2k"))) {
        // SOC (2), SIZ marker (2), Lsiz (2), Rsiz (2), then Xsiz and Ysiz, big-endian.
        QCOMPARE(bytes.left(4), QByteArray("\xFF\x4F\xFF\x51", 4));
        at = 8;
    } else {
        // The image header box's payload: HEIGHT (4) then WIDTH (4), big-endian. OpenJPEG
        // allocates what the codestream's SIZ declares, so ihdr alone saying 60000 is a damaged
        // file (bad-header, below); both saying it is a bomb.
        at = bytes.indexOf("ihdr");
        QVERIFY2(at > 0, "the JP2 has no ihdr box");
        at += 4;
        QByteArray ihdrOnly = bytes;
        qToBigEndian(kHuge, ihdrOnly.data() + at);
        qToBigEndian(kHuge, ihdrOnly.data() + at + 4);
        const Result<ImageHeader> mismatch = probeImageHeader(bytesOf(ihdrOnly));
        QVERIFY2(!mismatch.ok() && mismatch.error().code == ErrorCode::BadHeader,
            qPrintable(outcome(mismatch)));
        const qsizetype siz = bytes.indexOf(QByteArray("\xFF\x4F\xFF\x51", 4));
        QVERIFY2(siz > 0, "the JP2 has no SIZ marker");
        // Xsiz and Ysiz; the offsets (XOsiz, YOsiz) stay 0.
        qToBigEndian(kHuge, bytes.data() + siz + 8);
        qToBigEndian(kHuge, bytes.data() + siz + 12);
    }
    QVERIFY(at + 8 <= bytes.size());
    qToBigEndian(kHuge, bytes.data() + at);
    qToBigEndian(kHuge, bytes.data() + at + 4);

    const Result<ImageHeader> header = probeImageHeader(bytesOf(bytes));
    QVERIFY2(header.ok(), qPrintable(outcome(header)));
    QCOMPARE(imageFormatName(header->format), QStringLiteral("jpeg2000"));
    QCOMPARE(header->width, int(kHuge));
    QCOMPARE(header->height, int(kHuge));
    const Result<DecodedImage> decoded = decodeBytes(bytes);
    QVERIFY2(!decoded.ok(), "a 60000 x 60000 declaration was decoded");
    QVERIFY2(decoded.error().code == ErrorCode::DecompressionBomb, qPrintable(outcome(decoded)));
    QVERIFY2(decoded.error().message.contains(QLatin1String("60000")),
        qPrintable(decoded.error().message));
}

void TestContainerFormats::dngIsDevelopedByLibRaw()
{
    const QString file = QStringLiteral("bayer.dng");
    const QByteArray dng = fixture(file);
    QVERIFY2(!dng.isEmpty(), qPrintable(problem(file)));
    QCOMPARE(QCryptographicHash::hash(dng, QCryptographicHash::Sha256).toHex(),
        QByteArray(kValidatedDngSha256));
    QCOMPARE(sniffedName(dng), QStringLiteral("raw"));

    const Result<DecodedImage> decoded = decodeBytes(dng);
    QVERIFY2(decoded.ok(), qPrintable(outcome(decoded)));
    QCOMPARE(imageFormatName(decoded->format), QStringLiteral("raw"));
    // No DefaultCrop, no margins: LibRaw develops every photosite.
    QCOMPARE(decoded->width, kWidth);
    QCOMPARE(decoded->height, kHeight);
    QCOMPARE(decoded->orientation, 1);
    QCOMPARE(decoded->rgb.size(), qsizetype(kWidth * kHeight * 3));
    // LibRaw's development (daylight white balance, sRGB, auto-brightness) leaves the grey a
    // little warm, about (168, 148, 145), and the red block about (255, 0, 80).
    const Rgb red = pixelAt(*decoded, kCornerInset, kCornerInset);
    const Rgb grey = pixelAt(*decoded, kWidth - 1 - kCornerInset, kHeight - 1 - kCornerInset);
    QVERIFY2(red.r - red.g > grey.r - grey.g + 100,
        qPrintable(QStringLiteral("top-left (%1, %2, %3) is not redder than bottom-right "
                                  "(%4, %5, %6)")
                       .arg(red.r)
                       .arg(red.g)
                       .arg(red.b)
                       .arg(grey.r)
                       .arg(grey.g)
                       .arg(grey.b)));
}

// A TIFF of RGB pixels has none of a camera's raw tags: it stays with the TIFF decoder.
void TestContainerFormats::plainTiffIsNotTakenForRaw()
{
    const QString file = QStringLiteral("plain.tiff");
    const QByteArray bytes = fixture(file);
    QVERIFY2(!bytes.isEmpty(), qPrintable(problem(file)));
    QCOMPARE(sniffedName(bytes), QStringLiteral("tiff"));
    const Result<DecodedImage> decoded = decodeBytes(bytes);
    QVERIFY2(decoded.ok(), qPrintable(outcome(decoded)));
    QCOMPARE(imageFormatName(decoded->format), QStringLiteral("tiff"));
    QCOMPARE(decoded->width, kWidth);
    QCOMPARE(decoded->height, kHeight);
    QVERIFY2(decoded->rgb == rgbBytes(patternRgb()), "the TIFF decoded to other pixels");
}

void TestContainerFormats::undecodedFormatsAreNamed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("named");
    QTest::newRow("psd") << kPsdHeader << "Photoshop";
    QTest::newRow("svg") << kSvg << "SVG";
    QTest::newRow("qoi") << kQoi << "QOI";
}

// Recognised but not decoded: unsupported-format, naming the format, rather than "not an
// image", so that the analyst knows to export it.
void TestContainerFormats::undecodedFormatsAreNamed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, named);
    QCOMPARE(sniffedName(bytes), QStringLiteral("unknown"));
    QVERIFY2(undecodedImageFormat(bytesOf(bytes)).contains(named),
        qPrintable(undecodedImageFormat(bytesOf(bytes))));

    const Result<ImageHeader> header = probeImageHeader(bytesOf(bytes));
    QVERIFY2(!header.ok(), "the probe took it for a decodable image");
    QVERIFY2(header.error().code == ErrorCode::UnsupportedFormat, qPrintable(outcome(header)));
    QVERIFY2(header.error().message.contains(named), qPrintable(header.error().message));

    const Result<DecodedImage> decoded = decodeBytes(bytes);
    QVERIFY2(!decoded.ok(), "it decoded");
    QVERIFY2(decoded.error().code == ErrorCode::UnsupportedFormat, qPrintable(outcome(decoded)));
    QVERIFY2(decoded.error().message.contains(named), qPrintable(decoded.error().message));
}

void TestContainerFormats::textIsNotAnImage()
{
    QVERIFY(undecodedImageFormat(bytesOf(kText)).isEmpty());
    const Result<ImageHeader> header = probeImageHeader(bytesOf(kText));
    QVERIFY2(
        !header.ok() && header.error().code == ErrorCode::NotAnImage, qPrintable(outcome(header)));
    const Result<DecodedImage> decoded = decodeBytes(kText);
    QVERIFY2(!decoded.ok() && decoded.error().code == ErrorCode::NotAnImage,
        qPrintable(outcome(decoded)));
}

// Every image is taken, by name or (photo.dat) by content, the undecoded ones too so that
// their rows say so; only the text and the CSV are passed over.
void TestContainerFormats::scanTakesEveryImageFormat()
{
    QTemporaryDir folder;
    QVERIFY2(folder.isValid(), qPrintable(folder.errorString()));
    const QList<QPair<QString, QString>> copies{
        { QStringLiteral("still.heic"), QStringLiteral("image.heic") },
        { QStringLiteral("odd.heic"), QStringLiteral("odd.heic") },
        { QStringLiteral("still.avif"), QStringLiteral("image.avif") },
        { QStringLiteral("anim.avif"), QStringLiteral("anim.avif") },
        { QStringLiteral("lossy.jxl"), QStringLiteral("image.jxl") },
        { QStringLiteral("still.jp2"), QStringLiteral("image.jp2") },
        { QStringLiteral("still.j2k"), QStringLiteral("image.j2k") },
        { QStringLiteral("bayer.dng"), QStringLiteral("image.dng") },
    };
    for (const auto &[from, to] : copies) {
        QVERIFY2(!fixture(from).isEmpty(), qPrintable(problem(from)));
        QVERIFY(QFile::copy(path(from), folder.filePath(to)));
    }
    const cv::Mat pattern = patternRgb();
    for (const char *name : { "image.jpg", "image.png", "image.bmp", "image.tiff", "image.webp" })
        QVERIFY2(writeWithOpenCv(folder.filePath(QLatin1String(name)), pattern).isEmpty(), name);
    QVERIFY(writeFile(folder.filePath(QStringLiteral("image.gif")), kTinyGif));
    QVERIFY(writeFile(folder.filePath(QStringLiteral("image.psd")), kPsdHeader));
    QVERIFY(writeFile(folder.filePath(QStringLiteral("drawing.svg")), kSvg));
    const QByteArray jpeg = encodeWithOpenCv(".jpg", pattern);
    QVERIFY(writeFile(folder.filePath(QStringLiteral("photo.dat")), jpeg));
    QVERIFY(writeFile(folder.filePath(QStringLiteral("notes.txt")), kText));
    QVERIFY(writeFile(folder.filePath(QStringLiteral("data.csv")), "file,score\nimage.jpg,0.5\n"));

    const Result<ScanFileList> list = listScanFiles(folder.path(), {});
    QVERIFY2(list.ok(), qPrintable(outcome(list)));
    QStringList taken;
    for (const ScanFile &file : list->files)
        taken.append(file.relativePath);
    QStringList expected{ QStringLiteral("anim.avif"), QStringLiteral("drawing.svg"),
        QStringLiteral("odd.heic"), QStringLiteral("image.avif"), QStringLiteral("image.bmp"),
        QStringLiteral("image.dng"), QStringLiteral("image.gif"), QStringLiteral("image.heic"),
        QStringLiteral("image.j2k"), QStringLiteral("image.jp2"), QStringLiteral("image.jpg"),
        QStringLiteral("image.jxl"), QStringLiteral("image.png"), QStringLiteral("image.psd"),
        QStringLiteral("image.tiff"), QStringLiteral("image.webp"), QStringLiteral("photo.dat") };
    std::sort(expected.begin(), expected.end());
    QCOMPARE(taken, expected);
    QCOMPARE(list->skippedNotImages, qint64(2));
    QVERIFY2(list->problems.isEmpty(), qPrintable(list->problems.join(QLatin1Char('\n'))));

    // Each file read as a scan reads it: in a sandboxed worker, under its system-call filter
    // (which kills a worker that starts a thread: libde265's and LibRaw's OpenMP would), with its
    // metadata. Every image decodes; the two formats recognised but not decoded say so.
    SandboxConfig sandbox;
    sandbox.workerExecutable = QStringLiteral(FORGELENS_CLI);
    sandbox.maxWorkers = 1;
    DecoderPool pool(sandbox);
    for (const ScanFile &file : list->files) {
        EvidenceReadRequest request;
        request.keepMetadataReport = true;
        const EvidenceReading reading = pool.read(file.absolutePath, file.nativePath, request);
        const bool undecoded = file.relativePath.endsWith(QLatin1String(".psd"))
            || file.relativePath.endsWith(QLatin1String(".svg"));
        if (undecoded) {
            QVERIFY2(reading.error && reading.error->code == ErrorCode::UnsupportedFormat,
                qPrintable(file.relativePath));
            continue;
        }
        QVERIFY2(!reading.error,
            qPrintable(file.relativePath + QStringLiteral(": ")
                + (reading.error ? reading.error->message : QString())));
        QVERIFY2(reading.image && reading.image->width > 0, qPrintable(file.relativePath));
        if (file.relativePath == QLatin1String("odd.heic"))
            QCOMPARE(QSize(reading.image->width, reading.image->height), QSize(101, 101));
        QVERIFY2(reading.metadataRead, qPrintable(file.relativePath));
    }
}

void TestContainerFormats::fileNamesMapToFormats_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("imageName"); // hasImageExtension: a scan takes it by its name
    QTest::newRow("HEIC upper case") << QStringLiteral("a.HEIC") << "heif" << true;
    QTest::newRow("nef") << QStringLiteral("b.nef") << "raw" << true;
    QTest::newRow("jxl") << QStringLiteral("c.jxl") << "jxl" << true;
    QTest::newRow("txt") << QStringLiteral("d.txt") << "unknown" << false;
    // Recognised (a scan takes it and says why it is not analysed) but not decoded.
    QTest::newRow("psd") << QStringLiteral("e.psd") << "unknown" << true;
    QTest::newRow("avif") << QStringLiteral("f.avif") << "avif" << true;
    QTest::newRow("jp2") << QStringLiteral("g.jp2") << "jpeg2000" << true;
    QTest::newRow("j2k") << QStringLiteral("h.j2k") << "jpeg2000" << true;
    QTest::newRow("dng") << QStringLiteral("i.DNG") << "raw" << true;
    QTest::newRow("no suffix") << QStringLiteral("heic") << "unknown" << false;
}

void TestContainerFormats::fileNamesMapToFormats()
{
    QFETCH(QString, name);
    QFETCH(QString, format);
    QFETCH(bool, imageName);
    QCOMPARE(imageFormatName(imageFormatForFileName(name)), format);
    QCOMPARE(hasImageExtension(name), imageName);
}

QTEST_GUILESS_MAIN(TestContainerFormats)
#include "tst_container_formats.moc"
