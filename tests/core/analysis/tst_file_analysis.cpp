// The analysis spine: one function from a file to its record, for any set of detectors.
#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis.h"
#include "forgelens/analysis/file_analysis_job.h"
#include "forgelens/report/analysis_json.h"
#include "forgelens/scan/scan_row.h"
#include "test_model_factory.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>

using namespace forgelens;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

// The test manifest's input with the resize replaced by 16-pixel tiles of the image as it is.
QJsonObject tiledInput()
{
    QJsonObject input = testing::testManifest().value(QStringLiteral("input")).toObject();
    input.insert(QStringLiteral("resize"),
        QJsonObject{ { QStringLiteral("policy"), QStringLiteral("none") } });
    input.insert(QStringLiteral("crop"),
        QJsonObject{ { QStringLiteral("policy"), QStringLiteral("tiles") },
            { QStringLiteral("size"), QJsonArray{ 16, 16 } } });
    return input;
}

} // namespace

class TestFileAnalysis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void oneRecordHoldsEveryDetector();
    void detectorsSharingAnInputArePreprocessedOnce();
    void sameIdTwiceIsRefused();
    void badFileKeepsItsIdentityAndCode();
    void cancelledBeforeReading();
    void truncatedFileIsShownButNeverScored();
    void metadataReportOnlyWhenAsked();
    void jsonAndCsvAreProjectionsOfTheRecord();
    void jobRunsOffTheCallingThread();

private:
    QTemporaryDir m_dir;
    QString m_resized; // exact 64x64 resize
    QString m_resizedTwin; // same input spec, other id and weights
    QString m_tiled; // 16x16 tiles
    DetectorSet m_set;
};

void TestFileAnalysis::initTestCase()
{
    m_resized = m_dir.filePath(QStringLiteral("resized.pt"));
    m_resizedTwin = m_dir.filePath(QStringLiteral("twin.pt"));
    m_tiled = m_dir.filePath(QStringLiteral("tiled.pt"));
    QVERIFY(testing::saveTestBundle(m_resized, testing::makeTestModule(1, 1),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("resized") } })));
    QVERIFY(testing::saveTestBundle(m_resizedTwin, testing::makeTestModule(2, 7),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("twin") } })));
    QVERIFY(testing::saveTestBundle(m_tiled, testing::makeTestModule(1, 3),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("tiled") },
            { QStringLiteral("input"), tiledInput() } })));
    Result<DetectorSet> set = DetectorSet::load({ m_resized, m_tiled, m_resizedTwin }, {});
    QVERIFY2(set.ok(), set ? "" : qPrintable(set.error().message));
    m_set = *set;
}

void TestFileAnalysis::oneRecordHoldsEveryDetector()
{
    const AnalysisRecord record
        = analyzeFile(kFixtures + QStringLiteral("pattern_orient6.jpg"), m_set, {});
    QVERIFY2(
        record.ok(), qPrintable(record.firstError() ? record.firstError()->message : QString()));
    QCOMPARE(record.width, 32); // 48 x 32 stored, turned by EXIF orientation 6
    QCOMPARE(record.height, 48);
    QCOMPARE(record.storedWidth, 48);
    QCOMPARE(record.orientation, 6);
    QCOMPARE(record.digest.sha256.size(), 64);
    QVERIFY(record.finishedUtc >= record.startedUtc);
    QCOMPARE(record.detectors.size(), size_t(3));
    QCOMPARE(record.detectors[0].model->manifest.id, QStringLiteral("resized"));
    QCOMPARE(record.detectors[1].model->manifest.id, QStringLiteral("tiled"));
    QCOMPARE(record.detectors[2].model->manifest.id, QStringLiteral("twin"));
    // Each detector's prediction is the one its own worker gives for that input.
    for (const DetectorResult &result : record.detectors) {
        QVERIFY(result.prediction->pSynthetic >= 0.0f && result.prediction->pSynthetic <= 1.0f);
        QVERIFY(result.prediction->embedding.empty()); // not asked for
    }
    // The exact resize scored the whole image; the tiles cover 32 x 48 with 2 x 3 tiles.
    QCOMPARE(record.detectors[0].regions, (std::vector<QRect>{ QRect(0, 0, 32, 48) }));
    QCOMPARE(record.detectors[1].prediction->tiles, 6);
    QCOMPARE(record.detectors[1].regions.size(), size_t(6));
    QCOMPARE(record.detectors[1].regions.front(), QRect(0, 0, 16, 16));
    QCOMPARE(record.detectors[1].regions.back(), QRect(16, 32, 16, 16));
    QCOMPARE(record.scoredCount(), 3);
}

void TestFileAnalysis::detectorsSharingAnInputArePreprocessedOnce()
{
    QCOMPARE(m_set.groups().size(), size_t(2));
    QCOMPARE(m_set.groups()[0].members, (std::vector<size_t>{ 0, 2 }));
    QCOMPARE(m_set.groups()[1].members, (std::vector<size_t>{ 1 }));
    // The pending stage queues one input per group: 64x64 once for both resized detectors,
    // six 16x16 tiles for the tiled one.
    PendingAnalysis pending
        = beginFileAnalysis(kFixtures + QStringLiteral("pattern.png"), m_set, {});
    QCOMPARE(pending.inputBytes, qint64(3 * 64 * 64 * 4 + 6 * 3 * 16 * 16 * 4));
    const AnalysisRecord record = finishFileAnalysis(std::move(pending), {});
    QVERIFY(record.ok());
}

void TestFileAnalysis::sameIdTwiceIsRefused()
{
    const Result<DetectorSet> twice = DetectorSet::load({ m_resized, m_resized }, {});
    QVERIFY(!twice.ok());
    QVERIFY(twice.error().code == ErrorCode::BadSettings);
    const Result<DetectorSet> missing
        = DetectorSet::load({ m_resized, m_dir.filePath(QStringLiteral("absent.pt")) }, {});
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().code == ErrorCode::ModelUnusable);
    QVERIFY(missing.error().message.contains(QStringLiteral("absent.pt")));
}

void TestFileAnalysis::badFileKeepsItsIdentityAndCode()
{
    const AnalysisRecord record
        = analyzeFile(kFixtures + QStringLiteral("text_renamed.png"), m_set, {});
    QVERIFY(!record.ok());
    QVERIFY(record.fileError && record.fileError->code == ErrorCode::NotAnImage);
    QCOMPARE(record.digest.sha256.size(), 64); // still identified
    QCOMPARE(record.detectors.size(), size_t(3)); // named, none scored
    QCOMPARE(record.scoredCount(), 0);
    QCOMPARE(record.firstError()->codeName(), QStringLiteral("not-an-image"));

    const AnalysisRecord missing
        = analyzeFile(m_dir.filePath(QStringLiteral("gone.png")), m_set, {});
    QCOMPARE(missing.firstError()->codeName(), QStringLiteral("not-found"));
    QCOMPARE(missing.fileSize, qint64(-1));
}

void TestFileAnalysis::cancelledBeforeReading()
{
    std::atomic_bool cancel{ true };
    AnalysisHooks hooks;
    hooks.cancel = &cancel;
    const AnalysisRecord record
        = analyzeFile(kFixtures + QStringLiteral("pattern.png"), m_set, {}, hooks);
    QVERIFY(record.fileError && record.fileError->code == ErrorCode::Cancelled);
}

void TestFileAnalysis::truncatedFileIsShownButNeverScored()
{
    AnalysisRequest request;
    request.salvageTruncated = true;
    std::optional<DecodedImage> shown;
    AnalysisHooks hooks;
    hooks.decoded = [&shown](const DecodedImage &image) { shown = image; };
    const AnalysisRecord record
        = analyzeFile(kFixtures + QStringLiteral("truncated.jpg"), m_set, request, hooks);
    QVERIFY(record.fileError && record.fileError->code == ErrorCode::Truncated);
    QCOMPARE(record.scoredCount(), 0);
    QVERIFY(shown.has_value());
    QVERIFY(shown->truncated);
    QCOMPARE(shown->width, 48);
    QCOMPARE(shown->height, 32);

    // Without the request, nothing is salvaged.
    shown.reset();
    analyzeFile(kFixtures + QStringLiteral("truncated.jpg"), m_set, {}, hooks);
    QVERIFY(!shown.has_value());
}

void TestFileAnalysis::metadataReportOnlyWhenAsked()
{
    const QString jpeg = kFixtures + QStringLiteral("pattern_baseline.jpg");
    const AnalysisRecord lean = analyzeFile(jpeg, m_set, {});
    QVERIFY(lean.metadataRead);
    QVERIFY(!lean.metadata.has_value());
    QVERIFY(!lean.findingCodes.isEmpty());
    AnalysisRequest full;
    full.keepMetadataReport = true;
    full.keepEmbeddings = true;
    const AnalysisRecord rich = analyzeFile(jpeg, m_set, full);
    QVERIFY(rich.metadata.has_value());
    QCOMPARE(rich.metadata->findings.size(), size_t(rich.findingCodes.size()));
    QCOMPARE(rich.detectors[0].prediction->embedding.size(), size_t(8));
    AnalysisRequest none;
    none.readMetadata = false;
    QVERIFY(analyzeFile(jpeg, m_set, none).findingCodes.isEmpty());
}

void TestFileAnalysis::jsonAndCsvAreProjectionsOfTheRecord()
{
    const AnalysisRecord record = analyzeFile(kFixtures + QStringLiteral("pattern.png"), m_set, {});
    const QJsonObject json = analysisRecordToJson(record);
    QCOMPARE(json.value(QStringLiteral("status")), QStringLiteral("ok"));
    const QJsonArray detectors = json.value(QStringLiteral("detectors")).toArray();
    QCOMPARE(detectors.size(), 3);
    const QStringList csv = scanCsvFields(QStringLiteral("a/pattern.png"), record);
    QCOMPARE(csv.size(), scanCsvHeader(m_set.models()).size());
    for (int i = 0; i < 3; ++i) {
        const QJsonObject d = detectors[i].toObject();
        QCOMPARE(d.value(QStringLiteral("model")).toString(), m_set.model(size_t(i))->manifest.id);
        // The untrained test model's label carries its caveat, in JSON and CSV alike.
        QVERIFY(
            d.value(QStringLiteral("label")).toString().startsWith(QStringLiteral("untrained_")));
        QCOMPARE(csv.at(6 + 3 * i + 1), d.value(QStringLiteral("label")).toString());
        QCOMPARE(csv.at(6 + 3 * i),
            QString::number(d.value(QStringLiteral("p_synthetic")).toDouble(), 'f', 6));
    }
    QCOMPARE(csv.at(csv.size() - 2), QStringLiteral("ok"));
}

void TestFileAnalysis::jobRunsOffTheCallingThread()
{
    auto *job = new FileAnalysisJob(7, kFixtures + QStringLiteral("pattern.png"), m_set, {},
        std::make_shared<std::atomic_bool>(false));
    std::atomic<QThread *> decodedOn{ nullptr };
    std::optional<AnalysisRecord> finished;
    connect(
        job, &FileAnalysisJob::decoded, this,
        [&decodedOn](quint64, const DecodedImage &) { decodedOn = QThread::currentThread(); },
        Qt::DirectConnection);
    connect(
        job, &FileAnalysisJob::finished, this,
        [&finished](quint64 id, const AnalysisRecord &record) {
            if (id == 7)
                finished = record;
        },
        Qt::QueuedConnection);
    QThreadPool::globalInstance()->start(job);
    QTRY_VERIFY_WITH_TIMEOUT(finished.has_value(), 30000);
    QVERIFY(finished->ok());
    QVERIFY(decodedOn.load() != nullptr);
    QVERIFY(decodedOn.load() != QThread::currentThread());
}

QTEST_GUILESS_MAIN(TestFileAnalysis)
#include "tst_file_analysis.moc"
