#include "analyze_command.h"

#include "cli_streams.h"
#include "engine_options.h"

#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/image_analysis.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/report/analysis_json.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

namespace forgelens::cli {
namespace {

const char *const kDescription
    = R"(Analyse images with one model bundle and print one verdict per image.

Each file is opened read-only, hashed (SHA-256, MD5), decoded and analysed. A file that
cannot be analysed (missing, empty, truncated, not an image, too large) prints its own
error and the others are still analysed.

Exit codes:
  0  every image was analysed
  1  at least one image could not be analysed (the others were)
  2  usage error
  3  the model bundle could not be loaded)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

// The head's own score, so the analyst sees how far from its boundary the image lies.
void printHeadScores(const HeadScores &head)
{
    const auto number = [](double value) { return QString::number(value, 'f', 4); };
    switch (head.kind) {
    case HeadScores::Kind::None: return;
    case HeadScores::Kind::Linear:
        out() << "  head         linear: log-odds of synthetic "
              << number(head.decision.value_or(0)) << " (0 is the boundary)\n";
        return;
    case HeadScores::Kind::Ocsvm:
        out() << "  head         one-class SVM: decision " << number(head.decision.value_or(0))
              << (head.decision.value_or(0) > 0 ? " (inside" : " (outside")
              << " the region learnt from real images; 0 is the boundary)\n";
        return;
    case HeadScores::Kind::Knn: break;
    }
    out() << "  head         kNN, cosine distance to the nearest real "
          << (head.nearestRealDistance ? number(*head.nearestRealDistance) : QStringLiteral("-"))
          << ", nearest synthetic "
          << (head.nearestFakeDistance ? number(*head.nearestFakeDistance) : QStringLiteral("-"))
          << '\n';
    for (const Neighbour &n : head.neighbours)
        out() << "               neighbour #" << n.index << " (" << (n.fake ? "synthetic" : "real")
              << ", label " << n.label << ") at " << number(n.distance) << '\n';
}

void printText(const AnalysisOutcome &outcome, const ModelInfo &model)
{
    out() << outcome.path << '\n';
    if (!outcome.digest.sha256.isEmpty())
        out() << "  sha256       " << outcome.digest.sha256 << '\n';
    if (outcome.error) {
        out() << "  error        [" << outcome.error->code << "] " << outcome.error->message
              << '\n';
        out().flush();
        err() << "forgelens-cli: " << outcome.path << ": error [" << outcome.error->code
              << "]: " << outcome.error->message << '\n';
        err().flush();
        return;
    }
    const Prediction &p = *outcome.prediction;
    out() << "  image        " << imageFormatName(outcome.format).toUpper() << ' ' << outcome.width
          << "x" << outcome.height << ", " << outcome.fileSize << " bytes";
    if (outcome.orientation != 1)
        out() << ", EXIF orientation " << outcome.orientation << " applied";
    out() << '\n';
    // The label is the model's verdict at its threshold or band; "not flagged" means only that
    // this model did not flag it, never "shown to be a camera photograph".
    const ModelManifest &manifest = model.manifest;
    out() << "  label        " << verdictCode(p.verdict);
    if (manifest.isUntrainedTestModel())
        out() << " [UNTRAINED TEST MODEL]";
    else if (manifest.experimental)
        out() << " [EXPERIMENTAL detector]";
    switch (p.verdict) {
    case Verdict::Synthetic:
        out() << (manifest.inconclusive ? " (at or above the top of the inconclusive band)"
                                        : " (at or above the threshold)");
        break;
    case Verdict::Inconclusive: out() << " (within the inconclusive band: no call)"; break;
    case Verdict::NotFlagged:
        out() << (manifest.inconclusive ? " (below the inconclusive band: not flagged as synthetic)"
                                        : " (below the threshold: not flagged as synthetic)");
        break;
    }
    out() << '\n';
    out() << "  P(synthetic) " << QString::number(double(p.pSynthetic), 'f', 4) << "  (threshold "
          << QString::number(p.threshold, 'f', 4) << ", " << manifest.thresholdChosenBy << ")\n";
    if (manifest.inconclusive)
        out() << "  band         inconclusive from "
              << QString::number(manifest.inconclusive->low, 'f', 4) << " to "
              << QString::number(manifest.inconclusive->high, 'f', 4) << " ("
              << manifest.inconclusive->chosenBy << ")\n";
    out() << "  classes     ";
    for (int i = 0; i < manifest.classes.size(); ++i)
        out() << ' ' << manifest.classes.at(i) << ' '
              << QString::number(double(p.classProbabilities.at(size_t(i))), 'f', 4);
    out() << '\n';
    printHeadScores(p.head);
    out() << "  inference    " << QString::number(p.inferenceMillis, 'f', 1) << " ms\n";
    out().flush();
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
        QStringLiteral("Model bundle (.pt) to run."), QStringLiteral("BUNDLE"));
    const QCommandLineOption json(
        QStringLiteral("json"), QStringLiteral("Print one JSON document instead of text."));
    const QCommandLineOption pin(QStringLiteral("model-sha256"),
        QStringLiteral("Refuse the bundle unless its SHA-256 is HEX."), QStringLiteral("HEX"));
    const EngineOptions engineOptions;
    parser.addOptions({ model, json, pin });
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
    if (images.isEmpty() || !parser.isSet(model)) {
        err() << "forgelens-cli analyze: give --model BUNDLE and at least one IMAGE "
                 "(see --help)\n";
        return kUsageError;
    }

    EngineConfig config;
    DecodeLimits limits;
    if (const QString problem = engineOptions.read(parser, config, limits); !problem.isEmpty()) {
        err() << "forgelens-cli analyze: " << problem << "\n";
        return kUsageError;
    }
    config.expectedSha256 = parser.value(pin);
    if (const QString problem = config.validate(); !problem.isEmpty()) {
        err() << "forgelens-cli analyze: " << problem << "\n";
        return kUsageError;
    }

    Result<std::shared_ptr<InferenceWorker>> worker
        = InferenceWorker::start(parser.value(model), config);
    if (!worker) {
        err() << "forgelens-cli: cannot use the model [" << worker.error().code
              << "]: " << worker.error().message << "\n";
        return kModelUnusable;
    }
    const ModelInfo &info = (*worker)->info();
    if (info.manifest.isUntrainedTestModel())
        err() << "forgelens-cli: WARNING: " << info.manifest.name
              << " is an UNTRAINED TEST MODEL; its verdicts mean nothing.\n";
    else if (info.manifest.experimental)
        err() << "forgelens-cli: note: " << info.manifest.name
              << " is EXPERIMENTAL; read its model card before relying on a verdict.\n";
    err().flush();

    const bool asJson = parser.isSet(json);
    if (!asJson) {
        out() << "model " << info.manifest.name << " (" << info.manifest.id << ' '
              << info.manifest.version << "), bundle sha256 " << info.bundleSha256 << ", on "
              << info.device << '\n';
        // Said on stdout too: a saved report must carry the warning, not only the terminal.
        if (info.manifest.isUntrainedTestModel())
            out() << "WARNING: UNTRAINED TEST MODEL (random weights): these verdicts mean "
                     "nothing\n";
        else if (info.manifest.experimental)
            out() << "NOTE: EXPERIMENTAL detector: read its model card\n";
        out() << '\n';
    }

    const QDateTime started = QDateTime::currentDateTimeUtc();
    QJsonArray results;
    int failures = 0;
    for (const QString &path : images) {
        const AnalysisOutcome outcome = analyzeImageFile(path, limits, **worker);
        if (!outcome.ok())
            ++failures;
        if (asJson) {
            results.append(analysisToJson(outcome, info));
            if (outcome.error) // still say it on stderr, where a person watching will see it
                err() << "forgelens-cli: " << path << ": error [" << outcome.error->code
                      << "]: " << outcome.error->message << '\n';
        } else {
            printText(outcome, info);
            out() << '\n';
        }
    }

    if (asJson) {
        const QJsonObject document{
            { QStringLiteral("tool"), QStringLiteral("forgelens-cli") },
            { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
            { QStringLiteral("started_utc"), started.toString(Qt::ISODateWithMs) },
            { QStringLiteral("finished_utc"),
                QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
            { QStringLiteral("model"), modelInfoToJson(info) },
            { QStringLiteral("settings"),
                QJsonObject{ { QStringLiteral("device"), EngineConfig::deviceName(config.device) },
                    { QStringLiteral("threads"), config.intraOpThreads },
                    { QStringLiteral("max_megapixels"), double(limits.maxPixels) / 1e6 },
                    { QStringLiteral("model_sha256_pinned"), !config.expectedSha256.isEmpty() } } },
            { QStringLiteral("results"), results },
        };
        out() << QJsonDocument(document).toJson(QJsonDocument::Indented);
    }
    out().flush();
    err().flush();
    return failures == 0 ? kAllAnalysed : kSomeFailed;
}

} // namespace forgelens::cli
