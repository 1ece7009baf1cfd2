#include "report_command.h"

#include "case_command.h"
#include "cli_streams.h"
#include "engine_options.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis.h"
#include "forgelens/case/case_recording.h"
#include "forgelens/case/scan_summary.h"
#include "forgelens/exemplars/attached_bank.h"
#include "forgelens/explain/window_maps.h"
#include "forgelens/models/default_bundle.h"
#include "forgelens/report/display_text.h"
#include "forgelens/sandbox/decoder_pool.h"
#include "ui/report_export.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>

namespace forgelens::cli {
namespace {

const char *const kDescription = R"(A forensic report as PDF (PDF/A-1b intended) and JSON.

  report CASE.forgelens [--item ID]… -o REPORT.pdf
      the report of a case as it stands: every evidence item (or those given), with the
      latest analysis of each, its scans and evaluations, the chain of custody and the log
  report IMAGE… --model BUNDLE… [--bank BANK]… [--case CASE] -o REPORT.pdf
      analyses the images (verdicts, maps, nearest exemplars, metadata), records the run in
      CASE (made with the --case-number… options if it does not exist yet; without --case, in
      a case made for this report alone, which is not kept), then reports on them
  report --scan SCAN.csv [--case CASE] -o SUMMARY.pdf
      a scan's summary: counts, histograms, the flagged files with pictures, the CSV by hash

Every evidence file is hashed again as the report is made; one whose bytes no longer match
its intake is reported as changed and its pixels are not shown. The report names each file by
SHA-256 (and SHA-1, MD5), each detector by bundle and manifest SHA-256 with its threshold and
band, and ends with the commands that reproduce every figure. Each export is logged in the
case with the PDF's and JSON's SHA-256, and carries the head of the case log's hash chain.
The JSON (format forgelens-report, version 1) holds the same content for other tools.
Outputs are never written into an evidence folder.

Exit codes:
  0  the report was written
  1  written, but some image could not be analysed or taken in
  2  usage error
  3  a model bundle could not be loaded
  4  the case or the report could not be read or written)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

bool isCaseFile(const QString &path)
{
    if (path.endsWith(QLatin1String(".forgelens")))
        return true;
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(16) == QByteArray("SQLite format 3", 16);
}

} // namespace

int runReport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("report"), QStringLiteral("The command."));
    parser.addPositionalArgument(QStringLiteral("inputs"),
        QStringLiteral("A case file, or image files."), QStringLiteral("CASE|IMAGE…"));
    const QCommandLineOption output({ QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The PDF to write."), QStringLiteral("REPORT.pdf"));
    const QCommandLineOption json(QStringLiteral("json"),
        QStringLiteral("Also write the report's content as JSON (forgelens-report v1)."),
        QStringLiteral("FILE"));
    const QCommandLineOption pageSize(QStringLiteral("page-size"),
        QStringLiteral("A4 (default) or Letter."), QStringLiteral("SIZE"), QStringLiteral("A4"));
    const QCommandLineOption caseOption(QStringLiteral("case"),
        QStringLiteral("The case to record the analysis or scan in (made if missing)."),
        QStringLiteral("CASE"));
    const QCommandLineOption item(QStringLiteral("item"),
        QStringLiteral("Case reports: the evidence item to report on (repeat; default all)."),
        QStringLiteral("ID"));
    const QCommandLineOption scan(QStringLiteral("scan"),
        QStringLiteral("A scan report whose summary goes into the case and the report."),
        QStringLiteral("SCAN.csv"));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("Model bundle; repeat for several detectors (default: the default bundle)."),
        QStringLiteral("BUNDLE"));
    const QCommandLineOption bankOption(QStringLiteral("bank"),
        QStringLiteral("An exemplar bank of a detector (nearest exemplars, patch similarity)."),
        QStringLiteral("BANK"));
    const QCommandLineOption noMaps(
        QStringLiteral("no-maps"), QStringLiteral("Leave the maps out (faster)."));
    const QCommandLineOption maxWindows(QStringLiteral("max-windows"),
        QStringLiteral("Windows per map at most (default 256)."), QStringLiteral("N"),
        QStringLiteral("256"));
    const QCommandLineOption exemplarCount(QStringLiteral("exemplars"),
        QStringLiteral("Nearest exemplars shown per detector (default 10)."), QStringLiteral("K"),
        QStringLiteral("10"));
    const QCommandLineOption thumbnails(QStringLiteral("thumbnails"),
        QStringLiteral("Scan summaries: pictures of the flagged files per detector (default 24)."),
        QStringLiteral("N"), QStringLiteral("24"));
    const EngineOptions engineOptions;
    const CaseHeaderOptions headerOptions;
    parser.addOptions({ output, json, pageSize, caseOption, item, scan, model, bankOption, noMaps,
        maxWindows, exemplarCount, thumbnails });
    engineOptions.addTo(parser);
    headerOptions.addTo(parser);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli report: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const auto usage = [](const QString &message) {
        err() << "forgelens-cli report: " << message << " (see --help)\n";
        err().flush();
        return kUsageError;
    };
    const QStringList inputs = parser.positionalArguments().mid(1);
    if (!parser.isSet(output) && !parser.isSet(json))
        return usage(QStringLiteral("give -o REPORT.pdf or --json FILE"));
    if (inputs.isEmpty() && !parser.isSet(scan))
        return usage(QStringLiteral("give a CASE, IMAGE files or --scan SCAN.csv"));
    const std::optional<QPageSize::PageSizeId> size = reportPageSize(parser.value(pageSize));
    if (!size)
        return usage(QStringLiteral("--page-size must be A4 or Letter"));
    bool numeric = false;
    WindowMapSettings mapSettings;
    mapSettings.maxWindows = parser.value(maxWindows).toInt(&numeric);
    if (!numeric || !mapSettings.validate().isEmpty())
        return usage(QStringLiteral("--max-windows must be 1 to 4096"));
    const int k = parser.value(exemplarCount).toInt(&numeric);
    if (!numeric || k < 1 || k > 100)
        return usage(QStringLiteral("--exemplars must be 1 to 100"));
    const int thumbnailCount = parser.value(thumbnails).toInt(&numeric);
    if (!numeric || thumbnailCount < 0 || thumbnailCount > 500)
        return usage(QStringLiteral("--thumbnails must be 0 to 500"));
    EngineConfig config;
    AnalysisRequest request;
    if (const QString problem = engineOptions.read(parser, config, request.limits);
        !problem.isEmpty())
        return usage(problem);
    mapSettings.batch = config.maxBatch;

    const bool caseMode = inputs.size() == 1 && isCaseFile(inputs.first());
    if (caseMode && (parser.isSet(caseOption) || parser.isSet(model)))
        return usage(QStringLiteral("a case report takes neither --case nor --model: the case "
                                    "holds its analyses"));
    std::vector<qint64> items;
    for (const QString &value : parser.values(item)) {
        const qint64 id = value.toLongLong(&numeric);
        if (!numeric || id < 1)
            return usage(QStringLiteral("--item takes an evidence item's number"));
        items.push_back(id);
    }

    // The case: the one given, made if missing; or one for this report alone.
    std::unique_ptr<CaseFile> caseFile;
    QTemporaryDir scratch;
    bool temporaryCase = false;
    const QString casePath = caseMode ? inputs.first() : parser.value(caseOption);
    if (!casePath.isEmpty() && (caseMode || QFileInfo::exists(casePath))) {
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(casePath);
        if (!opened) {
            err() << "forgelens-cli report: [" << opened.error().codeName() << "] "
                  << displayText(opened.error().message) << '\n';
            return kOutputFailed;
        }
        caseFile = std::move(opened).value();
    } else {
        CaseHeader header = headerOptions.read(parser);
        if (casePath.isEmpty()) {
            temporaryCase = true;
            if (header.number.isEmpty())
                header.number = QStringLiteral("(none)");
            if (header.title.isEmpty())
                header.title = QStringLiteral("Ad-hoc report");
        }
        const QString path
            = temporaryCase ? scratch.filePath(QStringLiteral("report.forgelens")) : casePath;
        Result<std::unique_ptr<CaseFile>> made = CaseFile::create(path, header);
        if (!made) {
            err() << "forgelens-cli report: [" << made.error().codeName() << "] "
                  << displayText(made.error().message) << '\n';
            return made.error().code == ErrorCode::BadSettings ? kUsageError : kOutputFailed;
        }
        caseFile = std::move(made).value();
    }
    if (!caseFile->chainStatus().intact)
        err() << "forgelens-cli report: WARNING: the case's log does not verify ("
              << displayText(caseFile->chainStatus().summary())
              << "); the report says so, and nothing is added to the case\n";

    request.sandbox = std::make_shared<DecoderPool>(SandboxConfig{}, request.limits);
    int failures = 0;
    if (!caseMode && !inputs.isEmpty()) {
        QStringList bundles = parser.values(model);
        if (bundles.isEmpty()) {
            Result<QString> found = findDefaultBundle();
            if (!found) {
                err() << "forgelens-cli report: [" << found.error().codeName() << "] "
                      << displayText(found.error().message) << '\n';
                return kModelUnusable;
            }
            bundles << *found;
        }
        QStringList pins;
        if (const QString problem = engineOptions.readPins(parser, bundles.size(), pins);
            !problem.isEmpty())
            return usage(problem);
        request.sandbox->prestart(1);
        Result<DetectorSet> detectors = DetectorSet::load(bundles, config, 32, pins);
        if (!detectors) {
            err() << "forgelens-cli report: cannot use the model [" << detectors.error().codeName()
                  << "]: " << displayText(detectors.error().message) << '\n';
            return kModelUnusable;
        }
        Result<std::vector<std::shared_ptr<const AttachedBank>>> attached
            = AttachedBank::attachToDetectors(parser.values(bankOption), detectors->sharedModels());
        if (!attached) {
            err() << "forgelens-cli report: [" << attached.error().codeName() << "] "
                  << displayText(attached.error().message) << '\n';
            return kUsageError;
        }
        const std::vector<std::shared_ptr<const AttachedBank>> &banks = *attached;
        QStringList bankPaths;
        for (const auto &bank : banks) {
            if (bank)
                bankPaths << QFileInfo(bank->path()).absoluteFilePath();
        }
        request.readMetadata = true;
        request.keepMetadataReport = true;
        request.keepEmbeddings
            = std::any_of(banks.begin(), banks.end(), [](const auto &b) { return bool(b); });

        const QDateTime started = QDateTime::currentDateTimeUtc();
        std::vector<ReportItemInput> analysed;
        for (const QString &image : inputs) {
            std::optional<DecodedImage> pixels;
            AnalysisHooks hooks;
            hooks.decoded = [&pixels](const DecodedImage &decoded) {
                if (!decoded.truncated)
                    pixels = decoded;
            };
            ReportItemInput entry;
            entry.record
                = analyzeFile(QFileInfo(image).absoluteFilePath(), *detectors, request, hooks);
            if (const std::optional<Error> error = entry.record.firstError()) {
                ++failures;
                err() << "forgelens-cli report: " << displayText(image) << ": ["
                      << error->codeName() << "] " << displayText(error->message) << '\n';
            }
            for (size_t d = 0; d < detectors->size(); ++d) {
                const QString id = detectors->model(d)->manifest.id;
                if (pixels && !parser.isSet(noMaps)) {
                    WindowMapSettings settings = mapSettings;
                    settings.bank = banks[d];
                    Result<WindowMaps> maps
                        = computeWindowMaps(*pixels, detectors->worker(d), settings);
                    if (maps) {
                        entry.maps.push_back(maps->tileScores);
                        if (maps->selfConsistency)
                            entry.maps.push_back(*maps->selfConsistency);
                        else
                            entry.mapsMissing.emplace_back(id, maps->noSelfConsistency);
                        if (maps->patchSimilarity)
                            entry.maps.push_back(*maps->patchSimilarity);
                        else
                            entry.mapsMissing.emplace_back(id, maps->noPatchSimilarity);
                    } else {
                        entry.mapsMissing.emplace_back(id, maps.error().message);
                    }
                }
                if (!banks[d])
                    continue;
                ReportExemplars exemplars{ id, banks[d]->path(), std::nullopt, QString() };
                const DetectorResult &result = entry.record.detectors.at(d);
                if (!result.prediction || result.prediction->embedding.empty()) {
                    exemplars.missing
                        = QStringLiteral("the detector gave no embedding for this file");
                } else if (Result<ExemplarNeighbourhood> nearest
                    = banks[d]->nearest(result.prediction->embedding, k)) {
                    exemplars.neighbourhood = std::move(nearest).value();
                } else {
                    exemplars.missing = nearest.error().message;
                }
                entry.exemplars.push_back(std::move(exemplars));
            }
            analysed.push_back(std::move(entry));
        }
        const QJsonObject settings{ { QStringLiteral("device"),
                                        EngineConfig::deviceName(config.device) },
            { QStringLiteral("threads"), config.intraOpThreads },
            { QStringLiteral("max_megapixels"), double(request.limits.maxPixels) / 1e6 },
            { QStringLiteral("maps"), !parser.isSet(noMaps) },
            { QStringLiteral("max_windows"), mapSettings.maxWindows },
            { QStringLiteral("exemplars"), k } };
        Result<RecordedRun> recorded = recordAnalysis(*caseFile, analysed,
            runEnvironment(detectors->sharedModels(), bankPaths, settings), started,
            QDateTime::currentDateTimeUtc());
        if (!recorded) {
            err() << "forgelens-cli report: [" << recorded.error().codeName() << "] "
                  << displayText(recorded.error().message) << '\n';
            return kOutputFailed;
        }
        for (const QString &problem : recorded->problems) {
            ++failures;
            err() << "forgelens-cli report: " << displayText(problem) << '\n';
        }
        for (const CaseEvidence &evidence : recorded->evidence)
            items.push_back(evidence.id);
    }
    if (parser.isSet(scan)) {
        Result<CaseRun> run = scanCaseRun(parser.value(scan));
        if (!run) {
            err() << "forgelens-cli report: " << displayText(parser.value(scan)) << ": ["
                  << run.error().codeName() << "] " << displayText(run.error().message) << '\n';
            return kOutputFailed;
        }
        if (Result<qint64> added = caseFile->addRun(*run); !added) {
            err() << "forgelens-cli report: [" << added.error().codeName() << "] "
                  << displayText(added.error().message) << '\n';
            return kOutputFailed;
        }
        // A scan-only report has no evidence items of its own to list.
        if (inputs.isEmpty() && items.empty())
            items.push_back(-1);
    }

    ReportExportRequest exportRequest;
    exportRequest.pdfPath = parser.value(output);
    exportRequest.jsonPath = parser.value(json);
    exportRequest.caseOptions.evidenceIds = items;
    exportRequest.caseOptions.pageSize = parser.value(pageSize);
    exportRequest.pdf.pageSize = *size;
    exportRequest.maxThumbnails = thumbnailCount;
    exportRequest.temporaryCase = temporaryCase;
    Result<ReportExportOutcome> exported
        = exportCaseReport(*caseFile, exportRequest, request.sandbox, request.limits);
    if (!exported) {
        err() << "forgelens-cli report: [" << exported.error().codeName() << "] "
              << displayText(exported.error().message) << '\n';
        return exported.error().code == ErrorCode::BadSettings ? kUsageError : kOutputFailed;
    }
    if (!exportRequest.pdfPath.isEmpty())
        out() << displayText(exportRequest.pdfPath) << "\n  sha256 " << exported->pdfSha256
              << "\n  " << exported->pdfBytes << " bytes\n";
    if (!exportRequest.jsonPath.isEmpty())
        out() << displayText(exportRequest.jsonPath) << "\n  sha256 " << exported->jsonSha256
              << '\n';
    out() << "case log head " << exported->chainHead << '\n';
    if (exported->picturesWithheld > 0)
        out() << exported->picturesWithheld
              << " evidence picture(s) not shown: the file no longer matches its intake, or "
                 "could not be read\n";
    out().flush();
    err().flush();
    return failures == 0 ? kAllAnalysed : kSomeFailed;
}

} // namespace forgelens::cli
