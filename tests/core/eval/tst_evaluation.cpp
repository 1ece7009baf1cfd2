// Evaluations end to end on a folder the test writes: labels from folders and from a CSV give
// the same figures, an existing scan report gives the figures of a fresh run, a cancelled
// evaluation resumes to the same figures, excluded hashes are left out, one class gets its
// accuracy with a sentence in place of the ranking figures;
// and the figures' bookkeeping (failures, generator pairing, groups, the inconclusive band) on a
// report made by hand.
#include "csv_file_records.h"
#include "test_model_factory.h"

#include "forgelens/eval/evaluation_run.h"
#include "forgelens/eval/threshold_choice.h"
#include "forgelens/image/file_digest.h"
#include "forgelens/scan/csv_record.h"
#include "forgelens/scan/scan_sidecar.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace forgelens;

namespace {

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

ScanResultRow row(const QString &path, std::vector<ScanRowScore> scores,
    const QString &status = QStringLiteral("ok"))
{
    ScanResultRow result;
    result.path = path;
    result.sha256 = QString(64, QLatin1Char('0'));
    result.scores = std::move(scores);
    result.status = status;
    return result;
}

ScanRowScore score(double p, const QString &label = QStringLiteral("not_flagged"))
{
    return ScanRowScore{ p, label, 0.5 };
}

} // namespace

class TestEvaluation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        m_modelA = m_work.filePath(QStringLiteral("a.pt"));
        m_modelB = m_work.filePath(QStringLiteral("b.pt"));
        QVERIFY(testing::saveTestBundle(m_modelA, testing::makeTestModule(1, 3),
            testing::testManifest(
                QJsonObject{ { QStringLiteral("id"), QStringLiteral("test-a") } })));
        QVERIFY(testing::saveTestBundle(m_modelB, testing::makeTestModule(1, 11),
            testing::testManifest(
                QJsonObject{ { QStringLiteral("id"), QStringLiteral("test-b") } })));
        m_images = m_work.filePath(QStringLiteral("images"));
        // real/ 12, sdxl/ 8, flux/1_fake/ 6 (CNNDetection's layout), and a file at the top,
        // which no folder labels.
        QRandomGenerator random(20261129);
        const auto write = [&](const QString &relative, int hue) {
            QImage image(
                48 + int(random.bounded(32)), 40 + int(random.bounded(32)), QImage::Format_RGB888);
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    image.setPixelColor(x, y,
                        QColor::fromHsv(hue, int(random.bounded(256)), int(random.bounded(256))));
            const QString path = m_images + QLatin1Char('/') + relative;
            return QDir().mkpath(QFileInfo(path).path()) && image.save(path);
        };
        for (int i = 0; i < 12; ++i)
            QVERIFY(write(QStringLiteral("real/r%1.png").arg(i, 2, 10, QLatin1Char('0')), 20 * i));
        for (int i = 0; i < 8; ++i)
            QVERIFY(write(QStringLiteral("sdxl/s%1.png").arg(i), 200 + 10 * i));
        for (int i = 0; i < 6; ++i)
            QVERIFY(write(QStringLiteral("flux/1_fake/f%1.png").arg(i), 300 + 5 * i));
        QVERIFY(write(QStringLiteral("loose.png"), 5));

        // The reference run: labels from the folders.
        Result<EvaluationRun> run = evaluate(settings(QStringLiteral("folders")));
        QVERIFY2(run.ok(), run.ok() ? "" : qPrintable(run.error().message));
        m_reference = run->document;
    }

    void foldersLabelAsDocumented()
    {
        const QJsonObject dataset = m_reference.value(QStringLiteral("dataset")).toObject();
        QCOMPARE(dataset.value(QStringLiteral("real")).toInt(), 12);
        QCOMPARE(dataset.value(QStringLiteral("synthetic")).toInt(), 14);
        // The top-level file has no label, so it was not even scanned.
        const std::vector<QStringList> scan
            = testing::readCsvRecords(m_work.filePath(QStringLiteral("folders/scan.csv")));
        QCOMPARE(scan.size(), size_t(1 + 26));
        for (const QStringList &record : scan)
            QVERIFY(record.first() != QStringLiteral("loose.png"));
        const QJsonArray detectors = m_reference.value(QStringLiteral("detectors")).toArray();
        QCOMPARE(detectors.size(), 2);
        QStringList generators;
        for (const QJsonValue &entry :
            detectors[0].toObject().value(QStringLiteral("by_generator")).toArray())
            generators << entry.toObject().value(QStringLiteral("name")).toString();
        QCOMPARE(generators, (QStringList{ QStringLiteral("flux"), QStringLiteral("sdxl") }));
        QCOMPARE(m_reference.value(QStringLiteral("pairs")).toArray().size(), 1);

        // scores.csv: one row per labelled file, with each detector's call at its threshold.
        const std::vector<QStringList> scores
            = testing::readCsvRecords(m_work.filePath(QStringLiteral("folders/scores.csv")));
        QCOMPARE(scores.size(), size_t(1 + 26));
        QCOMPARE(scores[0].mid(0, 3),
            (QStringList{
                QStringLiteral("path"), QStringLiteral("sha256"), QStringLiteral("label") }));
        QVERIFY(scores[0].contains(QStringLiteral("test-b.call")));
        for (size_t i = 1; i < scores.size(); ++i) {
            const bool synthetic = scores[i].at(2) == QStringLiteral("synthetic");
            QCOMPARE(synthetic, !scores[i].at(0).startsWith(QStringLiteral("real/")));
            const double p = scores[i].at(6).toDouble();
            QCOMPARE(
                scores[i].at(7), p >= 0.5 ? QStringLiteral("synthetic") : QStringLiteral("real"));
        }
    }

    void aLabelsCsvGivesTheFiguresOfTheFolders()
    {
        QByteArray csv = "path,label,generator\n";
        for (const QStringList &record :
            testing::readCsvRecords(m_work.filePath(QStringLiteral("folders/scores.csv")))) {
            if (record.first() == QStringLiteral("path"))
                continue;
            csv += csvRecord({ record.at(0), record.at(2), record.at(3) });
        }
        const QString labels = m_work.filePath(QStringLiteral("labels.csv"));
        QVERIFY(writeText(labels, csv));
        EvaluationSettings fromCsv = settings(QStringLiteral("csv"));
        fromCsv.labelsCsv = labels;
        Result<EvaluationRun> run = evaluate(fromCsv);
        QVERIFY2(run.ok(), run.ok() ? "" : qPrintable(run.error().message));
        QCOMPARE(figuresOf(run->document), figuresOf(m_reference));
        QCOMPARE(run->document.value(QStringLiteral("dataset"))
                     .toObject()
                     .value(QStringLiteral("labels_from")),
            QJsonValue(QStringLiteral("labels-csv")));
    }

    void anExistingReportGivesTheFiguresOfAFreshRun()
    {
        EvaluationSettings fromReport;
        fromReport.outputDir = m_work.filePath(QStringLiteral("from-report"));
        fromReport.existingReport = m_work.filePath(QStringLiteral("folders/scan.csv"));
        fromReport.options.bootstrapRounds = 300;
        std::atomic_bool cancel{ false };
        Result<EvaluationRun> run = runEvaluation(fromReport, cancel);
        QVERIFY2(run.ok(), run.ok() ? "" : qPrintable(run.error().message));
        QVERIFY(!run->scan.has_value()); // nothing was re-run
        QCOMPARE(figuresOf(run->document), figuresOf(m_reference));
    }

    void aCancelledEvaluationResumesToTheSameFigures()
    {
        EvaluationSettings first = settings(QStringLiteral("resumed"));
        std::atomic_bool cancel{ false };
        ScanObserver observer;
        observer.progress = [&](const ScanProgress &progress) {
            if (progress.done == 5)
                cancel = true;
        };
        Result<EvaluationRun> interrupted = runEvaluation(first, cancel, observer);
        QVERIFY2(interrupted.ok(), interrupted.ok() ? "" : qPrintable(interrupted.error().message));
        QVERIFY(interrupted->interrupted);
        QVERIFY(!QFileInfo::exists(first.jsonPath()));

        EvaluationSettings again = settings(QStringLiteral("resumed"));
        again.scan.resume = true;
        Result<EvaluationRun> resumed = evaluate(again);
        QVERIFY2(resumed.ok(), resumed.ok() ? "" : qPrintable(resumed.error().message));
        QVERIFY(resumed->scan->plan.rowsResumed >= 5);
        QCOMPARE(figuresOf(resumed->document), figuresOf(m_reference));
    }

    void excludedHashesAreLeftOut()
    {
        const std::vector<QStringList> scores
            = testing::readCsvRecords(m_work.filePath(QStringLiteral("folders/scores.csv")));
        const QString list = m_work.filePath(QStringLiteral("training.sha256"));
        QVERIFY(writeText(list,
            "# the detector's training files\n" + scores[1].at(1).toLatin1() + "\n"
                + scores[2].at(1).toUpper().toLatin1() + "  # upper case is the same hash\n"));
        EvaluationSettings fromReport;
        fromReport.outputDir = m_work.filePath(QStringLiteral("excluded"));
        fromReport.existingReport = m_work.filePath(QStringLiteral("folders/scan.csv"));
        fromReport.excludeLists = { list };
        std::atomic_bool cancel{ false };
        Result<EvaluationRun> run = runEvaluation(fromReport, cancel);
        QVERIFY2(run.ok(), run.ok() ? "" : qPrintable(run.error().message));
        QCOMPARE(run->evaluation.excluded, qint64(2));
        QCOMPARE(run->evaluation.files.size(), size_t(24));
        QVERIFY(run->document.value(QStringLiteral("dataset"))
                    .toObject()
                    .value(QStringLiteral("file_list_sha256"))
            != m_reference.value(QStringLiteral("dataset"))
                   .toObject()
                   .value(QStringLiteral("file_list_sha256")));

        QVERIFY(writeText(list, "not a hash\n"));
        Result<EvaluationRun> refused = runEvaluation(fromReport, cancel);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::BadCsv);
        QVERIFY(refused.error().message.contains(QStringLiteral("line 1")));
    }

    void oneClassGetsItsAccuracyAndASentence()
    {
        // Real photographs alone: how many a detector flags is the figure; the ranking figures
        // are absent with a sentence, as the metrics refuse one class.
        const QString labels = m_work.filePath(QStringLiteral("only-real.csv"));
        QVERIFY(writeText(labels, "path,label\nreal/r00.png,real\nreal/r01.png,real\n"));
        EvaluationSettings onlyReal;
        onlyReal.outputDir = m_work.filePath(QStringLiteral("only-real"));
        onlyReal.existingReport = m_work.filePath(QStringLiteral("folders/scan.csv"));
        onlyReal.labelsCsv = labels;
        std::atomic_bool cancel{ false };
        Result<EvaluationRun> run = runEvaluation(onlyReal, cancel);
        QVERIFY2(run.ok(), run.ok() ? "" : qPrintable(run.error().message));
        const DetectorFigures &figures = run->evaluation.detectors[0].overall;
        QCOMPARE(figures.real, qint64(2));
        QCOMPARE(figures.atThreshold.trueNegatives + figures.atThreshold.falsePositives, qint64(2));
        QVERIFY(std::isnan(figures.auc));
        QVERIFY2(figures.whyNoRanking.contains(QStringLiteral("need real and synthetic")),
            qPrintable(figures.whyNoRanking));
        const QJsonObject overall = run->document.value(QStringLiteral("detectors"))
                                        .toArray()[0]
                                        .toObject()
                                        .value(QStringLiteral("overall"))
                                        .toObject();
        QVERIFY(overall.value(QStringLiteral("auc")).isNull());
        QVERIFY(!overall.value(QStringLiteral("at_threshold"))
                     .toObject()
                     .value(QStringLiteral("real_accuracy"))
                     .isNull());

        // Labels that name no row of the report are refused.
        QVERIFY(writeText(labels, "path,label\nelsewhere/x.png,real\n"));
        Result<EvaluationRun> none = runEvaluation(onlyReal, cancel);
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, ErrorCode::BadSettings);
        QVERIFY(none.error().message.contains(QStringLiteral("name none of")));
    }

    void aChosenThresholdHoldsItsRateWhenScanned()
    {
        EvaluationSettings fromReport;
        fromReport.outputDir = m_work.filePath(QStringLiteral("threshold"));
        fromReport.existingReport = m_work.filePath(QStringLiteral("folders/scan.csv"));
        std::atomic_bool cancel{ false };
        Result<EvaluationRun> run = runEvaluation(fromReport, cancel);
        QVERIFY(run.ok());
        QJsonObject model;
        for (const QJsonValue &entry : run->reportSidecar.value(QStringLiteral("models")).toArray())
            if (entry.toObject().value(QStringLiteral("id")) == QStringLiteral("test-a"))
                model = entry.toObject();
        ThresholdChoice choice;
        choice.targetFpr = 0.25; // 12 real images: 3 may be flagged
        choice.bandFpr.reset();
        Result<QJsonObject> document = thresholdOverrideDocument(
            run->evaluation, 0, model, choice, QStringLiteral("2026-11-29T00:00:00Z"));
        QVERIFY2(document.ok(), document.ok() ? "" : qPrintable(document.error().message));
        const QString overridePath = m_work.filePath(QStringLiteral("test-a.threshold.json"));
        QVERIFY(!writeJsonAtomically(overridePath, *document).has_value());
        const double threshold = document->value(QStringLiteral("manifest"))
                                     .toObject()
                                     .value(QStringLiteral("threshold"))
                                     .toObject()
                                     .value(QStringLiteral("value"))
                                     .toDouble();

        // Scanned again with the override, the real images it flags are at most 25 %.
        ScanSettings scan = settings(QString()).scan;
        scan.outputCsv = m_work.filePath(QStringLiteral("with-override.csv"));
        scan.engine.thresholdOverrides = { overridePath };
        Result<ScanSummary> summary = runScan(scan, cancel);
        QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().message));
        QCOMPARE(summary->plan.models[0].thresholdOverrideSha256.size(), 64);
        QVERIFY(summary->plan.models[1].thresholdOverridePath.isEmpty()); // test-b: its own
        QCOMPARE(summary->plan.models[0].manifest.threshold, threshold);
        int real = 0, flagged = 0;
        for (const QStringList &record : testing::readCsvRecords(scan.outputCsv)) {
            if (!record.first().startsWith(QStringLiteral("real/")))
                continue;
            ++real;
            flagged += record.at(6).toDouble() >= threshold ? 1 : 0;
            QCOMPARE(record.at(8).toDouble(), threshold); // the report's threshold column
        }
        QCOMPARE(real, 12);
        QVERIFY2(flagged <= 3, qPrintable(QString::number(flagged)));

        // A pinned bundle takes only a pinned override; a wrong pin and a file naming no
        // model of the set are refused.
        const QByteArray bundleBytes = [&] {
            QFile file(m_modelA);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        const QString bundlePin
            = digestBytes(std::span(reinterpret_cast<const std::uint8_t *>(bundleBytes.constData()),
                              size_t(bundleBytes.size())))
                  .sha256;
        scan.outputCsv = m_work.filePath(QStringLiteral("pinned.csv"));
        scan.modelPaths = { m_modelA };
        scan.modelPins = { bundlePin };
        Result<ScanSummary> unpinned = runScan(scan, cancel);
        QVERIFY(!unpinned.ok());
        QVERIFY2(unpinned.error().message.contains(QStringLiteral("pin it too")),
            qPrintable(unpinned.error().message));
        scan.engine.thresholdOverridePins = { QString(64, QLatin1Char('a')) };
        Result<ScanSummary> wrongPin = runScan(scan, cancel);
        QVERIFY(!wrongPin.ok());
        QVERIFY(wrongPin.error().message.contains(QStringLiteral("not the pinned")));
        scan.modelPaths = { m_modelB };
        scan.modelPins.clear();
        scan.engine.thresholdOverridePins.clear();
        Result<ScanSummary> elsewhere = runScan(scan, cancel);
        QVERIFY(!elsewhere.ok());
        QVERIFY2(elsewhere.error().message.contains(QStringLiteral("not among the models")),
            qPrintable(elsewhere.error().message));
    }

    void theOutputMayNotLieInTheEvidence()
    {
        EvaluationSettings inside = settings(QStringLiteral("unused"));
        inside.outputDir = m_images + QStringLiteral("/eval");
        std::atomic_bool cancel{ false };
        Result<EvaluationRun> run = runEvaluation(inside, cancel);
        QVERIFY(!run.ok());
        QVERIFY(run.error().message.contains(QStringLiteral("never written")));
        QVERIFY(!QFileInfo::exists(inside.outputDir));

        // A link outside that leads into the evidence folder is followed, and refused.
        const QString link = m_work.filePath(QStringLiteral("link-to-images"));
        QVERIFY(QFile::link(m_images, link));
        EvaluationSettings throughLink = settings(QStringLiteral("unused"));
        throughLink.outputDir = link + QStringLiteral("/eval");
        Result<EvaluationRun> linked = runEvaluation(throughLink, cancel);
        QVERIFY(!linked.ok());
        QVERIFY(linked.error().message.contains(QStringLiteral("never written")));
        QVERIFY(!QFileInfo::exists(m_images + QStringLiteral("/eval")));

        // An existing report names its folder, which is refused as well.
        EvaluationSettings fromReport;
        fromReport.existingReport = m_work.filePath(QStringLiteral("folders/scan.csv"));
        fromReport.outputDir = m_images + QStringLiteral("/eval");
        Result<EvaluationRun> refused = runEvaluation(fromReport, cancel);
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.contains(QStringLiteral("never written")));
        QVERIFY(!QFileInfo::exists(fromReport.outputDir));
    }

    void figuresFromAHandMadeReport()
    {
        // Two detectors; a: perfect ranking except one failure, b: constant calls.
        ScanReport report;
        report.csvPath = QStringLiteral("hand.csv");
        report.columns.detectorIds = { QStringLiteral("a"), QStringLiteral("b") };
        const ScanRowScore nan{ std::nan(""), QString(), std::nan("") };
        report.rows = {
            row(QStringLiteral("gan/0_real/1.png"), { score(0.1), score(0.9) }),
            row(QStringLiteral("gan/0_real/2.png"), { score(0.2), score(0.9) }),
            row(QStringLiteral("gan/1_fake/1.png"),
                { score(0.55, QStringLiteral("inconclusive")), score(0.9) }),
            row(QStringLiteral("gan/1_fake/2.png"), { nan, score(0.9) },
                QStringLiteral("decoder-timeout")),
            row(QStringLiteral("sd/0_real/1.png"), { score(0.3), score(0.9) }),
            row(QStringLiteral("sd/1_fake/1.png"), { score(0.8), score(0.9) }),
            row(QStringLiteral("sd/1_fake/2.png"), { score(0.95), score(0.9) }),
        };
        LabelledSet labels = labelsFromFolders(
            { QStringLiteral("gan/0_real/1.png"), QStringLiteral("gan/0_real/2.png"),
                QStringLiteral("gan/1_fake/1.png"), QStringLiteral("gan/1_fake/2.png"),
                QStringLiteral("sd/0_real/1.png"), QStringLiteral("sd/1_fake/1.png"),
                QStringLiteral("sd/1_fake/2.png") },
            ClassFolderMap::builtIn());
        EvaluationOptions options;
        options.bootstrapRounds = 200;
        Result<Evaluation> evaluation = evaluateScanReport(report, labels, options);
        QVERIFY2(evaluation.ok(), evaluation.ok() ? "" : qPrintable(evaluation.error().message));
        const DetectorFigures &a = evaluation->detectors[0].overall;
        QCOMPARE(a.real, qint64(3));
        QCOMPARE(a.synthetic, qint64(3));
        QCOMPARE(a.failures.at(QStringLiteral("decoder-timeout")), qint64(1));
        QCOMPARE(a.inconclusive, qint64(1));
        QCOMPARE(a.auc, 1.0);
        QVERIFY(a.aucInterval && a.aucInterval->low <= a.auc && a.auc <= a.aucInterval->high);
        QCOMPARE(a.atThreshold.truePositives, qint64(3));
        QCOMPARE(a.atThreshold.trueNegatives, qint64(3));
        // Each generator is paired with its own real images (CNNDetection's GEN/0_real).
        const std::vector<NamedFigures> &generators = evaluation->detectors[0].byGenerator;
        QCOMPARE(generators.size(), size_t(2));
        QCOMPARE(generators[0].name, QStringLiteral("gan"));
        QCOMPARE(generators[0].figures.real, qint64(2));
        QCOMPARE(generators[0].figures.synthetic, qint64(1));
        QCOMPARE(generators[1].figures.real, qint64(1));
        // b calls everything synthetic: every real image is a false positive; its AUC is 0.5.
        const DetectorFigures &b = evaluation->detectors[1].overall;
        QCOMPARE(b.atThreshold.falsePositives, qint64(3));
        QCOMPARE(b.auc, 0.5);
        QVERIFY(!b.predictive.empty());
        QCOMPARE(b.predictive.front().ppv, b.predictive.front().prevalence); // no information
        // The pair: on the 6 images both scored, they agree on the 3 synthetic ones; b's calls
        // are constant, so kappa is 0.
        const DetectorPairFigures &pair = evaluation->pairs.front();
        QCOMPARE(pair.images, qint64(6));
        QCOMPARE(pair.agreement, 0.5);
        QCOMPARE(pair.kappa, 0.0);
        QVERIFY(pair.delong.has_value());
        QCOMPARE(pair.mostDisagreeing.front().path, QStringLiteral("gan/0_real/1.png"));

        // A group holding one class keeps its accuracy and says why it has no AUC.
        LabelledSet grouped = labels;
        for (LabelledFile &file : grouped.files)
            file.group = file.path.startsWith(QStringLiteral("sd/1_fake")) ? QStringLiteral("phone")
                                                                           : QString();
        Result<Evaluation> byGroup = evaluateScanReport(report, grouped, options);
        QVERIFY(byGroup.ok());
        const NamedFigures &phone = byGroup->detectors[0].byGroup.front();
        QCOMPARE(phone.name, QStringLiteral("phone"));
        QCOMPARE(phone.figures.atThreshold.syntheticAccuracy(), 1.0);
        QVERIFY(std::isnan(phone.figures.auc));
        QVERIFY(phone.figures.whyNoRanking.contains(QStringLiteral("only synthetic")));
    }

private:
    EvaluationSettings settings(const QString &output) const
    {
        EvaluationSettings settings;
        settings.outputDir = m_work.filePath(output);
        settings.scan.root = m_images;
        settings.scan.modelPaths = { m_modelA, m_modelB };
        settings.scan.engine.maxBatch = 1;
        settings.scan.decodeThreads = 2;
        settings.scan.flushRows = 1;
        settings.scan.sandbox.workerExecutable = QStringLiteral(FORGELENS_CLI);
        settings.options.bootstrapRounds = 300;
        return settings;
    }

    static Result<EvaluationRun> evaluate(const EvaluationSettings &settings)
    {
        std::atomic_bool cancel{ false };
        return runEvaluation(settings, cancel);
    }

    // Everything that depends on the images and scores, not on where or how it was run.
    static QJsonObject figuresOf(const QJsonObject &document)
    {
        QJsonObject dataset = document.value(QStringLiteral("dataset")).toObject();
        return QJsonObject{
            { QStringLiteral("detectors"), document.value(QStringLiteral("detectors")) },
            { QStringLiteral("pairs"), document.value(QStringLiteral("pairs")) },
            { QStringLiteral("file_list_sha256"),
                dataset.value(QStringLiteral("file_list_sha256")) },
            { QStringLiteral("real"), dataset.value(QStringLiteral("real")) },
            { QStringLiteral("synthetic"), dataset.value(QStringLiteral("synthetic")) },
        };
    }

    QTemporaryDir m_work;
    QString m_modelA;
    QString m_modelB;
    QString m_images;
    QJsonObject m_reference;
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "tst_evaluation.moc"
