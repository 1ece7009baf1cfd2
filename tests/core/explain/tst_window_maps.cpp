#include "test_model_factory.h"

#include "forgelens/exemplars/attached_bank.h"
#include "forgelens/explain/window_maps.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/inference_worker.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace forgelens;

namespace {

// An upright RGB image of one colour.
DecodedImage uniformImage(int width, int height, unsigned char r, unsigned char g, unsigned char b)
{
    DecodedImage image;
    image.width = image.storedWidth = width;
    image.height = image.storedHeight = height;
    image.format = ImageFormat::Png;
    image.rgb.resize(qsizetype(width) * height * 3);
    for (qsizetype i = 0; i < image.rgb.size(); i += 3) {
        image.rgb[i] = char(r);
        image.rgb[i + 1] = char(g);
        image.rgb[i + 2] = char(b);
    }
    return image;
}

// Noise pasted into `image` over `rect`: a region unlike the rest.
void paste(DecodedImage &image, const QRect &rect, quint32 seed)
{
    QRandomGenerator random(seed);
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            for (int c = 0; c < 3; ++c)
                image.rgb[(qsizetype(y) * image.width + x) * 3 + c] = char(random.bounded(256));
}

// A noise image of its own.
DecodedImage noiseImage(int width, int height, quint32 seed)
{
    DecodedImage image = uniformImage(width, height, 0, 0, 0);
    paste(image, QRect(0, 0, width, height), seed);
    return image;
}

} // namespace

class TestWindowMaps : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void windowsCoverTheImageWithinTheBudget_data();
    void windowsCoverTheImageWithinTheBudget();
    void aSmallImageIsOneWindow();
    void cellsPartitionTheImage();
    void aUniformImageGivesAFlatMap();
    void aPastedRegionStandsOut();
    void theGridGoesToJson();
    void cancelStopsTheMap();
    void patchSimilarityFindsTheSyntheticHalf();
    void patchSimilarityOfAUniformImageIsEven();
    void patchSimilaritySaysWhyThereIsNone();

private:
    // A bank for the test detector: the embeddings of `synthetic` and `real` images.
    std::shared_ptr<const AttachedBank> makeBank(const QString &name,
        const std::vector<DecodedImage> &synthetic, const std::vector<DecodedImage> &real);
    QTemporaryDir m_dir;
    std::shared_ptr<InferenceWorker> m_worker;
};

void TestWindowMaps::initTestCase()
{
    // The test detector: exact 64 x 64 resize, an 8-value embedding: 64-pixel windows.
    const QString bundle = m_dir.filePath(QStringLiteral("test.pt"));
    QVERIFY(testing::saveTestBundle(bundle, testing::makeTestModule(1), testing::testManifest()));
    EngineConfig config;
    config.maxBatch = 16;
    Result<std::shared_ptr<InferenceWorker>> worker = InferenceWorker::start(bundle, config);
    QVERIFY2(worker.ok(), qPrintable(worker.ok() ? QString() : worker.error().message));
    m_worker = *worker;
    QCOMPARE(detectorWindow(m_worker->info().manifest.input), 64);
}

void TestWindowMaps::windowsCoverTheImageWithinTheBudget_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("budget");
    QTest::newRow("12 MP photograph, 224") << 4000 << 3000 << 224 << 256;
    QTest::newRow("12 MP portrait, 256") << 3000 << 4000 << 256 << 256;
    QTest::newRow("50 MP, 224") << 8660 << 5774 << 224 << 256;
    QTest::newRow("panorama") << 12000 << 1000 << 224 << 64;
    QTest::newRow("exactly two windows wide") << 448 << 224 << 224 << 256;
    QTest::newRow("odd sizes") << 1001 << 777 << 97 << 100;
}

void TestWindowMaps::windowsCoverTheImageWithinTheBudget()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, window);
    QFETCH(int, budget);
    const WindowPlan plan = planWindows(width, height, window, budget);
    QVERIFY(int(plan.windows.size()) <= budget);
    QCOMPARE(int(plan.windows.size()), plan.rows * plan.cols);
    QCOMPARE(plan.windows.front().topLeft(), QPoint(0, 0));
    QCOMPARE(plan.windows.back().right() + 1, width); // the last windows touch the far edges
    QCOMPARE(plan.windows.back().bottom() + 1, height);
    for (const QRect &w : plan.windows) {
        QCOMPARE(w.width(), window);
        QVERIFY(QRect(0, 0, width, height).contains(w));
    }
    // Neighbours overlap by at most half a window: the stride is at least half of one...
    QVERIFY(plan.cols == 1 || plan.strideX >= window / 2);
    QVERIFY(plan.rows == 1 || plan.strideY >= window / 2);
    // ...and leaves no gap when windows side by side fit the budget (a 50-megapixel image in
    // 256 windows of 224 pixels cannot be covered: its windows sample it, and its maps say so).
    const qint64 tiling = qint64((width - 1) / window + 1) * ((height - 1) / window + 1);
    if (tiling <= budget)
        QVERIFY(plan.strideX <= window && plan.strideY <= window);
    else
        QVERIFY(plan.coverage < 1.0);
}

void TestWindowMaps::aSmallImageIsOneWindow()
{
    const WindowPlan plan = planWindows(100, 80, 224, 256);
    QCOMPARE(plan.rows * plan.cols, 1);
    QCOMPARE(plan.windows.front(), QRect(0, 0, 100, 80));
}

// Every pixel belongs to exactly one cell's drawn part.
void TestWindowMaps::cellsPartitionTheImage()
{
    const WindowPlan plan = planWindows(301, 203, 64, 40);
    ImageMap map;
    map.rows = plan.rows;
    map.cols = plan.cols;
    map.windows = plan.windows;
    map.values.assign(plan.windows.size(), 0.0f);
    std::vector<int> covered(301 * 203, 0);
    for (int r = 0; r < map.rows; ++r)
        for (int c = 0; c < map.cols; ++c) {
            const QRect part = map.drawRect(r, c);
            QVERIFY(plan.windows[size_t(r * map.cols + c)].contains(part));
            for (int y = part.top(); y <= part.bottom(); ++y)
                for (int x = part.left(); x <= part.right(); ++x)
                    ++covered[size_t(y * 301 + x)];
        }
    QVERIFY(std::all_of(covered.begin(), covered.end(), [](int n) { return n == 1; }));
}

void TestWindowMaps::aUniformImageGivesAFlatMap()
{
    const DecodedImage image = uniformImage(320, 256, 90, 140, 200);
    int calls = 0;
    Result<WindowMaps> maps
        = computeWindowMaps(image, *m_worker, {}, nullptr, [&](int done, int total) {
              ++calls;
              QVERIFY(done <= total);
          });
    QVERIFY2(maps.ok(), qPrintable(maps.ok() ? QString() : maps.error().message));
    const ImageMap &tiles = maps->tileScores;
    QCOMPARE(tiles.cols, 9); // (320 - 64) / 32 + 1
    QCOMPARE(tiles.rows, 7);
    QCOMPARE(tiles.forwardPasses, (63 + 15) / 16);
    QCOMPARE(calls, tiles.forwardPasses);
    const auto [low, high] = std::minmax_element(tiles.values.begin(), tiles.values.end());
    QVERIFY(*high - *low < 1e-6f); // the same pixels everywhere: the same score everywhere
    QVERIFY(*low >= 0.0f && *high <= 1.0f);
    QVERIFY(maps->selfConsistency.has_value());
    for (float v : maps->selfConsistency->values)
        QVERIFY(std::abs(v - 1.0f) < 1e-5f); // every window is like every other
}

// A window-sized square of noise pasted into a plain image: its window is the least like the
// rest, and its tile score is the one that differs most from the background's.
void TestWindowMaps::aPastedRegionStandsOut()
{
    DecodedImage image = uniformImage(320, 256, 120, 110, 100);
    const QRect pasted(128, 96, 64, 64); // exactly window (row 3, col 4) with a 32-pixel stride
    paste(image, pasted, 7);
    Result<WindowMaps> maps = computeWindowMaps(image, *m_worker);
    QVERIFY(maps.ok());
    const ImageMap &consistency = *maps->selfConsistency;
    const auto lowest = std::min_element(consistency.values.begin(), consistency.values.end());
    const size_t index = size_t(lowest - consistency.values.begin());
    QCOMPARE(consistency.windows[index], pasted);
    const ImageMap &tiles = maps->tileScores;
    const float background = tiles.value(0, 0);
    size_t furthest = 0;
    for (size_t i = 0; i < tiles.values.size(); ++i)
        if (std::abs(tiles.values[i] - background) > std::abs(tiles.values[furthest] - background))
            furthest = i;
    QCOMPARE(tiles.windows[furthest], pasted);
    // Windows that do not touch the square score as the background does.
    for (size_t i = 0; i < tiles.values.size(); ++i)
        if (!tiles.windows[i].intersects(pasted))
            QVERIFY(std::abs(tiles.values[i] - background) < 1e-6f);
}

void TestWindowMaps::theGridGoesToJson()
{
    DecodedImage image = uniformImage(200, 130, 10, 20, 30);
    paste(image, QRect(0, 0, 50, 50), 3);
    Result<WindowMaps> maps = computeWindowMaps(image, *m_worker);
    QVERIFY(maps.ok());
    const QJsonObject json = imageMapToJson(maps->tileScores);
    QCOMPARE(json.value(QStringLiteral("kind")).toString(), QStringLiteral("tile-score"));
    QCOMPARE(json.value(QStringLiteral("units")).toString(), QStringLiteral("P(synthetic)"));
    const QJsonArray rows = json.value(QStringLiteral("values")).toArray();
    QCOMPARE(rows.size(), maps->tileScores.rows);
    for (int r = 0; r < rows.size(); ++r) {
        const QJsonArray row = rows[r].toArray();
        QCOMPARE(row.size(), maps->tileScores.cols);
        for (int c = 0; c < row.size(); ++c)
            QCOMPARE(float(row[c].toDouble()), maps->tileScores.value(r, c));
    }
    const QJsonArray firstWindow
        = json.value(QStringLiteral("windows")).toArray()[0].toArray()[0].toArray();
    QCOMPARE(firstWindow, (QJsonArray{ 0, 0, 64, 64 }));
}

void TestWindowMaps::cancelStopsTheMap()
{
    const DecodedImage image = uniformImage(640, 480, 1, 2, 3);
    std::atomic_bool cancel{ true };
    Result<WindowMaps> maps = computeWindowMaps(image, *m_worker, {}, &cancel);
    QVERIFY(!maps.ok());
    QCOMPARE(maps.error().code, ErrorCode::Cancelled);
    WindowMapSettings bad;
    bad.maxWindows = 0;
    QCOMPARE(computeWindowMaps(image, *m_worker, bad).error().code, ErrorCode::BadSettings);
}

std::shared_ptr<const AttachedBank> TestWindowMaps::makeBank(const QString &name,
    const std::vector<DecodedImage> &synthetic, const std::vector<DecodedImage> &real)
{
    const ModelInfo &info = m_worker->info();
    const QString path = m_dir.filePath(name);
    auto bank = ExemplarBank::create(path, BankIdentity{ info.bundleSha256, info.manifest.id, 8 });
    if (!bank.ok())
        return nullptr;
    int n = 0;
    for (const auto *images : { &synthetic, &real }) {
        for (const DecodedImage &image : *images) {
            Result<at::Tensor> input = preprocessImage(image, info.manifest.input);
            Result<Prediction> prediction = m_worker->submit(*input).get();
            if (!input.ok() || !prediction.ok())
                return nullptr;
            Exemplar e;
            e.label = images == &synthetic ? QStringLiteral("synthetic") : QStringLiteral("real");
            e.path = QStringLiteral("%1/%2.png").arg(e.label).arg(n++);
            e.sha256 = QString(64, QLatin1Char('0' + n % 10));
            e.width = image.width;
            e.height = image.height;
            e.embedding = prediction->embedding;
            if ((*bank)->insert(e))
                return nullptr;
        }
    }
    if ((*bank)->commit())
        return nullptr;
    bank->reset();
    Result<std::shared_ptr<const AttachedBank>> attached = AttachedBank::open(path, info);
    return attached.ok() ? *attached : nullptr;
}

// The right half of a plain image replaced by noise; the bank's synthetic exemplars are noise,
// its real ones plain colours: every window on the noise leans synthetic, every window on the
// plain half real.
void TestWindowMaps::patchSimilarityFindsTheSyntheticHalf()
{
    std::vector<DecodedImage> synthetic, real;
    for (quint32 seed = 11; seed < 15; ++seed)
        synthetic.push_back(noiseImage(64, 64, seed));
    real.push_back(uniformImage(64, 64, 120, 110, 100));
    real.push_back(uniformImage(64, 64, 100, 100, 100));
    real.push_back(uniformImage(64, 64, 150, 120, 90));
    WindowMapSettings settings;
    settings.bank = makeBank(QStringLiteral("halves.sqlite"), synthetic, real);
    settings.patchNeighbours = 2;
    QVERIFY(settings.bank);

    DecodedImage image = uniformImage(320, 256, 120, 110, 100);
    paste(image, QRect(160, 0, 160, 256), 99);
    Result<WindowMaps> maps = computeWindowMaps(image, *m_worker, settings);
    QVERIFY2(maps.ok(), qPrintable(maps.ok() ? QString() : maps.error().message));
    QVERIFY2(maps->patchSimilarity.has_value(), qPrintable(maps->noPatchSimilarity));
    const ImageMap &map = *maps->patchSimilarity;
    QCOMPARE(map.kind, ImageMap::Kind::PatchSimilarity);
    QCOMPARE(map.values.size(), maps->tileScores.values.size());
    float plainHighest = -10.0f, noiseLowest = 10.0f;
    for (size_t i = 0; i < map.values.size(); ++i) {
        const QRect w = map.windows[i];
        if (w.right() < 160)
            plainHighest = std::max(plainHighest, map.values[i]);
        else if (w.left() >= 160)
            noiseLowest = std::min(noiseLowest, map.values[i]);
    }
    QVERIFY2(plainHighest < 0.0f, qPrintable(QString::number(plainHighest)));
    QVERIFY2(noiseLowest > 0.0f, qPrintable(QString::number(noiseLowest)));
    QCOMPARE(map.low, -map.high); // the legend is centred on "as close to either class"
    QCOMPARE(imageMapToJson(map).value(QStringLiteral("kind")).toString(),
        QStringLiteral("patch-similarity"));
}

// The same pixels everywhere: interior windows, which draw only their central cells, all get
// the same value, and it leans to the plain exemplars.
void TestWindowMaps::patchSimilarityOfAUniformImageIsEven()
{
    WindowMapSettings settings;
    settings.bank = makeBank(QStringLiteral("uniform.sqlite"),
        { noiseImage(64, 64, 1), noiseImage(64, 64, 2) },
        { uniformImage(64, 64, 90, 140, 200), uniformImage(64, 64, 80, 120, 180) });
    QVERIFY(settings.bank);
    const DecodedImage image = uniformImage(320, 256, 90, 140, 200);
    Result<WindowMaps> maps = computeWindowMaps(image, *m_worker, settings);
    QVERIFY(maps.ok() && maps->patchSimilarity);
    const ImageMap &map = *maps->patchSimilarity;
    const float interior = map.value(1, 1);
    for (int r = 1; r + 1 < map.rows; ++r)
        for (int c = 1; c + 1 < map.cols; ++c)
            QVERIFY(std::abs(map.value(r, c) - interior) < 1e-5f);
    for (float v : map.values)
        QVERIFY(v < 0.0f);
}

void TestWindowMaps::patchSimilaritySaysWhyThereIsNone()
{
    const DecodedImage image = uniformImage(128, 128, 5, 6, 7);
    Result<WindowMaps> none = computeWindowMaps(image, *m_worker);
    QVERIFY(none.ok());
    QVERIFY(!none->patchSimilarity);
    QVERIFY2(none->noPatchSimilarity.contains(QStringLiteral("no exemplar bank")),
        qPrintable(none->noPatchSimilarity));
    QVERIFY(none->noSelfConsistency.isEmpty());

    WindowMapSettings settings;
    settings.bank = makeBank(QStringLiteral("one-class.sqlite"), { noiseImage(64, 64, 3) }, {});
    QVERIFY(settings.bank);
    Result<WindowMaps> oneClass = computeWindowMaps(image, *m_worker, settings);
    QVERIFY(oneClass.ok() && !oneClass->patchSimilarity);
    QVERIFY2(oneClass->noPatchSimilarity.contains(QStringLiteral("no real exemplars")),
        qPrintable(oneClass->noPatchSimilarity));

    // A bank of another bundle is refused before it is used.
    ModelInfo other = m_worker->info();
    other.bundleSha256 = QString(64, QLatin1Char('f'));
    const Result<std::shared_ptr<const AttachedBank>> refused
        = AttachedBank::open(m_dir.filePath(QStringLiteral("one-class.sqlite")), other);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::BankMismatch);
}

QTEST_GUILESS_MAIN(TestWindowMaps)
#include "tst_window_maps.moc"
