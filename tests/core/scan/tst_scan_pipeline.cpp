// runScan() itself, where the command line cannot reach: a file that vanishes between the walk
// and its read, and a cancel raised from inside the scan.
#include "csv_file_records.h"
#include "test_model_factory.h"

#include "forgelens/scan/csv_record.h"
#include "forgelens/scan/scan_pipeline.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>

using namespace forgelens;

class TestScanPipeline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        m_model = m_work.filePath(QStringLiteral("model.pt"));
        QVERIFY(
            testing::saveTestBundle(m_model, testing::makeTestModule(1), testing::testManifest()));
        m_evidence = m_work.filePath(QStringLiteral("evidence"));
        QVERIFY(QDir().mkpath(m_evidence));
        QImage image(96, 64, QImage::Format_RGB888);
        for (int i = 0; i < 30; ++i) {
            image.fill(QColor(i * 8, 255 - i * 8, 128));
            QVERIFY(image.save(
                QStringLiteral("%1/image-%2.png").arg(m_evidence).arg(i, 2, 10, QLatin1Char('0'))));
        }
    }

    void aFileThatVanishesAfterTheWalkGetsARow()
    {
        const QString victim = m_evidence + QStringLiteral("/image-07.png");
        const QByteArray kept = [&] {
            QFile file(victim);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        ScanSettings settings = baseSettings(QStringLiteral("vanished.csv"));
        ScanObserver observer;
        observer.started = [&](const ScanPlan &plan) {
            QCOMPARE(plan.filesInScope, qint64(30));
            QVERIFY(QFile::remove(victim)); // listed, then gone before it is read
        };
        std::atomic_bool cancel{ false };
        Result<ScanSummary> summary = runScan(settings, cancel, observer);
        QFile restore(victim);
        QVERIFY(restore.open(QIODevice::WriteOnly));
        restore.write(kept);
        restore.close();

        QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().message));
        QCOMPARE(summary->statusCounts.at(QStringLiteral("not-found")), qint64(1));
        QCOMPARE(summary->statusCounts.at(QStringLiteral("ok")), qint64(29));
        const std::vector<QStringList> records = testing::readCsvRecords(settings.outputCsv);
        QCOMPARE(records.size(), size_t(31));
        const QStringList &row = records[8];
        QCOMPARE(row.at(0), QStringLiteral("image-07.png"));
        QCOMPARE(row.at(row.size() - 2), QStringLiteral("not-found"));
        QVERIFY(!row.last().isEmpty());
    }

    void cancelKeepsEveryStartedRowAndResumes()
    {
        ScanSettings settings = baseSettings(QStringLiteral("cancelled.csv"));
        std::atomic_bool cancel{ false };
        ScanObserver observer;
        observer.progress = [&](const ScanProgress &progress) {
            if (progress.done == 5)
                cancel = true;
        };
        Result<ScanSummary> first = runScan(settings, cancel, observer);
        QVERIFY(first.ok());
        QVERIFY(first->interrupted);
        // Files already taken by the pool are finished and written; nothing is torn.
        QVERIFY(first->rowsWritten >= 5 && first->rowsWritten < 30);
        const std::vector<QStringList> partial
            = testing::readCsvRecords(settings.temporaryCsvPath());
        QCOMPARE(qint64(partial.size()) - 1, first->rowsWritten);
        QVERIFY(!QFile::exists(settings.outputCsv));

        cancel = false;
        settings.resume = true;
        Result<ScanSummary> second = runScan(settings, cancel, {});
        QVERIFY(second.ok());
        QVERIFY(!second->interrupted);
        QCOMPARE(second->plan.rowsResumed, first->rowsWritten);
        QCOMPARE(second->rowsWritten, 30 - first->rowsWritten);
        const std::vector<QStringList> records = testing::readCsvRecords(settings.outputCsv);
        QCOMPARE(records.size(), size_t(31));
        for (size_t i = 1; i < records.size(); ++i)
            QCOMPARE(records[i].at(0),
                QStringLiteral("image-%1.png").arg(int(i) - 1, 2, 10, QLatin1Char('0')));
    }

    // A bundle that allows the reduced JPEG decode: the scan decodes a 12-megapixel-like JPEG
    // at a fraction of its size, yet the report gives the photograph's own size, the scores stay
    // close to the full decode's, and the sidecar says which decode was used; --full-decode's
    // setting gives the full decode.
    void reducedDecodeReportsTheFullSize()
    {
        const QString folder = m_work.filePath(QStringLiteral("large"));
        QVERIFY(QDir().mkpath(folder));
        QImage photo(1603, 1201, QImage::Format_RGB888);
        for (int y = 0; y < photo.height(); ++y)
            for (int x = 0; x < photo.width(); ++x)
                photo.setPixel(x, y, qRgb((x * 3 + y) % 256, (y * 5) % 256, ((x ^ y) * 7) % 256));
        QVERIFY(photo.save(folder + QStringLiteral("/photo.jpg"), "JPEG", 92));
        const QJsonObject manifest = testing::allowingReducedJpegDecode(testing::testManifest());
        const QString model = m_work.filePath(QStringLiteral("reducible.pt"));
        QVERIFY(testing::saveTestBundle(model, testing::makeTestModule(1), manifest));

        std::map<bool, double> scores;
        for (const bool reduced : { true, false }) {
            ScanSettings settings = baseSettings(
                reduced ? QStringLiteral("reduced.csv") : QStringLiteral("full.csv"));
            settings.root = folder;
            settings.modelPaths = { model };
            settings.reducedJpegDecode = reduced;
            std::atomic_bool cancel{ false };
            Result<ScanSummary> summary = runScan(settings, cancel, {});
            QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().message));
            const std::vector<QStringList> records = testing::readCsvRecords(settings.outputCsv);
            QCOMPARE(records.size(), size_t(2));
            const QStringList &header = records[0];
            const QStringList &row = records[1];
            QCOMPARE(row.at(header.indexOf(QStringLiteral("width"))), QStringLiteral("1603"));
            QCOMPARE(row.at(header.indexOf(QStringLiteral("height"))), QStringLiteral("1201"));
            scores[reduced]
                = row.at(header.indexOf(QStringLiteral("forgelens-untrained-test.p_synthetic")))
                      .toDouble();
            QFile sidecar(settings.sidecarPath());
            QVERIFY(sidecar.open(QIODevice::ReadOnly));
            const QJsonObject recorded = QJsonDocument::fromJson(sidecar.readAll())
                                             .object()
                                             .value(QStringLiteral("settings"))
                                             .toObject();
            QCOMPARE(
                recorded.value(QStringLiteral("reduced_jpeg_decode")).toBool(!reduced), reduced);
        }
        QVERIFY(std::fabs(scores[true] - scores[false]) < 0.01);
    }

    // A bundle that crops at native resolution, as CoDE's converter writes it: the scan decodes
    // only around the crop, and its report is the full decode's row for row, scores and all,
    // to the last digit printed (the crop's pixels are the same).
    void cropOnlyDecodeChangesNothingInTheReport()
    {
        const QString folder = m_work.filePath(QStringLiteral("native"));
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < 3; ++i) {
            QImage photo(1203 + 2 * i, 901, QImage::Format_RGB888);
            for (int y = 0; y < photo.height(); ++y)
                for (int x = 0; x < photo.width(); ++x)
                    photo.setPixel(
                        x, y, qRgb((x * 3 + y * i) % 256, (y * 5 + x) % 256, ((x ^ y) * 7) % 256));
            QVERIFY(photo.save(folder + QStringLiteral("/photo-%1.jpg").arg(i), "JPEG", 90));
        }
        QJsonObject manifest = testing::testManifest();
        QJsonObject input = manifest.value(QStringLiteral("input")).toObject();
        input.insert(QStringLiteral("resize"),
            QJsonObject{ { QStringLiteral("policy"), QStringLiteral("none") } });
        input.insert(QStringLiteral("crop"),
            QJsonObject{ { QStringLiteral("policy"), QStringLiteral("center") },
                { QStringLiteral("size"), QJsonArray{ 64, 64 } } });
        manifest.insert(QStringLiteral("input"), input);
        const QString model = m_work.filePath(QStringLiteral("native.pt"));
        QVERIFY(testing::saveTestBundle(model, testing::makeTestModule(1), manifest));

        std::map<bool, std::vector<QStringList>> reports;
        for (const bool region : { true, false }) {
            ScanSettings settings
                = baseSettings(region ? QStringLiteral("region.csv") : QStringLiteral("whole.csv"));
            settings.root = folder;
            settings.modelPaths = { model };
            settings.cropOnlyJpegDecode = region;
            std::atomic_bool cancel{ false };
            std::atomic_int cropOnly{ 0 };
            ScanObserver observer;
            observer.recordComing = [&cropOnly](const QString &, const AnalysisRecord &record) {
                cropOnly += record.cropOnlyDecode ? 1 : 0;
            };
            Result<ScanSummary> summary = runScan(settings, cancel, observer);
            QCOMPARE(cropOnly.load(), region ? 3 : 0);
            QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().message));
            reports[region] = testing::readCsvRecords(settings.outputCsv);
        }
        const std::vector<QStringList> &region = reports[true];
        const std::vector<QStringList> &whole = reports[false];
        QCOMPARE(region.size(), size_t(4));
        const QStringList &header = region[0];
        const int width = int(header.indexOf(QStringLiteral("width")));
        const int score
            = int(header.indexOf(QStringLiteral("forgelens-untrained-test.p_synthetic")));
        QVERIFY(width >= 0 && score >= 0);
        QCOMPARE(region[1].at(width), QStringLiteral("1203")); // the photograph's own size
        for (size_t row = 1; row < region.size(); ++row) {
            QVERIFY(!region[row].at(score).isEmpty());
            QCOMPARE(region[row], whole[row]);
        }
    }

    // An experimental model with an inconclusive band: every row's label is its verdict under
    // the band, and says "experimental_" so that no row can be quoted without it.
    void experimentalBandedModelLabelsEveryRow()
    {
        ScanSettings plain = baseSettings(QStringLiteral("plain.csv"));
        std::atomic_bool cancel{ false };
        QVERIFY(runScan(plain, cancel, {}).ok());
        std::vector<double> scores;
        for (const QStringList &row : testing::readCsvRecords(plain.outputCsv))
            if (row.at(0) != QLatin1String("path"))
                scores.push_back(row.at(6).toDouble());
        QCOMPARE(scores.size(), size_t(30));
        std::vector<double> sorted = scores;
        std::sort(sorted.begin(), sorted.end());
        // A band from between the 10th and 11th to between the 20th and 21st of the 30 scores:
        // some rows fall below, inside and above it, none on an edge (the CSV rounds P to 6
        // decimals).
        QVERIFY(sorted[10] - sorted[9] > 1e-5 && sorted[20] - sorted[19] > 1e-5);
        const double low = (sorted[9] + sorted[10]) / 2.0;
        const double high = (sorted[19] + sorted[20]) / 2.0;

        const QJsonObject band{ { QStringLiteral("low"), low }, { QStringLiteral("high"), high },
            { QStringLiteral("chosen_by"), QStringLiteral("the test's own quantiles") } };
        const QJsonObject manifest = testing::testManifest(
            QJsonObject{ { QStringLiteral("family"), QStringLiteral("example") },
                { QStringLiteral("experimental"), true },
                { QStringLiteral("threshold"),
                    QJsonObject{ { QStringLiteral("value"), (low + high) / 2.0 },
                        { QStringLiteral("chosen_by"), QStringLiteral("the band's middle") },
                        { QStringLiteral("inconclusive"), band } } } });
        const QString model = m_work.filePath(QStringLiteral("banded.pt"));
        QVERIFY(testing::saveTestBundle(model, testing::makeTestModule(1), manifest));
        ScanSettings banded = baseSettings(QStringLiteral("banded.csv"));
        banded.modelPaths = { model };
        QVERIFY(runScan(banded, cancel, {}).ok());

        std::map<QString, int> labels;
        for (const QStringList &row : testing::readCsvRecords(banded.outputCsv)) {
            if (row.at(0) == QLatin1String("path"))
                continue;
            const double p = row.at(6).toDouble();
            const QString expected = p >= high ? QStringLiteral("experimental_synthetic")
                : p >= low                     ? QStringLiteral("experimental_inconclusive")
                                               : QStringLiteral("experimental_not_flagged");
            QCOMPARE(row.at(7), expected);
            ++labels[row.at(7)];
        }
        QCOMPARE(labels.size(), size_t(3));
    }

private:
    ScanSettings baseSettings(const QString &name) const
    {
        ScanSettings settings;
        settings.root = m_evidence;
        settings.outputCsv = m_work.filePath(name);
        settings.modelPaths = { m_model };
        settings.engine.maxBatch = 1;
        settings.decodeThreads = 2;
        settings.flushRows = 1;
        // The pipeline reads through the sandbox as the front ends do: forgelens-cli's worker.
        settings.sandbox.workerExecutable = QStringLiteral(FORGELENS_CLI);
        return settings;
    }

    QTemporaryDir m_work;
    QString m_model;
    QString m_evidence;
};

QTEST_GUILESS_MAIN(TestScanPipeline)
#include "tst_scan_pipeline.moc"
