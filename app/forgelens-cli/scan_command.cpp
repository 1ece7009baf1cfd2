#include "scan_command.h"

#include "case_command.h"
#include "cli_streams.h"
#include "count_option.h"
#include "engine_options.h"
#include "scan_console.h"
#include "scan_progress_printer.h"
#include "stop_signal.h"

#include "forgelens/case/scan_summary.h"
#include "forgelens/report/display_text.h"
#include "forgelens/scan/scan_pipeline.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <atomic>

namespace forgelens::cli {
namespace {

const char *const kDescription
    = R"(Scan a folder (recursively) with one or more model bundles into a CSV report.

Every file that looks like an image (by content, or by its name) gets one row: path relative
to FOLDER, size, SHA-256, width, height, format, per model P(synthetic), label and threshold,
the metadata findings' codes, status ("ok" or an error code) and the error message. Each file
is read and decoded once for all models. Evidence files are opened read-only.

The report is built in REPORT.partial (flushed in chunks) and renamed to REPORT when done,
with REPORT.json beside it (tool version, models and their SHA-256, settings, UTC times,
counts per status). Ctrl-C (or SIGTERM) stops cleanly after the files in flight; run the same
command with --resume to continue without repeating or losing a row. A second Ctrl-C stops at
once; --resume still continues from the last chunk written.

--shard K/N scans a deterministic share (K = 0 … N-1) for job arrays; join the shards'
reports with `forgelens-cli merge`.

Exit codes:
  0  every row is "ok"
  1  some rows carry an error (they are in the report)
  2  usage error, or the report exists / an interrupted run waits (nothing written)
  3  a model bundle could not be loaded
  4  the report could not be written, or FOLDER could not be read
  130  interrupted: continue with --resume)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

} // namespace

int runScan(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("scan"), QStringLiteral("The command."));
    parser.addPositionalArgument(QStringLiteral("folder"), QStringLiteral("Folder to scan."));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("Model bundle (.pt); repeat for several."), QStringLiteral("BUNDLE"));
    const QCommandLineOption output({ QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The CSV report to write."), QStringLiteral("REPORT"));
    const QCommandLineOption resume(
        QStringLiteral("resume"), QStringLiteral("Continue an interrupted scan of REPORT."));
    const QCommandLineOption overwrite(
        QStringLiteral("overwrite"), QStringLiteral("Replace REPORT if it exists."));
    const QCommandLineOption shard(QStringLiteral("shard"),
        QStringLiteral("Scan only share K of N (K = 0 … N-1)."), QStringLiteral("K/N"));
    const QCommandLineOption followSymlinks(QStringLiteral("follow-symlinks"),
        QStringLiteral("Follow symbolic links (each folder is scanned once)."));
    const QCommandLineOption allFiles(QStringLiteral("all-files"),
        QStringLiteral("A row for every file, not only those that look like images."));
    const QCommandLineOption noMetadata(QStringLiteral("no-metadata"),
        QStringLiteral("Leave the metadata findings column empty (faster)."));
    const QCommandLineOption fullDecode(QStringLiteral("full-decode"),
        QStringLiteral("Decode every JPEG whole and at full size: no reduced decode for bundles "
                       "that allow it, and no decode of only the models' crops (README: "
                       "\"Reduced JPEG decode\", \"Crop-only JPEG decode\")."));
    const EngineOptions engineOptions;
    const QCommandLineOption decodeThreads(QStringLiteral("decode-threads"),
        QStringLiteral("Threads that read, hash, decode and preprocess (default: the cores this "
                       "process may use)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption batch(QStringLiteral("batch"),
        QStringLiteral("Images per forward pass at most (default 16)."), QStringLiteral("N"),
        QStringLiteral("16"));
    const QCommandLineOption flushRows(QStringLiteral("flush-rows"),
        QStringLiteral("Rows per write of REPORT.partial (default 256; also every 2 s)."),
        QStringLiteral("N"), QStringLiteral("256"));
    const QCommandLineOption progress(QStringLiteral("progress"),
        QStringLiteral("auto (a bar on a terminal, else a line every 5 s), bar, lines or none."),
        QStringLiteral("STYLE"), QStringLiteral("auto"));
    const QCommandLineOption caseOption = caseRunOption();
    parser.addOptions({ model, output, resume, overwrite, shard, followSymlinks, allFiles,
        noMetadata, fullDecode, decodeThreads, batch, flushRows, progress, caseOption });
    engineOptions.addTo(parser);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli scan: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const QStringList positional = parser.positionalArguments().mid(1);
    if (positional.size() != 1 || !parser.isSet(model) || !parser.isSet(output)) {
        err() << "forgelens-cli scan: give one FOLDER, --model BUNDLE and -o REPORT (see "
                 "--help)\n";
        return kUsageError;
    }

    ScanSettings settings;
    settings.root = positional.first();
    settings.outputCsv = parser.value(output);
    settings.modelPaths = parser.values(model);
    settings.resume = parser.isSet(resume);
    settings.overwrite = parser.isSet(overwrite);
    settings.walk.followSymlinks = parser.isSet(followSymlinks);
    settings.walk.allFiles = parser.isSet(allFiles);
    settings.readMetadata = !parser.isSet(noMetadata);
    settings.reducedJpegDecode = !parser.isSet(fullDecode);
    settings.cropOnlyJpegDecode = !parser.isSet(fullDecode);
    const auto usage = [](const QString &message) {
        err() << "forgelens-cli scan: " << message << "\n";
        err().flush();
        return kUsageError;
    };
    if (parser.isSet(shard)) {
        Result<ShardSpec> spec = ShardSpec::parse(parser.value(shard));
        if (!spec)
            return usage(spec.error().message);
        settings.shard = *spec;
    }
    if (const QString problem = engineOptions.read(parser, settings.engine, settings.limits);
        !problem.isEmpty())
        return usage(problem);
    if (const QString problem
        = engineOptions.readPins(parser, settings.modelPaths.size(), settings.modelPins);
        !problem.isEmpty())
        return usage(problem);
    if (!readCount(parser.value(decodeThreads), 0, &settings.decodeThreads))
        return usage(QStringLiteral("--decode-threads must be 0 (automatic) or a positive number"));
    if (!readCount(parser.value(batch), 1, &settings.engine.maxBatch))
        return usage(QStringLiteral("--batch must be a positive number"));
    if (!readCount(parser.value(flushRows), 1, &settings.flushRows))
        return usage(QStringLiteral("--flush-rows must be a positive number"));
    const QString style = parser.value(progress);
    if (!ScanProgressPrinter::isStyle(style))
        return usage(QStringLiteral("--progress must be auto, bar, lines or none"));
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return usage(problem);

    std::unique_ptr<CaseFile> caseFile;
    if (parser.isSet(caseOption)) {
        caseFile = openCaseForRun(QStringLiteral("scan"), parser.value(caseOption));
        if (!caseFile)
            return kOutputFailed;
    }

    const std::atomic_bool &stop = installStopSignals();
    ScanProgressPrinter printer(ScanProgressPrinter::styleFor(style));
    ScanObserver observer;
    observer.started = [](const ScanPlan &plan) { printScanPlan(plan, "scan"); };
    observer.progress = [&printer](const ScanProgress &p) { printer.update(p); };
    Result<ScanSummary> summary = forgelens::runScan(settings, stop, observer);
    printer.finish();
    if (!summary) {
        err() << "forgelens-cli scan: [" << summary.error().codeName() << "] "
              << displayText(summary.error().message) << '\n';
        err().flush();
        return scanExitCodeFor(summary.error());
    }
    printScanSummary(*summary, "scan");
    if (summary->interrupted)
        return kInterrupted;
    if (caseFile) {
        Result<CaseRun> run = scanCaseRun(settings.outputCsv);
        if (!run || !addRunToCase(QStringLiteral("scan"), *caseFile, *run)) {
            if (!run)
                err() << "forgelens-cli scan: --case: [" << run.error().codeName() << "] "
                      << displayText(run.error().message) << '\n';
            err().flush();
            return kOutputFailed;
        }
    }
    // Folders that could not be listed hold files with no row: not "every row is ok".
    return summary->failedRows() == 0 && summary->plan.walkProblems.isEmpty() ? kAllAnalysed
                                                                              : kSomeFailed;
}

} // namespace forgelens::cli
