// A folder scan started through the widget-free workbench (what the window does) writes the
// report `forgelens-cli scan` writes, byte for byte; one cancelled and resumed does too; the rows
// it sends out are those of the report.
#include "cli_run.h"
#include "forgelens/scan/scan_report.h"
#include "forgelens/session/workbench.h"
#include "test_model_factory.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace forgelens;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The first line where two reports differ, for the failure message.
QByteArray firstDifference(const QByteArray &a, const QByteArray &b)
{
    const QList<QByteArray> x = a.split('\n');
    const QList<QByteArray> y = b.split('\n');
    for (qsizetype i = 0; i < std::max(x.size(), y.size()); ++i) {
        if (x.value(i) != y.value(i))
            return "line " + QByteArray::number(i + 1) + ":\n  " + x.value(i) + "\n  " + y.value(i);
    }
    return "equal";
}

} // namespace

#define COMPARE_REPORTS(a, b)                                                                      \
    do {                                                                                           \
        const QByteArray left = (a);                                                               \
        const QByteArray right = (b);                                                              \
        QVERIFY2(left == right, firstDifference(left, right).constData());                         \
    } while (false)

class TestFolderScan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void sameReportAsTheCommandLine();
    void cancelThenResumeGivesTheSameReport();
    void refusesAReportInsideTheFolder();
    void pauseHoldsTheScan();
    void anEvaluationGivesTheCommandLinesFigures();

private:
    std::optional<ScanFolderOutcome> scan(Workbench &workbench,
        const Workbench::FolderScanRequest &request, QVector<ScanResultRow> *rows = nullptr,
        bool cancelAtFirstProgress = false);
    void loadDetectors(Workbench &workbench);
    QTemporaryDir m_dir;
    QString m_folder;
    QString m_bundleA;
    QString m_bundleB;
    QString m_cliReport;
};

void TestFolderScan::initTestCase()
{
    m_folder = m_dir.filePath(QStringLiteral("evidence"));
    QVERIFY(QDir().mkpath(m_folder + QStringLiteral("/sub")));
    // 120 small images (more than the scan keeps in flight, so a cancel leaves some unread),
    // a damaged one, a name a spreadsheet would evaluate and a non-image that is skipped.
    for (int i = 0; i < 120; ++i) {
        QImage image(48 + i % 7, 40 + i % 5, QImage::Format_RGB888);
        image.fill(QColor::fromHsv((i * 37) % 360, 160, 60 + i));
        const QString name
            = (i % 3 == 0 ? QStringLiteral("/sub/img-%1.png") : QStringLiteral("/img-%1.jpg"))
                  .arg(i, 3, 10, QLatin1Char('0'));
        QVERIFY(image.save(m_folder + name));
    }
    QFile damaged(m_folder + QStringLiteral("/damaged.jpg"));
    QVERIFY(damaged.open(QIODevice::WriteOnly));
    damaged.write(QByteArray("\xff\xd8\xff\xe0garbage", 11));
    damaged.close();
    QVERIFY(QFile::copy(m_folder + QStringLiteral("/img-001.jpg"),
        m_folder + QStringLiteral("/=HYPERLINK(1).jpg")));
    QFile notes(m_folder + QStringLiteral("/notes.txt"));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("not an image");
    notes.close();

    m_bundleA = m_dir.filePath(QStringLiteral("a.pt"));
    m_bundleB = m_dir.filePath(QStringLiteral("b.pt"));
    QVERIFY(testing::saveTestBundle(m_bundleA, testing::makeTestModule(1, 1),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("a") } })));
    QVERIFY(testing::saveTestBundle(m_bundleB, testing::makeTestModule(1, 2),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("b") } })));

    // The command line's report. Batches of one on both sides: a batch's makeup changes a
    // convolution's rounding in the 7th digit, and batches form as files arrive.
    m_cliReport = m_dir.filePath(QStringLiteral("cli.csv"));
    const testing::CliRun run = testing::runProgram(QStringLiteral(FORGELENS_CLI),
        { QStringLiteral("scan"), m_folder, QStringLiteral("--model"), m_bundleA,
            QStringLiteral("--model"), m_bundleB, QStringLiteral("-o"), m_cliReport,
            QStringLiteral("--batch"), QStringLiteral("1"), QStringLiteral("--progress"),
            QStringLiteral("none") });
    QVERIFY2(run.exitCode == 1, qPrintable(run.err)); // 1: the damaged file's row
    QVERIFY(readAll(m_cliReport).count('\n') == 123);
}

void TestFolderScan::loadDetectors(Workbench &workbench)
{
    SandboxConfig sandbox;
    sandbox.workerExecutable = QStringLiteral(FORGELENS_CLI);
    workbench.setSandboxConfig(sandbox);
    EngineConfig engine;
    engine.maxBatch = 1;
    workbench.setEngineConfig(engine);
    QSignalSpy loaded(&workbench, &Workbench::detectorLoaded);
    workbench.addDetector(m_bundleA);
    workbench.addDetector(m_bundleB);
    while (loaded.size() < 2)
        QVERIFY(loaded.wait(30000));
    QCOMPARE(workbench.detectorCount(), 2);
}

std::optional<ScanFolderOutcome> TestFolderScan::scan(Workbench &workbench,
    const Workbench::FolderScanRequest &request, QVector<ScanResultRow> *rows,
    bool cancelAtFirstProgress)
{
    QSignalSpy finished(&workbench, &Workbench::scanFinished);
    QMetaObject::Connection rowsConnection = QObject::connect(
        &workbench, &Workbench::scanRowsAdded, [rows](const QVector<ScanResultRow> &batch) {
            if (rows)
                *rows += batch;
        });
    QMetaObject::Connection progressConnection;
    if (cancelAtFirstProgress)
        progressConnection = QObject::connect(&workbench, &Workbench::scanProgressed, &workbench,
            [&workbench] { workbench.cancelScan(); });
    if (std::optional<Error> error = workbench.startFolderScan(request)) {
        qWarning() << error->message;
        return std::nullopt;
    }
    if (!workbench.isScanning() || !finished.wait(120000))
        return std::nullopt;
    QObject::disconnect(rowsConnection);
    QObject::disconnect(progressConnection);
    return finished.first().first().value<ScanFolderOutcome>();
}

void TestFolderScan::sameReportAsTheCommandLine()
{
    Workbench workbench;
    loadDetectors(workbench);
    Workbench::FolderScanRequest request;
    request.folder = m_folder;
    request.reportCsv = m_dir.filePath(QStringLiteral("window.csv"));
    QVector<ScanResultRow> rows;
    const std::optional<ScanFolderOutcome> outcome = scan(workbench, request, &rows);
    QVERIFY(outcome && outcome->summary);
    QVERIFY(!outcome->summary->interrupted);
    QCOMPARE(outcome->summary->rowsWritten, qint64(122));
    COMPARE_REPORTS(readAll(request.reportCsv), readAll(m_cliReport));
    QVERIFY(QFile::exists(request.reportCsv + QStringLiteral(".json")));

    // The rows sent out while scanning are the report's rows, read back.
    const Result<ScanReport> report = readScanReport(request.reportCsv);
    QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
    QCOMPARE(
        report->columns.detectorIds, (QStringList{ QStringLiteral("a"), QStringLiteral("b") }));
    QCOMPARE(rows.size(), qsizetype(report->rows.size()));
    for (qsizetype i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].path, report->rows[size_t(i)].path);
        QCOMPARE(rows[i].sha256, report->rows[size_t(i)].sha256);
        QCOMPARE(rows[i].status, report->rows[size_t(i)].status);
        QCOMPARE(rows[i].scores[1].label, report->rows[size_t(i)].scores[1].label);
    }
    QCOMPARE(report->root, QDir(m_folder).absolutePath());
    QVERIFY(std::any_of(rows.begin(), rows.end(),
        [](const ScanResultRow &row) { return row.path == QLatin1String("=HYPERLINK(1).jpg"); }));
    QVERIFY(std::any_of(rows.begin(), rows.end(), [](const ScanResultRow &row) {
        return row.path == QLatin1String("damaged.jpg") && row.status != QLatin1String("ok");
    }));
}

void TestFolderScan::cancelThenResumeGivesTheSameReport()
{
    Workbench workbench;
    loadDetectors(workbench);
    Workbench::FolderScanRequest request;
    request.folder = m_folder;
    request.reportCsv = m_dir.filePath(QStringLiteral("resumed.csv"));
    request.decodeThreads = 1;
    const std::optional<ScanFolderOutcome> first = scan(workbench, request, nullptr, true);
    QVERIFY(first && first->summary);
    QVERIFY(first->summary->interrupted);
    QVERIFY(first->summary->rowsWritten < 122);
    QVERIFY(!QFile::exists(request.reportCsv));
    QVERIFY(QFile::exists(request.reportCsv + QStringLiteral(".partial")));

    // Starting again without resume is refused, as on the command line.
    const std::optional<ScanFolderOutcome> refused = scan(workbench, request);
    QVERIFY(refused && refused->error);
    QCOMPARE(refused->error->code, ErrorCode::InterruptedRunExists);

    request.resume = true;
    const std::optional<ScanFolderOutcome> second = scan(workbench, request);
    QVERIFY(second && second->summary);
    QVERIFY(!second->summary->interrupted);
    QCOMPARE(second->summary->rowsWritten + first->summary->rowsWritten, qint64(122));
    COMPARE_REPORTS(readAll(request.reportCsv), readAll(m_cliReport));
}

void TestFolderScan::refusesAReportInsideTheFolder()
{
    Workbench workbench;
    Workbench::FolderScanRequest request;
    request.folder = m_folder;
    request.reportCsv = m_folder + QStringLiteral("/report.csv");
    // No detector yet: refused before anything runs.
    std::optional<Error> error = workbench.startFolderScan(request);
    QVERIFY(error);
    QCOMPARE(error->code, ErrorCode::ModelUnusable);
    loadDetectors(workbench);
    const std::optional<ScanFolderOutcome> outcome = scan(workbench, request);
    QVERIFY(outcome && outcome->error);
    QCOMPARE(outcome->error->code, ErrorCode::BadSettings);
    QVERIFY(!QFile::exists(request.reportCsv));
    QVERIFY(!QFile::exists(request.reportCsv + QStringLiteral(".partial")));
}

void TestFolderScan::pauseHoldsTheScan()
{
    Workbench workbench;
    loadDetectors(workbench);
    Workbench::FolderScanRequest request;
    request.folder = m_folder;
    request.reportCsv = m_dir.filePath(QStringLiteral("paused.csv"));
    QSignalSpy planned(&workbench, &Workbench::scanPlanned);
    QSignalSpy finished(&workbench, &Workbench::scanFinished);
    QVector<ScanResultRow> rows;
    connect(&workbench, &Workbench::scanRowsAdded, this,
        [&rows](const QVector<ScanResultRow> &batch) { rows += batch; });
    QVERIFY(!workbench.startFolderScan(request));
    workbench.setScanPaused(true);
    QVERIFY(workbench.isScanPaused());
    QVERIFY(planned.wait(30000));
    // Paused before its first file: nothing more arrives while it stays paused.
    QTest::qWait(1500);
    const qsizetype whilePaused = rows.size();
    QTest::qWait(1000);
    QCOMPARE(rows.size(), whilePaused);
    QVERIFY(finished.isEmpty());
    workbench.setScanPaused(false);
    QVERIFY(finished.wait(120000));
    QCOMPARE(rows.size(), qsizetype(122));
    COMPARE_REPORTS(readAll(request.reportCsv), readAll(m_cliReport));
}

void TestFolderScan::anEvaluationGivesTheCommandLinesFigures()
{
    // Labels for the top folder's JPEGs: every other one "synthetic" (the scores mean nothing;
    // the figures must only be the same as forgelens-cli evaluate's).
    QByteArray csv = "path,label,generator\n";
    for (int i = 1; i < 120; i += 3)
        csv += QStringLiteral("img-%1.jpg,%2,%3\n")
                   .arg(i, 3, 10, QLatin1Char('0'))
                   .arg(i % 2 ? QStringLiteral("synthetic") : QStringLiteral("real"))
                   .arg(i % 2 ? QStringLiteral("gen") : QString())
                   .toUtf8();
    const QString labels = m_dir.filePath(QStringLiteral("labels.csv"));
    QFile file(labels);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(csv);
    file.close();
    const QString cliOut = m_dir.filePath(QStringLiteral("cli-evaluation"));
    const testing::CliRun run = testing::runProgram(QStringLiteral(FORGELENS_CLI),
        { QStringLiteral("evaluate"), m_folder, QStringLiteral("--labels"), labels,
            QStringLiteral("--model"), m_bundleA, QStringLiteral("--model"), m_bundleB,
            QStringLiteral("-o"), cliOut, QStringLiteral("--batch"), QStringLiteral("1"),
            QStringLiteral("--no-plots"), QStringLiteral("--progress"), QStringLiteral("none") });
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));

    Workbench workbench;
    loadDetectors(workbench);
    QSignalSpy planned(&workbench, &Workbench::evaluationPlanned);
    QSignalSpy finished(&workbench, &Workbench::evaluationFinished);
    Workbench::EvaluationRequest request;
    request.folder = m_folder;
    request.labelsCsv = labels;
    request.outputDir = m_dir.filePath(QStringLiteral("window-evaluation"));
    QVERIFY(!workbench.startEvaluation(request).has_value());
    QVERIFY(workbench.isEvaluating());
    QVERIFY(workbench.startEvaluation(request).has_value()); // one at a time
    QVERIFY(finished.wait(120000));
    QVERIFY(!workbench.isEvaluating());
    QCOMPARE(planned.size(), 1);
    const EvaluationOutcome outcome = finished.first().first().value<EvaluationOutcome>();
    QVERIFY2(outcome.run, outcome.error ? qPrintable(outcome.error->message) : "");
    QCOMPARE(outcome.run->evaluation.files.size(), size_t(40));

    const auto figures = [](const QString &folder) {
        QFile json(folder + QStringLiteral("/evaluation.json"));
        return json.open(QIODevice::ReadOnly)
            ? QJsonDocument::fromJson(json.readAll()).object().value(QStringLiteral("detectors"))
            : QJsonValue();
    };
    QVERIFY(figures(cliOut).isArray());
    QCOMPARE(figures(request.outputDir), figures(cliOut));

    // Open Evaluation: the CLI's report evaluated again, without a scan, into another folder.
    Workbench::EvaluationRequest reopen;
    reopen.existingReport = cliOut + QStringLiteral("/scan.csv");
    reopen.labelsCsv = labels;
    reopen.outputDir = m_dir.filePath(QStringLiteral("reopened"));
    QVERIFY(!workbench.startEvaluation(reopen).has_value());
    QVERIFY(finished.wait(60000));
    QCOMPARE(planned.size(), 1); // nothing was scanned
    const EvaluationOutcome again = finished.last().first().value<EvaluationOutcome>();
    QVERIFY(again.run && !again.run->scan.has_value());
    QCOMPARE(again.run->reportSidecar.value(QStringLiteral("root")).toString(),
        QDir(m_folder).absolutePath());
    QCOMPARE(figures(reopen.outputDir), figures(cliOut));
}

QTEST_GUILESS_MAIN(TestFolderScan)
#include "tst_folder_scan.moc"
