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

QTEST_GUILESS_MAIN(TestPreprocessor)
#include "tst_preprocessor.moc"

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
