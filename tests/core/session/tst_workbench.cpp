// The widget-free session the window binds to, driven headless.
#include "forgelens/session/workbench.h"
#include "test_model_factory.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace forgelens;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

QStringList ids(const Workbench &workbench)
{
    QStringList out;
    for (const std::shared_ptr<const ModelInfo> &model : workbench.detectors())
        out << model->manifest.id;
    return out;
}

QStringList recordIds(const AnalysisRecord &record)
{
    QStringList out;
    for (const DetectorResult &result : record.detectors)
        out << result.model->manifest.id;
    return out;
}

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void severalDetectorsScoreTheOpenFile();
    void failedSwapLeavesEverythingAsItWas();
    void swapReplacesInPlaceAndReanalyses();
    void reorderAndUnload();
    void badFileGetsItsCodeAndTheNextStillWorks();
    void newestRequestWinsAndCancelStops();
    void duplicateIdIsRefused();
    void banksGiveExemplarsAndPatchMaps();
    void mapsCanBeCancelled();

private:
    bool waitIdle(Workbench &workbench);
    QTemporaryDir m_dir;
    QString m_a;
    QString m_b;
    QString m_c;
    QString m_notABundle;
    QString m_large;
};

void TestWorkbench::initTestCase()
{
    m_a = m_dir.filePath(QStringLiteral("a.pt"));
    m_b = m_dir.filePath(QStringLiteral("b.pt"));
    m_c = m_dir.filePath(QStringLiteral("c.pt"));
    QVERIFY(testing::saveTestBundle(m_a, testing::makeTestModule(1, 1),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("a") } })));
    QVERIFY(testing::saveTestBundle(m_b, testing::makeTestModule(1, 2),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("b") } })));
    QVERIFY(testing::saveTestBundle(m_c, testing::makeTestModule(2, 3),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("c") } })));
    // A 4000 x 3000 BMP (36 MB): reading, hashing and decoding it take long enough for a
    // cancel raised right after the request to land before the models run.
    m_large = m_dir.filePath(QStringLiteral("large.bmp"));
    QFile large(m_large);
    QVERIFY(large.open(QIODevice::WriteOnly));
    const qint32 width = 4000;
    const qint32 height = 3000;
    const qint32 pixelBytes = width * height * 3;
    QByteArray header(54, '\0');
    const auto put32 = [&header](int at, qint32 value) {
        for (int i = 0; i < 4; ++i)
            header[at + i] = char((value >> (8 * i)) & 0xff);
    };
    header[0] = 'B';
    header[1] = 'M';
    put32(2, 54 + pixelBytes);
    put32(10, 54);
    put32(14, 40);
    put32(18, width);
    put32(22, height);
    header[26] = 1;
    header[28] = 24;
    put32(34, pixelBytes);
    large.write(header);
    large.write(QByteArray(pixelBytes, char(0x80)));
    large.close();
    m_notABundle = m_dir.filePath(QStringLiteral("notes.pt"));
    QFile notes(m_notABundle);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("these are notes, not a model");
}

bool TestWorkbench::waitIdle(Workbench &workbench)
{
    return QTest::qWaitFor([&] { return !workbench.isBusy(); }, 60000);
}

void TestWorkbench::severalDetectorsScoreTheOpenFile()
{
    Workbench workbench;
    QSignalSpy records(&workbench, &Workbench::recordReady);
    QSignalSpy decoded(&workbench, &Workbench::imageDecoded);
    workbench.addDetector(m_a);
    workbench.addDetector(m_b);
    QVERIFY(waitIdle(workbench));
    QCOMPARE(ids(workbench), (QStringList{ QStringLiteral("a"), QStringLiteral("b") }));
    workbench.openFiles({ kFixtures + QStringLiteral("pattern.png") });
    QVERIFY(waitIdle(workbench));
    QCOMPARE(records.size(), 1);
    const auto record = records.last().at(1).value<AnalysisRecord>();
    QVERIFY(record.ok());
    QCOMPARE(recordIds(record), ids(workbench));
    QVERIFY(record.metadata.has_value()); // the window shows the whole report
    QCOMPARE(decoded.size(), 1);
    QVERIFY(workbench.record(kFixtures + QStringLiteral("pattern.png")) != nullptr);
}

void TestWorkbench::failedSwapLeavesEverythingAsItWas()
{
    Workbench workbench;
    workbench.addDetector(m_a);
    workbench.openFiles({ kFixtures + QStringLiteral("pattern.png") });
    QVERIFY(waitIdle(workbench));
    const AnalysisRecord before = *workbench.record(kFixtures + QStringLiteral("pattern.png"));

    QSignalSpy failed(&workbench, &Workbench::detectorLoadFailed);
    QSignalSpy changed(&workbench, &Workbench::detectorsChanged);
    QSignalSpy records(&workbench, &Workbench::recordReady);
    workbench.replaceDetector(0, m_notABundle);
    QVERIFY(waitIdle(workbench));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).toString(), m_notABundle);
    QVERIFY(failed.first().at(1).value<Error>().code == ErrorCode::BadBundle);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(records.size(), 0);
    QCOMPARE(ids(workbench), QStringList{ QStringLiteral("a") });
    const AnalysisRecord after = *workbench.record(kFixtures + QStringLiteral("pattern.png"));
    QCOMPARE(recordIds(after), recordIds(before));
    QCOMPARE(after.detectors[0].prediction->pSynthetic, before.detectors[0].prediction->pSynthetic);
}

void TestWorkbench::swapReplacesInPlaceAndReanalyses()
{
    Workbench workbench;
    workbench.addDetector(m_a);
    QVERIFY(waitIdle(workbench));
    workbench.addDetector(m_b);
    QVERIFY(waitIdle(workbench));
    workbench.openFiles({ kFixtures + QStringLiteral("pattern.png") });
    QVERIFY(waitIdle(workbench));
    QSignalSpy records(&workbench, &Workbench::recordReady);
    workbench.replaceDetector(0, m_c);
    // Until the new bundle has loaded, the old detector stays.
    QCOMPARE(ids(workbench), (QStringList{ QStringLiteral("a"), QStringLiteral("b") }));
    QVERIFY(waitIdle(workbench));
    QCOMPARE(ids(workbench), (QStringList{ QStringLiteral("c"), QStringLiteral("b") }));
    QCOMPARE(records.size(), 1);
    QCOMPARE(recordIds(records.last().at(1).value<AnalysisRecord>()),
        (QStringList{ QStringLiteral("c"), QStringLiteral("b") }));

    // The detector being replaced is unloaded while its replacement loads: the new one joins.
    workbench.replaceDetector(1, m_a);
    workbench.removeDetector(1);
    QCOMPARE(ids(workbench), QStringList{ QStringLiteral("c") });
    QVERIFY(waitIdle(workbench));
    QCOMPARE(ids(workbench), (QStringList{ QStringLiteral("c"), QStringLiteral("a") }));
}

void TestWorkbench::reorderAndUnload()
{
    Workbench workbench;
    workbench.addDetector(m_a);
    QVERIFY(waitIdle(workbench));
    workbench.addDetector(m_b);
    QVERIFY(waitIdle(workbench));
    workbench.addDetector(m_c);
    QVERIFY(waitIdle(workbench));
    workbench.moveDetector(2, 0);
    QCOMPARE(ids(workbench),
        (QStringList{ QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b") }));
    workbench.removeDetector(1);
    QCOMPARE(ids(workbench), (QStringList{ QStringLiteral("c"), QStringLiteral("b") }));
    workbench.openFiles({ kFixtures + QStringLiteral("pattern.png") });
    QVERIFY(waitIdle(workbench));
    QCOMPARE(recordIds(*workbench.record(kFixtures + QStringLiteral("pattern.png"))),
        (QStringList{ QStringLiteral("c"), QStringLiteral("b") }));
}

void TestWorkbench::badFileGetsItsCodeAndTheNextStillWorks()
{
    Workbench workbench;
    workbench.addDetector(m_a);
    QVERIFY(waitIdle(workbench));
    workbench.openFiles({ kFixtures + QStringLiteral("text_renamed.png"),
        kFixtures + QStringLiteral("truncated.jpg"), kFixtures + QStringLiteral("pattern.png") });
    QCOMPARE(workbench.files().size(), 3);
    QCOMPARE(workbench.currentIndex(), 0);
    QVERIFY(waitIdle(workbench));
    QCOMPARE(
        workbench.record(kFixtures + QStringLiteral("text_renamed.png"))->firstError()->codeName(),
        QStringLiteral("not-an-image"));

    QSignalSpy decoded(&workbench, &Workbench::imageDecoded);
    workbench.next();
    QVERIFY(waitIdle(workbench));
    const AnalysisRecord truncated = *workbench.record(kFixtures + QStringLiteral("truncated.jpg"));
    QCOMPARE(truncated.firstError()->codeName(), QStringLiteral("truncated"));
    QCOMPARE(truncated.scoredCount(), 0);
    // What did decode is shown, marked as truncated.
    QCOMPARE(decoded.size(), 1);
    QVERIFY(decoded.first().at(1).value<DecodedImage>().truncated);

    workbench.next();
    QVERIFY(waitIdle(workbench));
    QVERIFY(workbench.record(kFixtures + QStringLiteral("pattern.png"))->ok());
    workbench.next(); // at the end: stays
    QCOMPARE(workbench.currentIndex(), 2);
    workbench.previous();
    QCOMPARE(workbench.currentIndex(), 1);
    QVERIFY(waitIdle(workbench));
}

void TestWorkbench::newestRequestWinsAndCancelStops()
{
    Workbench workbench;
    workbench.addDetector(m_a);
    QVERIFY(waitIdle(workbench));
    QSignalSpy records(&workbench, &Workbench::recordReady);
    workbench.openFiles({ m_large, kFixtures + QStringLiteral("pattern_baseline.jpg") });
    workbench.setCurrentIndex(1); // before the first analysis can finish
    QVERIFY(waitIdle(workbench));
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().at(0).toString(), workbench.files().at(1));

    // A cancel raised while the job reads the file: its record says so.
    records.clear();
    workbench.setCurrentIndex(0);
    workbench.cancel();
    QVERIFY(waitIdle(workbench));
    QCOMPARE(records.size(), 1);
    const auto record = records.first().at(1).value<AnalysisRecord>();
    QVERIFY(record.firstError() && record.firstError()->code == ErrorCode::Cancelled);
}

void TestWorkbench::duplicateIdIsRefused()
{
    Workbench workbench;
    workbench.addDetector(m_a);
    QVERIFY(waitIdle(workbench));
    QSignalSpy failed(&workbench, &Workbench::detectorLoadFailed);
    workbench.addDetector(m_a);
    QVERIFY(waitIdle(workbench));
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.first().at(1).value<Error>().code == ErrorCode::BadSettings);
    QCOMPARE(workbench.detectorCount(), 1);
}

// A bank built in the window's way (folder per class, on the scan pipeline) attaches to its
// detector only: the record's neighbours come from it, the other detector says why it has none,
// and only the detector with the bank gets a patch-similarity map.
void TestWorkbench::banksGiveExemplarsAndPatchMaps()
{
    QTemporaryDir folder;
    for (const QString &label : { QStringLiteral("real"), QStringLiteral("sdxl") })
        QVERIFY(QDir(folder.path()).mkpath(label));
    const QStringList real{ QStringLiteral("pattern.bmp"), QStringLiteral("pattern_grey.png"),
        QStringLiteral("pattern_baseline.jpg") };
    const QStringList synthetic{ QStringLiteral("pattern_rgba.png"),
        QStringLiteral("pattern_palette.png"), QStringLiteral("pattern.tiff") };
    for (const QString &name : real)
        QVERIFY(QFile::copy(kFixtures + name, folder.filePath(QStringLiteral("real/") + name)));
    for (const QString &name : synthetic)
        QVERIFY(QFile::copy(kFixtures + name, folder.filePath(QStringLiteral("sdxl/") + name)));

    Workbench workbench;
    workbench.addDetector(m_a);
    workbench.addDetector(m_b);
    QVERIFY(waitIdle(workbench));
    const QString bankPath = m_dir.filePath(QStringLiteral("a-bank.sqlite"));
    QSignalSpy built(&workbench, &Workbench::bankBuildFinished);
    QSignalSpy banks(&workbench, &Workbench::banksChanged);
    QVERIFY(!workbench.startBankBuild(0, folder.path(), bankPath));
    QVERIFY(workbench.isBuildingBank());
    QVERIFY(built.wait(60000));
    QVERIFY2(built.last().at(2).toString().isEmpty(), qPrintable(built.last().at(2).toString()));
    QVERIFY(banks.wait(30000) || banks.size() > 0);
    QVERIFY(!workbench.isBuildingBank());
    QVERIFY(workbench.bank(0) != nullptr);
    QVERIFY(workbench.bank(1) == nullptr);
    QCOMPARE(workbench.bank(0)->realCount(), 3);
    QCOMPARE(workbench.bank(0)->syntheticCount(), 3);

    // The bank of a is refused for b, and b keeps no bank.
    QSignalSpy refused(&workbench, &Workbench::bankAttachFailed);
    workbench.attachBank(1, bankPath);
    QVERIFY(refused.wait(30000));
    QCOMPARE(refused.last().at(1).value<Error>().code, ErrorCode::BankMismatch);
    QVERIFY(workbench.bank(1) == nullptr);

    QSignalSpy exemplars(&workbench, &Workbench::exemplarsReady);
    workbench.setNearestCount(4);
    workbench.openFiles({ kFixtures + QStringLiteral("pattern.png") });
    QVERIFY(exemplars.wait(60000));
    const auto found = exemplars.last().at(1).value<QVector<DetectorExemplars>>();
    QCOMPARE(found.size(), 2);
    QCOMPARE(found[0].detectorId, QStringLiteral("a"));
    QVERIFY(found[0].neighbourhood.has_value());
    QCOMPARE(found[0].neighbourhood->neighbours.size(), size_t(4));
    for (size_t i = 1; i < 4; ++i) // nearest first
        QVERIFY(found[0].neighbourhood->neighbours[i - 1].similarity
            >= found[0].neighbourhood->neighbours[i].similarity);
    QVERIFY(!found[0].neighbourhood->neighbours[0].exemplar.thumbnailRgb.isEmpty());
    QVERIFY(found[0].neighbourhood->shareText().contains(QStringLiteral("not a probability")));
    QVERIFY(!found[1].neighbourhood.has_value());
    QVERIFY(found[1].missing.contains(QStringLiteral("no exemplar bank")));

    QVERIFY(waitIdle(workbench));
    QSignalSpy maps(&workbench, &Workbench::mapsReady);
    workbench.computeMaps();
    QVERIFY(maps.wait(60000));
    const auto made = maps.last().at(1).value<QVector<DetectorMaps>>();
    QCOMPARE(made.size(), 2);
    QVERIFY(made[0].maps && made[1].maps);
    QVERIFY(made[0].maps->patchSimilarity.has_value());
    QVERIFY(made[0].maps->selfConsistency.has_value());
    QVERIFY(!made[1].maps->patchSimilarity.has_value());
    QVERIFY(made[1].maps->noPatchSimilarity.contains(QStringLiteral("no exemplar bank")));

    // Detached: the neighbours of the next record say so.
    workbench.detachBank(0);
    QVERIFY(workbench.bank(0) == nullptr);
}

void TestWorkbench::mapsCanBeCancelled()
{
    Workbench workbench;
    workbench.addDetector(m_a);
    QVERIFY(waitIdle(workbench));
    workbench.openFiles({ m_large });
    QVERIFY(waitIdle(workbench));
    QSignalSpy failed(&workbench, &Workbench::mapsFailed);
    QSignalSpy ready(&workbench, &Workbench::mapsReady);
    workbench.computeMaps();
    QVERIFY(workbench.isMapping());
    workbench.cancelMaps();
    QVERIFY(failed.wait(60000));
    QCOMPARE(failed.last().at(1).value<Error>().code, ErrorCode::Cancelled);
    QCOMPARE(ready.size(), 0);
    QVERIFY(!workbench.isMapping());
}

QTEST_GUILESS_MAIN(TestWorkbench)
#include "tst_workbench.moc"
