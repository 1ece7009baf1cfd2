#include "evaluate_command.h"

#include "case_command.h"
#include "cli_streams.h"
#include "count_option.h"
#include "engine_options.h"
#include "scan_console.h"
#include "scan_progress_printer.h"
#include "stop_signal.h"

#include "forgelens/eval/evaluation_run.h"
#include "forgelens/eval/threshold_choice.h"
#include "forgelens/report/display_text.h"
#include "forgelens/scan/output_location.h"
#include "forgelens/scan/scan_sidecar.h"
#include "ui/evaluation_plots.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QTextStream>

#include <cmath>

namespace forgelens::cli {
namespace {

const char *const kDescription
    = R"(Measure detectors on labelled images: the figures an analyst can cite.

Labels come from one of:
  FOLDER laid out one folder per class: real/ (or 0_real/) is real; synthetic/, fake/
    (or 1_fake/) is synthetic, the folder above it naming the generator; any other top
    folder is a generator's synthetic images (sdxl/a.png). --class NAME=real|synthetic
    names more folders (e.g. --class coco=real).
  --labels LABELS.csv with a header naming `path` and `label` (real, synthetic or fake)
    and optionally `generator`, `group` and `source`; paths relative to FOLDER.
  --report SCAN.csv: an existing, complete scan report (its rows' folders, or --labels):
    nothing is re-run.

Without --report, the labelled files are scanned once for all models into OUT/scan.csv,
resumable as a scan is (Ctrl-C, then the same command with --resume). Then, per detector,
overall, per generator and per group: AUC with a stratified bootstrap 95 % interval and
DeLong's standard error, average precision, accuracy, real and synthetic accuracy at the
manifest's threshold and at a threshold re-chosen for --fpr, TPR at 1 % and 5 % FPR,
expected calibration error (15 bins), confusion counts, the inconclusive band's share,
failures per status, and predictive values at 1 %, 10 % and 50 % prevalence; per pair of
detectors: agreement, Cohen's kappa, DeLong's test of the AUC difference and the images they
disagree on most. README ("Evaluation figures") defines each.

Written to OUT: evaluation.json (every figure, tool version, bundle hashes, the labelled
files' list hash), scores.csv (one row per labelled file), and roc, precision-recall,
reliability, generator-auc and histogram.<detector> as PNG and SVG.

A threshold of your own: --write-threshold DETECTOR=FILE writes a threshold override for that
detector (a copy of its manifest with a threshold flagging --fpr of the real images, and an
inconclusive band between the --band-fpr rates, default twice and a fifth of --fpr), recording
what it was chosen on. Use it with --threshold-override FILE in analyze, scan, explain,
evaluate and the window (forgelens); the bundle itself is never changed. Choose it on photographs like your cases'.

Never evaluate on a detector's own training files: --exclude-sha256 LIST drops rows whose
file hash LIST holds (one hex SHA-256 per line).

Exit codes:
  0  evaluated; every row is "ok"
  1  evaluated; some rows carry an error (counted per status in the figures)
  2  usage error, or nothing to evaluate (one class, no labelled row)
  3  a model bundle could not be loaded
  4  an output could not be written, or FOLDER could not be read
  130  interrupted: continue with --resume)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

QString figure(double value, int decimals = 3)
{
    return std::isfinite(value) ? QString::number(value, 'f', decimals) : QStringLiteral("n/a");
}

QString percent(double value)
{
    return std::isfinite(value) ? QString::number(100.0 * value, 'f', 1) + QLatin1Char('%')
                                : QStringLiteral("n/a");
}

QString aucWithInterval(const DetectorFigures &figures)
{
    QString text = figure(figures.auc);
    if (figures.aucInterval)
        text += QStringLiteral(" [%1, %2]")
                    .arg(figure(figures.aucInterval->low), figure(figures.aucInterval->high));
    return text;
}

void printDetector(const DetectorEvaluation &detector, const EvaluationOptions &options)
{
    const DetectorFigures &f = detector.overall;
    out() << "\n"
          << displayText(detector.detectorId) << "  (bundle sha256 "
          << (detector.bundleSha256.isEmpty() ? QStringLiteral("unknown") : detector.bundleSha256)
          << ")\n";
    out() << "  images        " << f.scored() << " scored (" << f.real << " real, " << f.synthetic
          << " synthetic)";
    if (f.failed() > 0) {
        out() << "; not scored:";
        for (const auto &[status, count] : f.failures)
            out() << ' ' << status << ' ' << count;
    }
    out() << '\n';
    if (!f.whyNoRanking.isEmpty()) {
        // One class: what the detector called it is the figure (for real photographs, the
        // false-positive rate at the threshold).
        if (f.real > 0)
            out() << "  at threshold  " << figure(f.threshold, 4) << ": real accuracy "
                  << percent(f.atThreshold.realAccuracy()) << " (" << f.atThreshold.falsePositives
                  << " of " << f.real << " real images flagged)\n";
        if (f.synthetic > 0)
            out() << "  at threshold  " << figure(f.threshold, 4) << ": synthetic accuracy "
                  << percent(f.atThreshold.syntheticAccuracy()) << " ("
                  << f.atThreshold.truePositives << " of " << f.synthetic << " caught)\n";
        out() << "  " << displayText(f.whyNoRanking) << '\n';
        return;
    }
    out() << "  AUC           " << aucWithInterval(f) << "  (DeLong SE "
          << figure(f.aucStandardError) << ")\n";
    out() << "  AP            " << figure(f.averagePrecision) << '\n';
    out() << "  at threshold  " << figure(f.threshold, 4) << ": accuracy "
          << percent(f.atThreshold.accuracy()) << ", real " << percent(f.atThreshold.realAccuracy())
          << ", synthetic " << percent(f.atThreshold.syntheticAccuracy()) << "  (TP "
          << f.atThreshold.truePositives << ", FP " << f.atThreshold.falsePositives << ", TN "
          << f.atThreshold.trueNegatives << ", FN " << f.atThreshold.falseNegatives << ")\n";
    if (f.atTargetFpr)
        out() << "  at FPR <= " << percent(options.targetFpr) << "  threshold "
              << figure(f.atTargetFpr->threshold, 4) << ": FPR " << percent(f.atTargetFpr->fpr)
              << ", TPR " << percent(f.atTargetFpr->tpr) << ", accuracy "
              << percent(f.atChosenThreshold.accuracy()) << '\n';
    out() << "  TPR at 1 % / 5 % FPR  "
          << (f.atFpr1 ? percent(f.atFpr1->tpr) : QStringLiteral("n/a")) << " / "
          << (f.atFpr5 ? percent(f.atFpr5->tpr) : QStringLiteral("n/a")) << '\n';
    out() << "  ECE (15 bins) " << figure(f.ece) << "; inconclusive band held "
          << percent(double(f.inconclusive) / double(f.scored())) << '\n';
    out() << "  a flag is right (PPV) at prevalence";
    for (const PredictiveValues &value : f.predictive)
        out() << "  " << percent(value.prevalence) << ": " << percent(value.ppv);
    out() << '\n';
    if (!detector.byGenerator.empty()) {
        out() << "  per generator (against the real images):\n";
        for (const NamedFigures &entry : detector.byGenerator)
            out() << "    " << displayText(entry.name).leftJustified(22)
                  << " n=" << QString::number(entry.figures.synthetic).leftJustified(5) << " AUC "
                  << aucWithInterval(entry.figures) << ", caught "
                  << percent(entry.figures.atThreshold.syntheticAccuracy()) << '\n';
    }
    if (!detector.byGroup.empty()) {
        out() << "  per group:\n";
        for (const NamedFigures &entry : detector.byGroup)
            out() << "    " << displayText(entry.name).leftJustified(22)
                  << " n=" << QString::number(entry.figures.scored()).leftJustified(5) << " AUC "
                  << aucWithInterval(entry.figures) << ", accuracy "
                  << percent(entry.figures.atThreshold.accuracy()) << '\n';
    }
}

void printPairs(const Evaluation &evaluation)
{
    for (const DetectorPairFigures &pair : evaluation.pairs) {
        out() << "\n"
              << displayText(pair.a) << " vs " << displayText(pair.b) << ": " << pair.images
              << " images, agreement " << percent(pair.agreement) << ", Cohen's kappa "
              << figure(pair.kappa);
        if (pair.delong)
            out() << "; DeLong: AUC difference " << figure(pair.delong->difference) << ", z "
                  << figure(pair.delong->z, 2) << ", p " << figure(pair.delong->p, 4);
        else
            out() << "; " << displayText(pair.whyNoDelong);
        out() << '\n';
        for (size_t i = 0; i < std::min<size_t>(5, pair.mostDisagreeing.size()); ++i) {
            const Disagreement &entry = pair.mostDisagreeing[i];
            out() << "    " << figure(entry.pA) << " vs " << figure(entry.pB) << "  "
                  << (entry.synthetic ? "synthetic " : "real      ") << displayText(entry.path)
                  << '\n';
        }
    }
}

} // namespace

int runEvaluate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("evaluate"), QStringLiteral("The command."));
    parser.addPositionalArgument(QStringLiteral("folder"),
        QStringLiteral("Folder of labelled images."), QStringLiteral("[FOLDER]"));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("Model bundle (.pt); repeat for several."), QStringLiteral("BUNDLE"));
    const QCommandLineOption output({ QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The folder for the figures, plots and the scan's report."),
        QStringLiteral("OUT"));
    const QCommandLineOption labels(QStringLiteral("labels"),
        QStringLiteral("Labels CSV (path, label, generator, group, source)."),
        QStringLiteral("LABELS.csv"));
    const QCommandLineOption classFolder(QStringLiteral("class"),
        QStringLiteral("A folder name and its class; repeat for several."),
        QStringLiteral("NAME=real|synthetic"));
    const QCommandLineOption report(QStringLiteral("report"),
        QStringLiteral("Evaluate this complete scan report instead of scanning."),
        QStringLiteral("SCAN.csv"));
    const QCommandLineOption exclude(QStringLiteral("exclude-sha256"),
        QStringLiteral("Leave out files whose SHA-256 this list holds; repeat for several."),
        QStringLiteral("LIST"));
    const QCommandLineOption fpr(QStringLiteral("fpr"),
        QStringLiteral("False-positive rate of the re-chosen threshold (default 0.05)."),
        QStringLiteral("F"), QStringLiteral("0.05"));
    const QCommandLineOption bootstrap(QStringLiteral("bootstrap"),
        QStringLiteral("Bootstrap rounds of the AUC interval (default 2000; 0 = none)."),
        QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption seed(QStringLiteral("seed"),
        QStringLiteral("Seed of the bootstrap (default 1)."), QStringLiteral("N"),
        QStringLiteral("1"));
    const QCommandLineOption writeThreshold(QStringLiteral("write-threshold"),
        QStringLiteral("Write a threshold override for a detector; repeat for several."),
        QStringLiteral("DETECTOR=FILE"));
    const QCommandLineOption bandFpr(QStringLiteral("band-fpr"),
        QStringLiteral("The override's inconclusive band as two false-positive rates, or none "
                       "(default: 2 x --fpr and --fpr / 5)."),
        QStringLiteral("WIDE,NARROW"));
    const QCommandLineOption noPlots(
        QStringLiteral("no-plots"), QStringLiteral("Write the figures without the plots."));
    const QCommandLineOption resume(
        QStringLiteral("resume"), QStringLiteral("Continue an interrupted evaluation's scan."));
    const QCommandLineOption overwrite(
        QStringLiteral("overwrite"), QStringLiteral("Replace OUT/scan.csv if it exists."));
    const QCommandLineOption noMetadata(QStringLiteral("no-metadata"),
        QStringLiteral("Leave the scan's metadata findings column empty (faster)."));
    const QCommandLineOption fullDecode(QStringLiteral("full-decode"),
        QStringLiteral("Decode every JPEG whole and at full size: no reduced decode for bundles "
                       "that allow it, and no decode of only the models' crops (README: "
                       "\"Reduced JPEG decode\", \"Crop-only JPEG decode\")."));
    const QCommandLineOption decodeThreads(QStringLiteral("decode-threads"),
        QStringLiteral("Threads that read, hash, decode and preprocess."), QStringLiteral("N"),
        QStringLiteral("0"));
    const QCommandLineOption batch(QStringLiteral("batch"),
        QStringLiteral("Images per forward pass at most (default 16)."), QStringLiteral("N"),
        QStringLiteral("16"));
    const QCommandLineOption progress(QStringLiteral("progress"),
        QStringLiteral("auto, bar, lines or none."), QStringLiteral("STYLE"),
        QStringLiteral("auto"));
    const EngineOptions engineOptions;
    const QCommandLineOption caseOption = caseRunOption();
    parser.addOptions({ model, output, labels, classFolder, report, exclude, fpr, bootstrap, seed,
        writeThreshold, bandFpr, noPlots, resume, overwrite, noMetadata, fullDecode, decodeThreads,
        batch, progress, caseOption });
    engineOptions.addTo(parser);
    const auto usage = [](const QString &message) {
        err() << "forgelens-cli evaluate: " << message << "\n";
        err().flush();
        return kUsageError;
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const QStringList positional = parser.positionalArguments().mid(1);
    const bool fromReport = parser.isSet(report);
    if (!parser.isSet(output) || positional.size() > 1
        || (!fromReport && (positional.size() != 1 || !parser.isSet(model))))
        return usage(QStringLiteral("give FOLDER, --model BUNDLE and -o OUT, or --report SCAN.csv "
                                    "and -o OUT (see --help)"));
    if (fromReport && parser.isSet(model))
        return usage(QStringLiteral("--report evaluates the report's own detectors: give no "
                                    "--model"));

    EvaluationSettings settings;
    settings.outputDir = parser.value(output);
    settings.existingReport = parser.value(report);
    settings.labelsCsv = parser.value(labels);
    settings.classFolders = parser.values(classFolder);
    settings.excludeLists = parser.values(exclude);
    ScanSettings &scan = settings.scan;
    scan.root = positional.value(0);
    scan.modelPaths = parser.values(model);
    scan.resume = parser.isSet(resume);
    scan.overwrite = parser.isSet(overwrite);
    scan.readMetadata = !parser.isSet(noMetadata);
    scan.reducedJpegDecode = !parser.isSet(fullDecode);
    scan.cropOnlyJpegDecode = !parser.isSet(fullDecode);
    if (const QString problem = engineOptions.read(parser, scan.engine, scan.limits);
        !problem.isEmpty())
        return usage(problem);
    if (const QString problem
        = engineOptions.readPins(parser, scan.modelPaths.size(), scan.modelPins);
        !problem.isEmpty())
        return usage(problem);
    if (!readCount(parser.value(decodeThreads), 0, &scan.decodeThreads))
        return usage(QStringLiteral("--decode-threads must be 0 (automatic) or a positive number"));
    if (!readCount(parser.value(batch), 1, &scan.engine.maxBatch))
        return usage(QStringLiteral("--batch must be a positive number"));
    bool ok = false;
    settings.options.targetFpr = parser.value(fpr).toDouble(&ok);
    if (!ok)
        return usage(QStringLiteral("--fpr must be a number between 0 and 1 (0.05 is 5 %)"));
    if (!readCount(parser.value(bootstrap), 0, &settings.options.bootstrapRounds))
        return usage(QStringLiteral("--bootstrap must be 0 or a positive number"));
    settings.options.seed = parser.value(seed).toULongLong(&ok);
    if (!ok)
        return usage(QStringLiteral("--seed must be a whole number of at least 0"));
    ThresholdChoice choice = ThresholdChoice::atFpr(settings.options.targetFpr);
    if (parser.isSet(bandFpr)) {
        const QStringList rates = parser.value(bandFpr).split(QLatin1Char(','));
        bool wideOk = false, narrowOk = false;
        if (parser.value(bandFpr) == QStringLiteral("none"))
            choice.bandFpr.reset();
        else if (rates.size() == 2)
            choice.bandFpr = std::pair{ rates[0].toDouble(&wideOk), rates[1].toDouble(&narrowOk) };
        if (choice.bandFpr && !(wideOk && narrowOk))
            return usage(QStringLiteral("--band-fpr takes two rates, WIDE,NARROW (e.g. 0.1,0.01), "
                                        "or none"));
    }
    std::vector<std::pair<QString, QString>> thresholdFiles;
    for (const QString &entry : parser.values(writeThreshold)) {
        const qsizetype equals = entry.indexOf(QLatin1Char('='));
        if (equals <= 0 || equals == entry.size() - 1)
            return usage(QStringLiteral("--write-threshold takes DETECTOR=FILE"));
        const QString file = entry.mid(equals + 1);
        const QString absolute = QFileInfo(file).absoluteFilePath();
        for (const QString &bundle : scan.modelPaths)
            if (QFileInfo(bundle).absoluteFilePath() == absolute)
                return usage(QStringLiteral("--write-threshold must name a new file, never a "
                                            "bundle: bundles are not changed"));
        if (!scan.root.isEmpty() && liesInsideFolder(file, scan.root))
            return usage(QStringLiteral("--write-threshold must lie outside the folder of "
                                        "images, which is never written"));
        thresholdFiles.emplace_back(entry.left(equals), file);
    }
    if (!thresholdFiles.empty()) {
        if (const QString problem = choice.validate(); !problem.isEmpty())
            return usage(problem);
    }
    const QString style = parser.value(progress);
    if (!ScanProgressPrinter::isStyle(style))
        return usage(QStringLiteral("--progress must be auto, bar, lines or none"));
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return usage(problem);
    if (!fromReport) {
        ScanSettings check = scan;
        check.outputCsv = settings.scanReportPath();
        if (const QString problem = check.validate(); !problem.isEmpty())
            return usage(problem);
    }

    std::unique_ptr<CaseFile> caseFile;
    if (parser.isSet(caseOption)) {
        caseFile = openCaseForRun(QStringLiteral("evaluate"), parser.value(caseOption));
        if (!caseFile)
            return kOutputFailed;
    }

    const QDateTime started = QDateTime::currentDateTimeUtc();
    const std::atomic_bool &stop = installStopSignals();
    ScanProgressPrinter printer(ScanProgressPrinter::styleFor(style));
    ScanObserver observer;
    observer.started = [](const ScanPlan &plan) { printScanPlan(plan, "evaluate"); };
    observer.progress = [&printer](const ScanProgress &p) { printer.update(p); };
    Result<EvaluationRun> run = runEvaluation(settings, stop, observer);
    printer.finish();
    if (!run) {
        err() << "forgelens-cli evaluate: [" << run.error().codeName() << "] "
              << displayText(run.error().message) << '\n';
        err().flush();
        return scanExitCodeFor(run.error());
    }
    if (run->scan)
        printScanSummary(*run->scan, "evaluate");
    if (run->interrupted)
        return kInterrupted;
    if (caseFile) {
        CaseRun caseRun;
        caseRun.kind = QStringLiteral("evaluation");
        caseRun.startedUtc = started;
        caseRun.finishedUtc = QDateTime::currentDateTimeUtc();
        caseRun.results = run->document;
        caseRun.environment = QJsonObject{ { QStringLiteral("tool"),
                                               QStringLiteral("forgelens-cli evaluate") },
            { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
            { QStringLiteral("detectors"), run->reportSidecar.value(QStringLiteral("models")) },
            { QStringLiteral("settings"), run->reportSidecar.value(QStringLiteral("settings")) },
            { QStringLiteral("output"), QFileInfo(settings.outputDir).absoluteFilePath() } };
        if (!addRunToCase(QStringLiteral("evaluate"), *caseFile, caseRun))
            return kOutputFailed;
    }

    const Evaluation &evaluation = run->evaluation;
    qint64 synthetic = 0;
    for (const EvaluatedFile &file : evaluation.files)
        synthetic += file.label.synthetic ? 1 : 0;
    out() << "forgelens-cli evaluate: " << evaluation.files.size() << " labelled images ("
          << qint64(evaluation.files.size()) - synthetic << " real, " << synthetic
          << " synthetic), file list sha256 " << evaluation.fileListSha256 << '\n';
    if (evaluation.excluded > 0)
        out() << "  " << evaluation.excluded << " left out by hash (--exclude-sha256)\n";
    if (evaluation.missing > 0)
        out() << "  " << evaluation.missing << " labelled files have no row in the report\n";
    if (evaluation.unlabelledRows > 0)
        out() << "  " << evaluation.unlabelledRows << " rows of the report have no label\n";
    for (const DetectorEvaluation &detector : evaluation.detectors)
        printDetector(detector, settings.options);
    printPairs(evaluation);
    out() << "\n" << baseRateCaveat() << "\n\n";

    QStringList written{ settings.jsonPath(), settings.scoresPath() };
    int code = kAllAnalysed;
    if (!parser.isSet(noPlots)) {
        const EvaluationPlotFiles plots = writeEvaluationPlots(evaluation, settings.outputDir);
        written += plots.written;
        if (!plots.problem.isEmpty()) {
            err() << "forgelens-cli evaluate: " << displayText(plots.problem) << '\n';
            code = kOutputFailed;
        }
    }
    const QString scannedRoot = run->reportSidecar.value(QStringLiteral("root")).toString();
    for (const auto &[id, file] : thresholdFiles) {
        const int detector = int(evaluation.detectorIds.indexOf(id));
        if (!scannedRoot.isEmpty() && liesInsideFolder(file, scannedRoot)) {
            err() << "forgelens-cli evaluate: --write-threshold must lie outside "
                  << displayText(scannedRoot) << ", which is never written\n";
            code = kUsageError;
            continue;
        }
        const QJsonObject model = sidecarModel(run->reportSidecar, id);
        if (detector < 0) {
            err() << "forgelens-cli evaluate: --write-threshold: no detector " << displayText(id)
                  << " in this evaluation\n";
            code = kUsageError;
            continue;
        }
        Result<QJsonObject> document = thresholdOverrideDocument(evaluation, detector, model,
            choice, QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
        if (!document) {
            err() << "forgelens-cli evaluate: no threshold written for " << displayText(id) << ": "
                  << displayText(document.error().message) << '\n';
            code = kUsageError;
            continue;
        }
        if (std::optional<Error> error = writeJsonAtomically(file, *document)) {
            err() << "forgelens-cli evaluate: " << displayText(error->message) << '\n';
            code = kOutputFailed;
            continue;
        }
        const QJsonObject threshold = document->value(QStringLiteral("manifest"))
                                          .toObject()
                                          .value(QStringLiteral("threshold"))
                                          .toObject();
        out() << "forgelens-cli evaluate: threshold for " << displayText(id) << ": "
              << threshold.value(QStringLiteral("value")).toDouble() << " ("
              << displayText(threshold.value(QStringLiteral("chosen_by")).toString())
              << "), written to " << file << "; use it with --threshold-override " << file << '\n';
        written << file;
    }
    out() << "forgelens-cli evaluate: wrote " << written.join(QStringLiteral(", ")) << '\n';
    out().flush();
    err().flush();
    if (code != kAllAnalysed)
        return code;
    for (const EvaluatedFile &file : evaluation.files)
        if (file.status != QStringLiteral("ok"))
            return kSomeFailed;
    return kAllAnalysed;
}

} // namespace forgelens::cli
