#include "analyze_command.h"

#include "case_command.h"
#include "cli_streams.h"
#include "engine_options.h"
#include "exit_code.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis.h"
#include "forgelens/case/case_recording.h"
#include "forgelens/models/default_bundle.h"
#include "forgelens/report/analysis_json.h"
#include "forgelens/report/display_text.h"
#include "forgelens/report/json_text.h"
#include "forgelens/report/verdict_statement.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

namespace forgelens::cli {
namespace {

const char *const kDescription
    = R"(Analyse images with one or more model bundles and print each detector's verdict.

Each file is opened read-only, hashed (SHA-256, MD5), decoded once and analysed by every
detector (preprocessed once per distinct input specification). A file that cannot be analysed
(missing, empty, truncated, not an image, too large) prints its own error and the others are
still analysed. Without --model, the default bundle is used: $FORGELENS_MODELS (a bundle or a
folder), then the build tree's and the install prefix's model folders; its path is printed.

Labels: synthetic, inconclusive (within the model's band) or not_flagged (not proof of a
camera), prefixed with the model's caveat when it has one: experimental_, stand_in_,
untrained_ (e.g. experimental_not_flagged).

Exit codes:
  0  every image was analysed by every detector
  1  at least one image could not be analysed (the others were)
  2  usage error
  3  a model bundle could not be loaded, or none was found)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

// The kNN head's neighbours, which only the text report lists one by one.
void printNeighbours(const HeadScores &head)
{
    for (const Neighbour &n : head.neighbours)
        out() << "                 neighbour #" << n.index << " ("
              << (n.fake ? "synthetic" : "real") << ", label " << n.label << ") at "
              << QString::number(n.distance, 'f', 4) << '\n';
}

void printDetector(const DetectorResult &result)
{
    const ModelManifest &manifest = result.model->manifest;
    out() << "  " << displayText(manifest.id) << '\n';
    if (!result.ok()) {
        if (result.error)
            out() << "    error        [" << result.error->codeName() << "] "
                  << displayText(result.error->message) << '\n';
        return;
    }
    const Prediction &p = *result.prediction;
    const VerdictStatement s = describeVerdict(p, manifest);
    out() << "    label        " << s.label;
    if (!s.caveatMarker.isEmpty())
        out() << ' ' << s.caveatMarker;
    out() << " (" << s.headline << ": " << s.reason << ")\n";
    out() << "    P(synthetic) " << QString::number(double(p.pSynthetic), 'f', 4) << "  (threshold "
          << QString::number(p.threshold, 'f', 4) << ", " << displayText(manifest.thresholdChosenBy)
          << ")\n";
    if (manifest.inconclusive)
        out() << "    band         inconclusive from "
              << QString::number(manifest.inconclusive->low, 'f', 4) << " to "
              << QString::number(manifest.inconclusive->high, 'f', 4) << " ("
              << displayText(manifest.inconclusive->chosenBy) << ")\n";
    out() << "    classes     ";
    for (int i = 0; i < manifest.classes.size(); ++i)
        out() << ' ' << displayText(manifest.classes.at(i)) << ' '
              << QString::number(double(p.classProbabilities.at(size_t(i))), 'f', 4);
    out() << '\n';
    if (!s.head.isEmpty()) {
        out() << "    head         " << s.head << '\n';
        printNeighbours(p.head);
    }
    if (!s.calibration.isEmpty())
        out() << "    note         " << s.calibration << '\n';
    out() << "    scored       " << result.regions.size()
          << (result.regions.size() == 1 ? " region" : " regions");
    if (result.regions.size() == 1) {
        const QRect &r = result.regions.front();
        out() << " (" << r.width() << "x" << r.height() << " at " << r.x() << "," << r.y() << ")";
    }
    out() << '\n';
    out() << "    inference    " << QString::number(p.inferenceMillis, 'f', 1) << " ms\n";
}

void printText(const AnalysisRecord &record)
{
    out() << displayText(record.path) << '\n';
    if (!record.digest.sha256.isEmpty())
        out() << "  sha256       " << record.digest.sha256 << '\n';
    if (record.decoded()) {
        out() << "  image        " << imageFormatDisplayName(record.format) << ' ' << record.width
              << "x" << record.height << ", " << record.fileSize << " bytes";
        if (record.orientation != 1)
            out() << ", " << orientationSourceName(record.format) << " orientation "
                  << record.orientation << " applied";
        out() << '\n';
    }
    if (!record.findingCodes.isEmpty())
        out() << "  metadata     " << record.findingCodes.join(QStringLiteral(", ")) << '\n';
    if (record.fileError) {
        out() << "  error        [" << record.fileError->codeName() << "] "
              << displayText(record.fileError->message) << '\n';
        out().flush();
        err() << "forgelens-cli: " << displayText(record.path) << ": error ["
              << record.fileError->codeName() << "]: " << displayText(record.fileError->message)
              << '\n';
        err().flush();
        return;
    }
    for (const DetectorResult &result : record.detectors)
        printDetector(result);
    if (record.detectors.size() > 1)
        out() << "  agreement    " << agreementSentence(record) << '\n';
    // The models' own caveats are in the header and on every label line.
    for (const QString &caveat : recordCaveats(record, false))
        out() << "  caution      " << caveat << '\n';
    out().flush();
}

void printModelHeader(const DetectorSet &detectors)
{
    for (size_t i = 0; i < detectors.size(); ++i) {
        const ModelInfo &info = *detectors.model(i);
        out() << "model " << displayText(info.manifest.name) << " ("
              << displayText(info.manifest.id) << ' ' << displayText(info.manifest.version)
              << "), bundle sha256 " << info.bundleSha256 << ", on " << info.device << '\n';
        // Said on stdout too: a saved report must carry the warning, not only the terminal.
        const ModelCaveat caveat = modelCaveat(info.manifest);
        if (caveat != ModelCaveat::None)
            out() << (caveat == ModelCaveat::Experimental ? "NOTE: " : "WARNING: ")
                  << caveatWarning(caveat) << '\n';
    }
    out() << '\n';
}

} // namespace

int runAnalyze(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("analyze"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("images"), QStringLiteral("Image files."), QStringLiteral("IMAGE…"));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("Model bundle (.pt) to run; repeat for several detectors side by side "
                       "(default: the bundle found in the model folders)."),
        QStringLiteral("BUNDLE"));
    const QCommandLineOption json(
        QStringLiteral("json"), QStringLiteral("Print one JSON document instead of text."));
    const EngineOptions engineOptions;
    const QCommandLineOption caseOption = caseRunOption();
    parser.addOptions({ model, json, caseOption });
    engineOptions.addTo(parser);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli analyze: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const QStringList images = parser.positionalArguments().mid(1);
    if (images.isEmpty()) {
        err() << "forgelens-cli analyze: give at least one IMAGE (see --help)\n";
        return kUsageError;
    }

    EngineConfig config;
    AnalysisRequest request;
    if (const QString problem = engineOptions.read(parser, config, request.limits);
        !problem.isEmpty()) {
        err() << "forgelens-cli analyze: " << problem << "\n";
        return kUsageError;
    }
    QStringList bundles = parser.values(model);
    if (const QString problem = config.validate(); !problem.isEmpty()) {
        err() << "forgelens-cli analyze: " << problem << "\n";
        return kUsageError;
    }
    if (bundles.isEmpty()) {
        Result<QString> found = findDefaultBundle();
        if (!found) {
            err() << "forgelens-cli: [" << found.error().codeName() << "] " << found.error().message
                  << "\n";
            return kModelUnusable;
        }
        err() << "forgelens-cli: using the default model bundle " << *found << "\n";
        bundles << *found;
    }
    QStringList pins;
    if (const QString problem = engineOptions.readPins(parser, bundles.size(), pins);
        !problem.isEmpty()) {
        err() << "forgelens-cli analyze: " << problem << "\n";
        return kUsageError;
    }

    std::unique_ptr<CaseFile> caseFile;
    if (parser.isSet(caseOption)) {
        caseFile = openCaseForRun(QStringLiteral("analyze"), parser.value(caseOption));
        if (!caseFile)
            return kOutputFailed;
        request.keepMetadataReport = true; // the case keeps every property for its report
    }

    request.sandbox = std::make_shared<DecoderPool>(SandboxConfig{}, request.limits);
    request.sandbox->prestart(1); // it warms up while the models load
    Result<DetectorSet> detectors = DetectorSet::load(bundles, config, 32, pins);
    if (!detectors) {
        err() << "forgelens-cli: cannot use the model [" << detectors.error().codeName()
              << "]: " << displayText(detectors.error().message) << "\n";
        return detectors.error().code == ErrorCode::BadSettings ? kUsageError : kModelUnusable;
    }
    for (size_t i = 0; i < detectors->size(); ++i) {
        const ModelManifest &manifest = detectors->model(i)->manifest;
        const ModelCaveat caveat = modelCaveat(manifest);
        if (caveat != ModelCaveat::None)
            err() << "forgelens-cli: " << (caveat == ModelCaveat::Experimental ? "note" : "WARNING")
                  << ": " << displayText(manifest.name) << ": " << caveatWarning(caveat) << '\n';
    }
    err().flush();

    const bool asJson = parser.isSet(json);
    if (!asJson)
        printModelHeader(*detectors);

    const QDateTime started = QDateTime::currentDateTimeUtc();
    QJsonArray results;
    int failures = 0;
    std::vector<ReportItemInput> recorded;
    for (const QString &path : images) {
        const AnalysisRecord record = analyzeFile(
            caseFile ? QFileInfo(path).absoluteFilePath() : path, *detectors, request);
        if (caseFile)
            recorded.push_back(ReportItemInput{ record, {}, {}, {} });
        if (!record.ok())
            ++failures;
        if (asJson) {
            results.append(analysisRecordToJson(record));
            // Still said on stderr, where a person watching will see it.
            if (const std::optional<Error> error = record.firstError())
                err() << "forgelens-cli: " << displayText(path) << ": error [" << error->codeName()
                      << "]: " << displayText(error->message) << '\n';
        } else {
            printText(record);
            out() << '\n';
        }
    }

    if (caseFile) {
        const QJsonObject settings{ { QStringLiteral("device"),
                                        EngineConfig::deviceName(config.device) },
            { QStringLiteral("threads"), config.intraOpThreads },
            { QStringLiteral("max_megapixels"), double(request.limits.maxPixels) / 1e6 } };
        Result<RecordedRun> run = recordAnalysis(*caseFile, recorded,
            runEnvironment(detectors->sharedModels(), {}, settings), started,
            QDateTime::currentDateTimeUtc());
        if (!run) {
            err() << "forgelens-cli analyze: --case: [" << run.error().codeName() << "] "
                  << displayText(run.error().message) << '\n';
            err().flush();
            return kOutputFailed;
        }
        for (const QString &problem : run->problems) {
            ++failures;
            err() << "forgelens-cli analyze: --case: " << displayText(problem) << '\n';
        }
        err() << "forgelens-cli analyze: recorded as run " << run->runId << " of case "
              << displayText(caseFile->header().number) << " with " << run->evidence.size()
              << " evidence item(s)\n";
    }

    if (asJson) {
        QJsonArray models;
        for (size_t i = 0; i < detectors->size(); ++i)
            models.append(modelInfoToJson(*detectors->model(i)));
        QJsonObject document{
            { QStringLiteral("tool"), QStringLiteral("forgelens-cli") },
            { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
            { QStringLiteral("started_utc"), started.toString(Qt::ISODateWithMs) },
            { QStringLiteral("finished_utc"),
                QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
            { QStringLiteral("models"), models },
            { QStringLiteral("settings"),
                QJsonObject{ { QStringLiteral("device"), EngineConfig::deviceName(config.device) },
                    { QStringLiteral("threads"), config.intraOpThreads },
                    { QStringLiteral("max_megapixels"), double(request.limits.maxPixels) / 1e6 },
                    { QStringLiteral("model_sha256_pinned"), !pins.isEmpty() } } },
            { QStringLiteral("results"), results },
        };
        out() << terminalSafeJson(QJsonDocument(document));
    }
    out().flush();
    err().flush();
    return failures == 0 ? kAllAnalysed : kSomeFailed;
}

} // namespace forgelens::cli
