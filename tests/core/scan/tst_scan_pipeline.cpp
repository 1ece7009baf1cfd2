// runScan() itself, where the command line cannot reach: a file that vanishes between the walk
// and its read, and a cancel raised from inside the scan.
#include "test_model_factory.h"

#include "forgelens/scan/csv_record.h"
#include "forgelens/scan/scan_pipeline.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace forgelens;

namespace {

std::vector<QStringList> readRecords(const QString &path)
{
    QFile file(path);
    std::vector<QStringList> records;
    if (!file.open(QIODevice::ReadOnly))
        return records;
    const QByteArray text = file.readAll();
    parseCsv(text, [&](QStringList &&record) -> std::optional<Error> {
        records.push_back(std::move(record));
        return std::nullopt;
    });
    return records;
}

} // namespace

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
        const std::vector<QStringList> records = readRecords(settings.outputCsv);
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
        const std::vector<QStringList> partial = readRecords(settings.temporaryCsvPath());
        QCOMPARE(qint64(partial.size()) - 1, first->rowsWritten);
        QVERIFY(!QFile::exists(settings.outputCsv));

        cancel = false;
        settings.resume = true;
        Result<ScanSummary> second = runScan(settings, cancel, {});
        QVERIFY(second.ok());
        QVERIFY(!second->interrupted);
        QCOMPARE(second->plan.rowsResumed, first->rowsWritten);
        QCOMPARE(second->rowsWritten, 30 - first->rowsWritten);
        const std::vector<QStringList> records = readRecords(settings.outputCsv);
        QCOMPARE(records.size(), size_t(31));
        for (size_t i = 1; i < records.size(); ++i)
            QCOMPARE(records[i].at(0),
                QStringLiteral("image-%1.png").arg(int(i) - 1, 2, 10, QLatin1Char('0')));
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
        return settings;
    }

    QTemporaryDir m_work;
    QString m_model;
    QString m_evidence;
};

QTEST_GUILESS_MAIN(TestScanPipeline)
#include "tst_scan_pipeline.moc"
