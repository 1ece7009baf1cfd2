// The reduced JPEG decode (core/image/reduced_jpeg_decode.h): when it applies, how far it
// reduces, that the decoder honours it for JPEGs only and in strict mode only, that the pixels
// are the photograph's (close to the full decode resized), and the other hints the decoder takes.
#include "forgelens/image/exif_orientation.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/image/reduced_jpeg_decode.h"
#include "forgelens/metadata/embedded_metadata.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

using namespace forgelens;

namespace {

std::span<const std::uint8_t> view(const std::vector<uchar> &bytes)
{
    return { bytes.data(), bytes.size() };
}

std::span<const std::uint8_t> view(const QByteArray &bytes)
{
    return { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) };
}

// A photograph-like scene: smooth colour fields and fine texture, encoded as `extension`.
std::vector<uchar> encodedScene(int width, int height, const char *extension = ".jpg")
{
    cv::Mat coarse(height / 50 + 2, width / 50 + 2, CV_8UC3);
    cv::randu(coarse, cv::Scalar::all(0), cv::Scalar::all(255));
    cv::Mat scene;
    cv::resize(coarse, scene, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
    cv::Mat noise(height, width, CV_8UC3);
    cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(6));
    cv::add(scene, noise, scene, cv::noArray(), CV_8UC3);
    std::vector<uchar> bytes;
    cv::imencode(extension, scene, bytes, { cv::IMWRITE_JPEG_QUALITY, 92 });
    return bytes;
}

InputSpec codeLike() // the benchmark's CoDE-like spec: shorter side 256, centre crop 224
{
    InputSpec spec;
    spec.resize = InputSpec::Resize::ShorterSide;
    spec.resizeHeight = 256;
    spec.antialias = true;
    spec.reducedJpegDecode = true;
    spec.crop = InputSpec::Crop::Center;
    spec.cropHeight = spec.cropWidth = 224;
    spec.mean = { 0.485f, 0.456f, 0.406f };
    spec.std = { 0.229f, 0.224f, 0.225f };
    return spec;
}

ReducibleResize shorterSide(int side)
{
    return ReducibleResize{ InputSpec::Resize::ShorterSide, side, 0, std::nullopt };
}

ReducibleResize exact(int height, int width)
{
    return ReducibleResize{ InputSpec::Resize::Exact, height, width, std::nullopt };
}

} // namespace

class TestReducedJpegDecode : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void onlyAnAntialiasedResizeBeforeTheCropAllowsIt();
    void manifestFlagIsReadAndChecked();
    void reductionKeepsFourTimesTheResizesOutput_data();
    void reductionKeepsFourTimesTheResizesOutput();
    void jpegIsDecodedReduced();
    void otherFormatsAndSalvageDecodeWhole();
    void reducedPixelsAreThePhotographs();
    void turnedPhotographKeepsItsFullSize();
    void orientationHintSparesTheSecondParse();
    void metadataPassReadsTheOrientationTheDecoderWould();
};

void TestReducedJpegDecode::onlyAnAntialiasedResizeBeforeTheCropAllowsIt()
{
    const InputSpec code = codeLike();
    QCOMPARE(reducibleResize(code), std::optional(shorterSide(256)));

    InputSpec off = code;
    off.reducedJpegDecode = false; // the bundle did not opt in
    QVERIFY(!reducibleResize(off));
    InputSpec aliased = code;
    aliased.antialias = false; // samples a few pixels: a reduced decode averages instead
    QVERIFY(!reducibleResize(aliased));
    InputSpec nearest = code;
    nearest.interpolation = InputSpec::Interpolation::Nearest;
    QVERIFY(!reducibleResize(nearest));
    InputSpec native = code; // CoDE's own converter: a crop at native resolution
    native.resize = InputSpec::Resize::None;
    QVERIFY(!reducibleResize(native));
    InputSpec tiles = code; // tiles read native-resolution pixels
    tiles.crop = InputSpec::Crop::Tiles;
    QVERIFY(!reducibleResize(tiles));
    InputSpec cropFirst = code;
    cropFirst.order
        = { InputSpec::Step::Crop, InputSpec::Step::Resize, InputSpec::Step::Normalize };
    QVERIFY(!reducibleResize(cropFirst));

    InputSpec dfd = code; // DeepFakeDefenders: normalise, then an exact antialiased resize
    dfd.resize = InputSpec::Resize::Exact;
    dfd.resizeHeight = dfd.resizeWidth = 512;
    dfd.crop = InputSpec::Crop::None;
    dfd.order = { InputSpec::Step::Normalize, InputSpec::Step::Resize, InputSpec::Step::Crop };
    QCOMPARE(reducibleResize(dfd), std::optional(exact(512, 512)));
}

void TestReducedJpegDecode::manifestFlagIsReadAndChecked()
{
    QJsonObject input = QJsonDocument::fromJson(R"({
        "value_range": [0, 1], "channel_order": "rgb", "mean": [0.5, 0.5, 0.5],
        "std": [0.5, 0.5, 0.5],
        "resize": {"policy": "shorter_side", "size": 256, "interpolation": "bilinear",
                   "antialias": true},
        "crop": {"policy": "center", "size": [224, 224]}})")
                            .object();
    Result<InputSpec> absent = InputSpec::fromJson(input);
    QVERIFY(absent.ok());
    QVERIFY(!absent->reducedJpegDecode); // never without the bundle's word

    QJsonObject resize = input.value(QStringLiteral("resize")).toObject();
    resize.insert(QStringLiteral("reduced_jpeg_decode"), true);
    input.insert(QStringLiteral("resize"), resize);
    Result<InputSpec> allowed = InputSpec::fromJson(input);
    QVERIFY(allowed.ok());
    QVERIFY(allowed->reducedJpegDecode);

    resize.insert(QStringLiteral("reduced_jpeg_decode"), QStringLiteral("yes"));
    input.insert(QStringLiteral("resize"), resize);
    Result<InputSpec> wrong = InputSpec::fromJson(input);
    QVERIFY(!wrong.ok());
    QVERIFY(wrong.error().message.contains(QStringLiteral("reduced_jpeg_decode")));
}

void TestReducedJpegDecode::reductionKeepsFourTimesTheResizesOutput_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<std::vector<ReducibleResize>>("resizes");
    QTest::addColumn<int>("expected");
    using Resizes = std::vector<ReducibleResize>;
    // Shorter side 256 (341 x 256 out) needs 1364 x 1024: 1/2 keeps 2000 x 1500; 1/4 (1000 x
    // 750) does not.
    QTest::newRow("12 MP, shorter side 256") << 4000 << 3000 << Resizes{ shorterSide(256) } << 2;
    QTest::newRow("portrait 12 MP") << 3000 << 4000 << Resizes{ shorterSide(256) } << 2;
    QTest::newRow("50 MP") << 8660 << 5774 << Resizes{ shorterSide(256) } << 4;
    QTest::newRow("already small") << 512 << 512 << Resizes{ shorterSide(256) } << 1;
    QTest::newRow("just four times") << 2048 << 2048 << Resizes{ shorterSide(256) } << 2;
    // 2045 / 2 rounds up to 1023: one short of 4 x 256.
    QTest::newRow("just under four times") << 2045 << 2045 << Resizes{ shorterSide(256) } << 1;
    // An exact 512 x 512 (DeepFakeDefenders) needs 2048 rows: 1/2 of 8000 x 6000 keeps 3000.
    QTest::newRow("exact 512") << 8000 << 6000 << Resizes{ exact(512, 512) } << 2;
    QTest::newRow("exact 512, 12 MP") << 4000 << 3000 << Resizes{ exact(512, 512) } << 1;
    // An exact, oblong output, on a landscape photograph that EXIF may turn: the reduction
    // must hold either way round (1/4 keeps 1000 x 750; turned, 750 < 4 x 200).
    QTest::newRow("exact oblong, either way round")
        << 4000 << 3000 << Resizes{ exact(100, 200) } << 2;
    // Two detectors: the one that needs more pixels decides.
    QTest::newRow("two resizes") << 8000 << 6000 << Resizes{ shorterSide(256), exact(512, 512) }
                                 << 2;
    QTest::newRow("none asked") << 4000 << 3000 << Resizes{} << 1;
    // A panorama: the shorter side decides the resize (2688 x 224), whose width 1/2 cannot
    // keep four times.
    QTest::newRow("panorama") << 12000 << 1000 << Resizes{ shorterSide(224) } << 1;
    ReducibleResize capped = shorterSide(256);
    capped.maxSize = 300; // torchvision's max_size: 300 x 225 out, 1200 x 900 needed
    QTest::newRow("max size") << 4000 << 3000 << Resizes{ capped } << 2;
}

void TestReducedJpegDecode::reductionKeepsFourTimesTheResizesOutput()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(std::vector<ReducibleResize>, resizes);
    QFETCH(int, expected);
    QCOMPARE(jpegReduction(width, height, resizes), expected);
}

void TestReducedJpegDecode::jpegIsDecodedReduced()
{
    const std::vector<uchar> jpeg = encodedScene(1603, 1201); // sides that do not divide by 2
    DecodeHints hints;
    hints.reduceFor = { shorterSide(128) }; // 684 x 512 needed: 1/2 keeps 802 x 601
    const Result<DecodedImage> reduced = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, hints);
    QVERIFY2(reduced.ok(), reduced.ok() ? "" : qPrintable(reduced.error().message));
    QCOMPARE(reduced->reduction, 2);
    QCOMPARE(reduced->width, 802); // libjpeg rounds up
    QCOMPARE(reduced->height, 601);
    QCOMPARE(reduced->fullWidth(), 1603);
    QCOMPARE(reduced->fullHeight(), 1201);
    QCOMPARE(reduced->storedWidth, 1603);
    QCOMPARE(reduced->rgb.size(), qsizetype(802) * 601 * 3);

    const Result<DecodedImage> whole = decodeImage(view(jpeg), {});
    QVERIFY(whole.ok());
    QCOMPARE(whole->reduction, 1);
    QCOMPARE(whole->width, 1603);
    QCOMPARE(whole->fullWidth(), 1603);
}

void TestReducedJpegDecode::otherFormatsAndSalvageDecodeWhole()
{
    DecodeHints hints;
    hints.reduceFor = { shorterSide(64) };
    const std::vector<uchar> png = encodedScene(800, 600, ".png");
    const Result<DecodedImage> fromPng = decodeImage(view(png), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(fromPng.ok());
    QCOMPARE(fromPng->reduction, 1);
    QCOMPARE(fromPng->width, 800);

    std::vector<uchar> cut = encodedScene(800, 600);
    cut.resize(cut.size() * 2 / 3); // truncated: salvage shows what is there, at full size
    const Result<DecodedImage> salvaged
        = decodeImage(view(cut), {}, DecodeMode::Salvage, {}, hints);
    QVERIFY(salvaged.ok());
    QVERIFY(salvaged->truncated);
    QCOMPARE(salvaged->reduction, 1);
    QCOMPARE(salvaged->width, 800);
}

void TestReducedJpegDecode::reducedPixelsAreThePhotographs()
{
    // What the model is fed from a 1/4 decode is close to what it is fed from the full decode:
    // the same scene, not a shifted or mis-scaled one. (How close matters for P; README's ΔP
    // table measures that on real photographs with each detector.)
    const std::vector<uchar> jpeg = encodedScene(4000, 3000);
    const InputSpec spec = codeLike();
    DecodeHints hints;
    hints.reduceFor = { *reducibleResize(spec) };
    const Result<DecodedImage> reduced = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, hints);
    const Result<DecodedImage> whole = decodeImage(view(jpeg), {});
    QVERIFY(reduced.ok() && whole.ok());
    QCOMPARE(reduced->reduction, 2); // 2000 x 1500 >= 1364 x 1024; 1/4 (1000 x 750) is not
    const Result<at::Tensor> fromReduced = preprocessImage(*reduced, spec);
    const Result<at::Tensor> fromWhole = preprocessImage(*whole, spec);
    QVERIFY(fromReduced.ok() && fromWhole.ok());
    QCOMPARE(fromReduced->sizes().vec(), std::vector<int64_t>({ 1, 3, 224, 224 }));
    QCOMPARE(fromReduced->sizes().vec(), fromWhole->sizes().vec());
    // In normalised units (1/255 of a level is about 0.017): the mean difference is a fraction of
    // a level, and no pixel is off by much; a crop shifted by one reduced pixel would differ far
    // more on this texture.
    const at::Tensor difference = (*fromReduced - *fromWhole).abs();
    const double mean = difference.mean().item<double>();
    const double largest = difference.max().item<double>();
    QVERIFY2(mean < 0.02, qPrintable(QString::number(mean)));
    QVERIFY2(largest < 0.5, qPrintable(QString::number(largest)));
    // The control: the same crop shifted by one full-size pixel is further away than that.
    const at::Tensor shifted = preprocessImage(*whole, spec)->roll({ 1 }, { 3 });
    QVERIFY((shifted - *fromWhole).abs().mean().item<double>() > mean);
}

void TestReducedJpegDecode::turnedPhotographKeepsItsFullSize()
{
    const QByteArray bytes = [] {
        QFile file(QStringLiteral(FORGELENS_FIXTURES_DIR "/images/pattern_orient6.jpg"));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }();
    QVERIFY(!bytes.isEmpty());
    const Result<DecodedImage> whole = decodeImage(view(bytes), {});
    QVERIFY(whole.ok());
    QCOMPARE(whole->orientation, 6);
    DecodeHints hints;
    hints.reduceFor = { shorterSide(std::min(whole->width, whole->height) / 8) };
    const Result<DecodedImage> reduced
        = decodeImage(view(bytes), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(reduced.ok());
    QCOMPARE(reduced->reduction, 2);
    QCOMPARE(reduced->orientation, 6);
    // As shown (turned): the full decode's size, and the stored size unturned.
    QCOMPARE(reduced->fullWidth(), whole->width);
    QCOMPARE(reduced->fullHeight(), whole->height);
    QCOMPARE(reduced->storedWidth, whole->storedWidth);
    QCOMPARE(reduced->storedHeight, whole->storedHeight);
    QCOMPARE(reduced->width, (whole->width + 1) / 2);
    QCOMPARE(reduced->height, (whole->height + 1) / 2);
}

void TestReducedJpegDecode::orientationHintSparesTheSecondParse()
{
    // A JPEG without EXIF: told orientation 6 by the metadata pass, the decoder turns it (it did
    // not parse the EXIF itself); told nothing, it parses and finds none.
    const std::vector<uchar> jpeg = encodedScene(300, 200);
    DecodeHints hints;
    hints.exifOrientation = 6;
    const Result<DecodedImage> told = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(told.ok());
    QCOMPARE(told->orientation, 6);
    QCOMPARE(told->width, 200);
    QCOMPARE(told->height, 300);
    const Result<DecodedImage> untold = decodeImage(view(jpeg), {});
    QVERIFY(untold.ok());
    QCOMPARE(untold->orientation, 1);
    QCOMPARE(untold->width, 300);
}

void TestReducedJpegDecode::metadataPassReadsTheOrientationTheDecoderWould()
{
    for (const char *name : { "pattern_orient6.jpg", "pattern_orient8.jpg", "pattern_baseline.jpg",
             "canon_makernote.jpg", "pattern.png", "truncated.jpg" }) {
        QFile file(QStringLiteral(FORGELENS_FIXTURES_DIR "/images/") + QLatin1String(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const Result<EmbeddedMetadata> metadata = readEmbeddedMetadata(view(bytes));
        if (!metadata)
            continue; // the decoder then parses the EXIF itself
        QVERIFY2(metadata->exifOrientation.has_value(), name);
        QCOMPARE(*metadata->exifOrientation, readExifOrientation(view(bytes)));
    }
}

QTEST_GUILESS_MAIN(TestReducedJpegDecode)
#include "tst_reduced_jpeg_decode.moc"
