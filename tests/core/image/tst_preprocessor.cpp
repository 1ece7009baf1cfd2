// Golden tests: tests/fixtures/make_fixtures.py computed the expected tensors with Debian's
// torchvision 0.14 tensor transforms; the C++ preprocessing must match them within 1e-5.
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/input_geometry.h"
#include "forgelens/image/preprocessor.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <torch/torch.h>

using namespace forgelens;

namespace {

const QString kGoldenDir = QStringLiteral(FORGELENS_FIXTURES_DIR "/golden/");

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

DecodedImage decodeFixture(const QString &name)
{
    const QByteArray bytes = readAll(kGoldenDir + name);
    Result<DecodedImage> decoded = decodeImage(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) }, {});
    return decoded.ok() ? decoded.value() : DecodedImage{};
}

} // namespace

Q_DECLARE_METATYPE(forgelens::InputSpec)

class TestPreprocessor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTorchvision_data();
    void matchesTorchvision();
    void tileOriginsSpreadEvenly();
    void scoredRegionsAreWhatTheTilesHold_data();
    void scoredRegionsAreWhatTheTilesHold();
    void scoredRegionsOfAResizedCentreCrop();
    void bgrOrderSwapsChannels();
    void unpaddedTilesTakeSmallImagesWhole();
    void emptyImageIsAnError();
    void storedOrientationCanBeRestored();
    void absurdResizeIsRefused();
    void stripsMatchTheWholeImageBitForBit_data();
    void stripsMatchTheWholeImageBitForBit();
    void bytesFirstMatchesTheWholeImageBitForBit_data();
    void bytesFirstMatchesTheWholeImageBitForBit();
    void reducedImageIsResizedToTheFullDecodesSize_data();
    void reducedImageIsResizedToTheFullDecodesSize();
};

void TestPreprocessor::matchesTorchvision_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<QJsonObject>("input");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<QString>("file");

    const QJsonArray cases
        = QJsonDocument::fromJson(readAll(kGoldenDir + QStringLiteral("golden.json"))).array();
    QVERIFY2(cases.size() >= 20, "golden.json is missing or incomplete");
    for (const QJsonValue &value : cases) {
        const QJsonObject entry = value.toObject();
        QList<qint64> shape;
        for (const QJsonValue &dim : entry.value(QStringLiteral("shape")).toArray())
            shape.append(dim.toInteger());
        QTest::newRow(qPrintable(entry.value(QStringLiteral("file")).toString()
            + QStringLiteral(": ") + entry.value(QStringLiteral("name")).toString()))
            << entry.value(QStringLiteral("image")).toString()
            << entry.value(QStringLiteral("input")).toObject() << shape
            << entry.value(QStringLiteral("file")).toString();
    }
}

void TestPreprocessor::matchesTorchvision()
{
    QFETCH(QString, image);
    QFETCH(QJsonObject, input);
    QFETCH(QList<qint64>, shape);
    QFETCH(QString, file);

    const DecodedImage decoded = decodeFixture(image);
    QVERIFY(!decoded.isNull());
    const Result<InputSpec> spec = InputSpec::fromJson(input);
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));

    const Result<at::Tensor> actual = preprocessImage(decoded, *spec);
    QVERIFY2(actual.ok(), qPrintable(actual.ok() ? QString() : actual.error().message));
    QCOMPARE(QList<qint64>(actual->sizes().begin(), actual->sizes().end()), shape);

    QByteArray raw = readAll(kGoldenDir + file);
    QCOMPARE(raw.size(), qsizetype(actual->numel() * 4));
    const at::Tensor expected
        = torch::from_blob(raw.data(), actual->sizes(), torch::kFloat32).clone();
    const double maxError = (*actual - expected).abs().max().item<double>();
    QVERIFY2(maxError <= 1e-5, qPrintable(QStringLiteral("max |error| %1").arg(maxError)));
}

void TestPreprocessor::tileOriginsSpreadEvenly()
{
    QCOMPARE(tileOrigins(120, 32, 4), (std::vector<int>{ 0, 29, 58, 88 }));
    QCOMPARE(tileOrigins(90, 32, 3), (std::vector<int>{ 0, 29, 58 }));
    QCOMPARE(tileOrigins(90, 32, 1), (std::vector<int>{ 29 }));
    QCOMPARE(tileOrigins(32, 32, 1), (std::vector<int>{ 0 }));
}

void TestPreprocessor::scoredRegionsAreWhatTheTilesHold_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("maxTiles");
    QTest::addColumn<bool>("pad");
    QTest::newRow("grid 3x2") << 45 << 30 << 16 << true;
    QTest::newRow("thinned") << 97 << 61 << 4 << true;
    QTest::newRow("small, unpadded") << 12 << 40 << 16 << false;
    QTest::newRow("small, padded") << 12 << 40 << 16 << true;
}

// Every pixel of the image has its own value, so each tile's tensor says exactly which pixels it
// holds; the region reported for it must be those pixels (zero padding is not part of the image).
void TestPreprocessor::scoredRegionsAreWhatTheTilesHold()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, maxTiles);
    QFETCH(bool, pad);
    DecodedImage image;
    image.width = width;
    image.height = height;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            image.rgb.append(char(x + 1)).append(char(y + 1)).append(char(0));
    }
    InputSpec spec;
    spec.valueMax = 255.0f;
    spec.crop = InputSpec::Crop::Tiles;
    spec.cropHeight = spec.cropWidth = 16;
    spec.maxTiles = maxTiles;
    spec.cropPad = pad;
    const at::Tensor tiles = preprocessImage(image, spec).value();
    const std::vector<QRect> regions = scoredRegions(spec, width, height, width, height, 1);
    QCOMPARE(qint64(regions.size()), qint64(tiles.size(0)));
    for (size_t t = 0; t < regions.size(); ++t) {
        const at::Tensor xs = tiles[int64_t(t)][0];
        const at::Tensor ys = tiles[int64_t(t)][1];
        const at::Tensor inside = xs > 0; // padding is zero, image pixels are x + 1
        const int left = int(xs.masked_select(inside).min().item<float>()) - 1;
        const int right = int(xs.masked_select(inside).max().item<float>()) - 1;
        const int top = int(ys.masked_select(inside).min().item<float>()) - 1;
        const int bottom = int(ys.masked_select(inside).max().item<float>()) - 1;
        QCOMPARE(regions[t], QRect(QPoint(left, top), QPoint(right, bottom)));
    }
}

void TestPreprocessor::scoredRegionsOfAResizedCentreCrop()
{
    // CoDE-like: shorter side to 256, centre crop 224. A 1024 x 768 photograph becomes
    // 341 x 256 (x 1024/341 and x 3 back to the image); the crop at left 58 (58.5 rounded half
    // to even, as torchvision rounds), top 16 covers x 174.2 to 846.8 and y 48 to 720.
    InputSpec spec;
    spec.resize = InputSpec::Resize::ShorterSide;
    spec.resizeHeight = 256;
    spec.crop = InputSpec::Crop::Center;
    spec.cropHeight = spec.cropWidth = 224;
    QCOMPARE(scoredRegions(spec, 1024, 768, 1024, 768, 1),
        (std::vector<QRect>{ QRect(174, 48, 673, 672) }));
    // A model fed the stored pixels of an EXIF-rotated (6) photograph: the region is moved to
    // where those pixels are shown.
    InputSpec stored;
    stored.applyExifOrientation = false;
    stored.crop = InputSpec::Crop::Center;
    stored.cropHeight = 10;
    stored.cropWidth = 40;
    stored.cropPad = false;
    // Stored 100 x 50, centre crop 40 x 10 at (30, 20); shown turned clockwise: 50 x 100.
    QCOMPARE(
        scoredRegions(stored, 50, 100, 100, 50, 6), (std::vector<QRect>{ QRect(20, 30, 10, 40) }));
}

void TestPreprocessor::bgrOrderSwapsChannels()
{
    DecodedImage image;
    image.width = 2;
    image.height = 1;
    image.rgb = QByteArray("\xff\x00\x00\xff\x00\x00", 6);
    InputSpec spec;
    spec.bgr = true;
    const Result<at::Tensor> out = preprocessImage(image, spec);
    QVERIFY(out.ok());
    QCOMPARE(out->index({ 0, 0, 0, 0 }).item<float>(), 0.0f);
    QCOMPARE(out->index({ 0, 2, 0, 0 }).item<float>(), 1.0f);
}

void TestPreprocessor::unpaddedTilesTakeSmallImagesWhole()
{
    // A 6x4 image with every pixel distinct, so any crop, pad or shift shows.
    DecodedImage image;
    image.width = 6;
    image.height = 4;
    for (int i = 0; i < image.width * image.height * 3; ++i)
        image.rgb.append(char(i));
    const at::Tensor whole = preprocessImage(image, InputSpec{}).value();

    InputSpec spec;
    spec.crop = InputSpec::Crop::Tiles;
    spec.cropHeight = 8;
    spec.cropWidth = 8;
    spec.cropPad = false;
    const Result<at::Tensor> small = preprocessImage(image, spec);
    QVERIFY(small.ok());
    QVERIFY(torch::equal(*small, whole)); // smaller than a tile: fed whole, no zero border

    // Larger than the tile in width only: two 4x4 tiles, at the edges, without padding.
    spec.cropHeight = 4;
    spec.cropWidth = 4;
    spec.maxTiles = 16;
    const Result<at::Tensor> tiled = preprocessImage(image, spec);
    QVERIFY(tiled.ok());
    QCOMPARE(tiled->sizes().vec(), (std::vector<int64_t>{ 2, 3, 4, 4 }));
    QVERIFY(torch::equal(tiled->select(0, 0), whole.select(0, 0).slice(2, 0, 4)));
    QVERIFY(torch::equal(tiled->select(0, 1), whole.select(0, 0).slice(2, 2, 6)));

    // With padding (torchvision's CenterCrop semantics) the same small image gets a zero border.
    spec.cropHeight = 8;
    spec.cropWidth = 8;
    spec.cropPad = true;
    const Result<at::Tensor> padded = preprocessImage(image, spec);
    QVERIFY(padded.ok());
    QCOMPARE(padded->sizes().vec(), (std::vector<int64_t>{ 1, 3, 8, 8 }));
    QCOMPARE(padded->index({ 0, 0, 0, 0 }).item<float>(), 0.0f);

    // The manifest spells it "pad": a boolean.
    QJsonObject input{ { QStringLiteral("value_range"), QJsonArray{ 0, 1 } },
        { QStringLiteral("channel_order"), QStringLiteral("rgb") },
        { QStringLiteral("mean"), QJsonArray{ 0, 0, 0 } },
        { QStringLiteral("std"), QJsonArray{ 1, 1, 1 } },
        { QStringLiteral("resize"),
            QJsonObject{ { QStringLiteral("policy"), QStringLiteral("none") } } },
        { QStringLiteral("crop"),
            QJsonObject{ { QStringLiteral("policy"), QStringLiteral("tiles") },
                { QStringLiteral("size"), 512 }, { QStringLiteral("pad"), false } } } };
    const Result<InputSpec> parsed = InputSpec::fromJson(input);
    QVERIFY(parsed.ok());
    QVERIFY(!parsed->cropPad);
    input.insert(QStringLiteral("crop"),
        QJsonObject{ { QStringLiteral("policy"), QStringLiteral("tiles") },
            { QStringLiteral("size"), 512 }, { QStringLiteral("pad"), QStringLiteral("no") } });
    QVERIFY(!InputSpec::fromJson(input).ok());
}

void TestPreprocessor::emptyImageIsAnError()
{
    const Result<at::Tensor> out = preprocessImage(DecodedImage{}, InputSpec{});
    QVERIFY(!out.ok());
    QCOMPARE(out.error().codeName(), QStringLiteral("preprocess-failed"));
}

void TestPreprocessor::storedOrientationCanBeRestored()
{
    const QByteArray bytes
        = readAll(QStringLiteral(FORGELENS_FIXTURES_DIR "/images/pattern_orient8.jpg"));
    const Result<DecodedImage> decoded = decodeImage(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) }, {});
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->width, 32); // shown upright
    InputSpec spec;
    spec.applyExifOrientation = false; // as a PIL pipeline sees it: 48 x 32, red top-left
    const Result<at::Tensor> stored = preprocessImage(*decoded, spec);
    QVERIFY(stored.ok());
    QCOMPARE(stored->size(2), 32);
    QCOMPARE(stored->size(3), 48);
    const at::Tensor topLeft = stored->index({ 0, torch::indexing::Slice(), 8, 12 });
    QVERIFY(topLeft[0].item<float>() > 0.9f && topLeft[1].item<float>() < 0.1f
        && topLeft[2].item<float>() < 0.1f);
    const at::Tensor topRight = stored->index({ 0, torch::indexing::Slice(), 8, 36 });
    QVERIFY(topRight[1].item<float>() > 0.9f && topRight[0].item<float>() < 0.1f);
}

void TestPreprocessor::absurdResizeIsRefused()
{
    DecodedImage strip;
    strip.width = 5000;
    strip.height = 1;
    strip.rgb = QByteArray(5000 * 3, '\x80');
    InputSpec spec;
    spec.resize = InputSpec::Resize::ShorterSide;
    spec.resizeHeight = 224; // -> 1,120,000 x 224 pixels
    const Result<at::Tensor> out = preprocessImage(strip, spec);
    QVERIFY(!out.ok());
    QCOMPARE(out.error().codeName(), QStringLiteral("preprocess-failed"));
    QVERIFY(out.error().message.contains(QStringLiteral("outside what can be analysed")));
}

void TestPreprocessor::stripsMatchTheWholeImageBitForBit_data()
{
    QTest::addColumn<InputSpec>("spec");
    InputSpec code; // CoDE-like: shorter side 256, centre crop 224
    code.resize = InputSpec::Resize::ShorterSide;
    code.resizeHeight = 256;
    code.antialias = true;
    code.crop = InputSpec::Crop::Center;
    code.cropHeight = code.cropWidth = 224;
    code.mean = { 0.485f, 0.456f, 0.406f };
    code.std = { 0.229f, 0.224f, 0.225f };
    QTest::newRow("shorter side, bilinear") << code;

    InputSpec bicubic = code;
    bicubic.interpolation = InputSpec::Interpolation::Bicubic;
    bicubic.resize = InputSpec::Resize::Exact;
    bicubic.resizeHeight = 300;
    bicubic.resizeWidth = 190;
    bicubic.bgr = true;
    bicubic.valueMax = 255.0f;
    QTest::newRow("exact, bicubic, BGR 0-255") << bicubic;

    InputSpec dfd = code; // DeepFakeDefenders: normalise, then resize to 512 x 512
    dfd.resize = InputSpec::Resize::Exact;
    dfd.resizeHeight = dfd.resizeWidth = 512;
    dfd.crop = InputSpec::Crop::None;
    dfd.order = { InputSpec::Step::Normalize, InputSpec::Step::Resize, InputSpec::Step::Crop };
    QTest::newRow("normalise first, taller output") << dfd;
}

void TestPreprocessor::stripsMatchTheWholeImageBitForBit()
{
    // Large enough for the strip path, with a height that leaves a partial last strip.
    QFETCH(InputSpec, spec);
    DecodedImage image;
    image.width = 2011;
    image.height = 1037;
    image.rgb.resize(qsizetype(image.width) * image.height * 3);
    std::uint32_t state = 12345;
    for (char &byte : image.rgb) {
        state = state * 1664525u + 1013904223u; // any fixed pseudo-random sequence
        byte = char(state >> 24);
    }
    const Result<at::Tensor> strips = preprocessImage(image, spec);
    const Result<at::Tensor> whole = preprocessWholeImage(image, spec);
    QVERIFY(strips.ok() && whole.ok());
    QCOMPARE(strips->sizes().vec(), whole->sizes().vec());
    QVERIFY(torch::equal(*strips, *whole));
}

namespace {

DecodedImage noiseImage(int width, int height, int orientation = 1)
{
    DecodedImage image;
    image.width = width;
    image.height = height;
    image.orientation = orientation;
    const bool turned = orientation >= 5;
    image.storedWidth = turned ? height : width;
    image.storedHeight = turned ? width : height;
    image.rgb.resize(qsizetype(width) * height * 3);
    std::uint32_t state = 777;
    for (char &byte : image.rgb) {
        state = state * 1664525u + 1013904223u;
        byte = char(state >> 24);
    }
    return image;
}

} // namespace

void TestPreprocessor::bytesFirstMatchesTheWholeImageBitForBit_data()
{
    QTest::addColumn<InputSpec>("spec");
    QTest::addColumn<int>("orientation");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    InputSpec code; // CoDE's converter: a centre crop of 224 at native resolution
    code.crop = InputSpec::Crop::Center;
    code.cropHeight = code.cropWidth = 224;
    code.mean = { 0.485f, 0.456f, 0.406f };
    code.std = { 0.229f, 0.224f, 0.225f };
    code.applyExifOrientation = false;
    QTest::newRow("centre crop") << code << 1 << 1001 << 777;
    QTest::newRow("centre crop, stored orientation of a turned photograph")
        << code << 6 << 777 << 1001;
    QTest::newRow("centre crop of a smaller image, padded") << code << 1 << 150 << 300;
    InputSpec tiles = code; // the reference detector and Dataset Alignment: native tiles
    tiles.crop = InputSpec::Crop::Tiles;
    tiles.cropHeight = tiles.cropWidth = 96;
    tiles.maxTiles = 9;
    tiles.cropPad = false;
    tiles.bgr = true;
    tiles.valueMax = 255.0f;
    QTest::newRow("tiles, BGR 0-255") << tiles << 1 << 500 << 333;
    QTest::newRow("tiles, mirrored") << tiles << 2 << 500 << 333;
    InputSpec normalizeFirst = code;
    normalizeFirst.order
        = { InputSpec::Step::Normalize, InputSpec::Step::Resize, InputSpec::Step::Crop };
    QTest::newRow("normalise before the crop") << normalizeFirst << 8 << 640 << 480;
    InputSpec nothing;
    QTest::newRow("no resize, no crop") << nothing << 3 << 64 << 48;
}

void TestPreprocessor::bytesFirstMatchesTheWholeImageBitForBit()
{
    QFETCH(InputSpec, spec);
    QFETCH(int, orientation);
    QFETCH(int, width);
    QFETCH(int, height);
    const DecodedImage image = noiseImage(width, height, orientation);
    const Result<at::Tensor> fast = preprocessImage(image, spec);
    const Result<at::Tensor> whole = preprocessWholeImage(image, spec);
    QVERIFY(fast.ok() && whole.ok());
    QCOMPARE(fast->sizes().vec(), whole->sizes().vec());
    QCOMPARE(fast->scalar_type(), torch::kFloat32);
    QVERIFY(fast->is_contiguous());
    QVERIFY(torch::equal(*fast, *whole));
}

void TestPreprocessor::reducedImageIsResizedToTheFullDecodesSize_data()
{
    QTest::addColumn<InputSpec>("spec");
    QTest::addColumn<int>("orientation");
    QTest::addColumn<bool>("applyOrientation");
    InputSpec shorter;
    shorter.resize = InputSpec::Resize::ShorterSide;
    shorter.resizeHeight = 256;
    shorter.antialias = true;
    // 4000 x 2993 resizes to 342 x 256, but its 1/4 decode, 1000 x 749 (rounded up), would
    // resize to 341 x 256: the output size must come from the full image.
    QTest::newRow("shorter side, as shown") << shorter << 1 << true;
    QTest::newRow("shorter side, turned, as shown") << shorter << 6 << true;
    QTest::newRow("shorter side, turned, as stored") << shorter << 6 << false;
    InputSpec exact = shorter;
    exact.resize = InputSpec::Resize::Exact;
    exact.resizeHeight = 200;
    exact.resizeWidth = 300;
    QTest::newRow("exact") << exact << 1 << true;
}

void TestPreprocessor::reducedImageIsResizedToTheFullDecodesSize()
{
    QFETCH(InputSpec, spec);
    QFETCH(int, orientation);
    QFETCH(bool, applyOrientation);
    spec.applyExifOrientation = applyOrientation;
    const int storedWidth = 4000, storedHeight = 2993; // a height that does not divide by 4
    const bool turned = orientation >= 5;
    const int fullWidth = turned ? storedHeight : storedWidth;
    const int fullHeight = turned ? storedWidth : storedHeight;
    DecodedImage reduced = noiseImage((fullWidth + 3) / 4, (fullHeight + 3) / 4, orientation);
    reduced.storedWidth = storedWidth;
    reduced.storedHeight = storedHeight;
    reduced.reduction = 4;
    reduced.wholeWidth = fullWidth;
    reduced.wholeHeight = fullHeight;
    DecodedImage full = noiseImage(fullWidth, fullHeight, orientation);
    const Result<at::Tensor> fromReduced = preprocessImage(reduced, spec);
    const Result<at::Tensor> fromFull = preprocessImage(full, spec);
    QVERIFY(fromReduced.ok() && fromFull.ok());
    QCOMPARE(fromReduced->sizes().vec(), fromFull->sizes().vec());
}

QTEST_GUILESS_MAIN(TestPreprocessor)
#include "tst_preprocessor.moc"
