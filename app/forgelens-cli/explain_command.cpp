#include "explain_command.h"

#include "cli_streams.h"
#include "engine_options.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/exemplars/attached_bank.h"
#include "forgelens/explain/window_maps.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/report/display_text.h"
#include "forgelens/sandbox/decoder_pool.h"
#include "ui/decoded_image_conversion.h"
#include "ui/image_map_files.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

namespace forgelens::cli {
namespace {

const char *const kDescription
    = R"(Map where each detector's evidence lies over each image, as PNG and JSON.

Every IMAGE is read and decoded once in the sandbox. Each detector scores windows of its own
input size at the image's full resolution (at most --max-windows of them, in batches on its
own thread), which gives:
  tile-score        the detector's P(synthetic) on each window on its own;
  self-consistency  for detectors with an embedding: each window's mean cosine similarity to
                    every other window (a pasted or inpainted region can stand out low).
For each map, FOLDER receives NAME.DETECTOR.KIND.png (the map over the image, with a legend)
and NAME.DETECTOR.KIND.json (the numeric grid, each window's rectangle, the image's SHA-256).
FOLDER must not be an image's own folder: evidence folders are never written.

Exit codes:
  0  every map was made
  1  some image could not be mapped (the others were)
  2  usage error
  3  a model bundle could not be loaded
  4  a map could not be written)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

} // namespace

int runExplain(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("explain"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("images"), QStringLiteral("Image files."), QStringLiteral("IMAGE…"));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("Model bundle; repeat for several detectors."), QStringLiteral("BUNDLE"));
    const QCommandLineOption output({ QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The folder the maps go to (made if missing)."), QStringLiteral("FOLDER"));
    const QCommandLineOption maxWindows(QStringLiteral("max-windows"),
        QStringLiteral("Windows per map at most (default 256)."), QStringLiteral("N"),
        QStringLiteral("256"));
    const QCommandLineOption opacity(QStringLiteral("opacity"),
        QStringLiteral("Opacity of the map over the image in the PNG, 0 to 1 (default 0.55)."),
        QStringLiteral("X"), QStringLiteral("0.55"));
    const QCommandLineOption bankOption(QStringLiteral("bank"),
        QStringLiteral("An exemplar bank (forgelens-cli bank build) for the patch-similarity map "
                       "of the detector it was built with; repeat for several."),
        QStringLiteral("BANK"));
    const EngineOptions engineOptions;
    parser.addOptions({ model, output, maxWindows, opacity, bankOption });
    engineOptions.addTo(parser);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli explain: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const auto usage = [](const QString &message) {
        err() << "forgelens-cli explain: " << message << "\n";
        err().flush();
        return kUsageError;
    };
    const QStringList images = parser.positionalArguments().mid(1);
    if (images.isEmpty() || !parser.isSet(model) || !parser.isSet(output))
        return usage(QStringLiteral("give at least one IMAGE, --model BUNDLE and -o FOLDER"));
    WindowMapSettings settings;
    bool numeric = false;
    settings.maxWindows = parser.value(maxWindows).toInt(&numeric);
    if (!numeric || !settings.validate().isEmpty())
        return usage(QStringLiteral("--max-windows must be 1 to 4096"));
    const double alpha = parser.value(opacity).toDouble(&numeric);
    if (!numeric || alpha < 0.0 || alpha > 1.0)
        return usage(QStringLiteral("--opacity must be 0 to 1"));
    EngineConfig config;
    DecodeLimits limits;
    if (const QString problem = engineOptions.read(parser, config, limits); !problem.isEmpty())
        return usage(problem);
    settings.batch = config.maxBatch;
    const QStringList bundles = parser.values(model);
    QStringList pins;
    if (const QString problem = engineOptions.readPins(parser, bundles.size(), pins);
        !problem.isEmpty())
        return usage(problem);
    const QString folder = QFileInfo(parser.value(output)).absoluteFilePath();
    for (const QString &image : images) {
        if (QFileInfo(image).absolutePath() == folder)
            return usage(QStringLiteral("%1 holds an image given; write the maps elsewhere (an "
                                        "evidence folder is never written)")
                             .arg(displayText(folder)));
    }
    if (!QDir().mkpath(folder)) {
        err() << "forgelens-cli explain: cannot make " << displayText(folder) << '\n';
        return kOutputFailed;
    }

    DecoderPool sandbox(SandboxConfig{}, limits);
    sandbox.prestart(1);
    Result<DetectorSet> detectors = DetectorSet::load(bundles, config, 64, pins);
    if (!detectors) {
        err() << "forgelens-cli explain: [" << detectors.error().codeName() << "] "
              << displayText(detectors.error().message) << '\n';
        return kModelUnusable;
    }

    // Each bank goes to the detector whose bundle made it.
    Result<std::vector<std::shared_ptr<const AttachedBank>>> attached
        = AttachedBank::attachToDetectors(parser.values(bankOption), detectors->sharedModels());
    if (!attached) {
        err() << "forgelens-cli explain: [" << attached.error().codeName() << "] "
              << displayText(attached.error().message) << '\n';
        return kUsageError;
    }
    const std::vector<std::shared_ptr<const AttachedBank>> &banks = *attached;

    int failures = 0;
    for (const QString &image : images) {
        EvidenceReadRequest request;
        request.limits = limits;
        request.readMetadata = false;
        const EvidenceReading reading = sandbox.read(image, QFile::encodeName(image), request);
        if (reading.error || !reading.image) {
            ++failures;
            const Error error = reading.error.value_or(
                Error{ ErrorCode::DecodeFailed, QStringLiteral("no pixels were decoded") });
            err() << "forgelens-cli explain: " << displayText(image) << ": [" << error.codeName()
                  << "] " << displayText(error.message) << '\n';
            continue;
        }
        const QImage picture = toQImage(*reading.image);
        out() << displayText(image) << "\n  sha256  " << reading.digest.sha256 << '\n';
        for (size_t d = 0; d < detectors->size(); ++d) {
            const ModelInfo &info = *detectors->model(d);
            WindowMapSettings detectorSettings = settings;
            detectorSettings.bank = banks[d];
            Result<WindowMaps> maps
                = computeWindowMaps(*reading.image, detectors->worker(d), detectorSettings);
            if (!maps) {
                ++failures;
                err() << "forgelens-cli explain: " << displayText(image) << ": "
                      << displayText(info.manifest.id) << ": [" << maps.error().codeName() << "] "
                      << displayText(maps.error().message) << '\n';
                continue;
            }
            std::vector<const ImageMap *> made{ &maps->tileScores };
            if (maps->selfConsistency)
                made.push_back(&*maps->selfConsistency);
            if (maps->patchSimilarity)
                made.push_back(&*maps->patchSimilarity);
            for (const QString &missing : { maps->noSelfConsistency, maps->noPatchSimilarity }) {
                if (!missing.isEmpty())
                    out() << "  " << displayText(info.manifest.id)
                          << ": no map: " << displayText(missing) << '\n';
            }
            for (const ImageMap *map : made) {
                const QString stem = imageMapFileStem(folder, image, *map);
                QJsonObject extra{ { QStringLiteral("image"),
                                       QJsonObject{ { QStringLiteral("path"), image },
                                           { QStringLiteral("sha256"), reading.digest.sha256 } } },
                    { QStringLiteral("bundle_sha256"), info.bundleSha256 },
                    { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) } };
                if (map->kind == ImageMap::Kind::PatchSimilarity)
                    extra.insert(QStringLiteral("bank"),
                        QJsonObject{ { QStringLiteral("path"), banks[d]->path() },
                            { QStringLiteral("synthetic_exemplars"),
                                double(banks[d]->syntheticCount()) },
                            { QStringLiteral("real_exemplars"), double(banks[d]->realCount()) },
                            { QStringLiteral("neighbours_per_class"),
                                detectorSettings.patchNeighbours } });
                if (!writeImageMapFiles(stem, *map, picture, alpha, extra)) {
                    err() << "forgelens-cli explain: cannot write " << displayText(stem)
                          << ".json/.png\n";
                    return kOutputFailed;
                }
                const auto [low, high]
                    = std::minmax_element(map->values.begin(), map->values.end());
                out() << "  " << displayText(info.manifest.id) << ' ' << imageMapKindName(map->kind)
                      << ": " << map->cols << " x " << map->rows << " windows of " << map->window
                      << " px, " << map->forwardPasses << " batches, "
                      << QString::number(map->seconds, 'f', 2) << " s; " << map->units << " from "
                      << QString::number(*low, 'f', 4) << " to " << QString::number(*high, 'f', 4)
                      << "; " << displayText(stem) << ".png\n";
            }
        }
        out().flush();
    }
    err().flush();
    return failures == 0 ? kAllAnalysed : kSomeFailed;
}

} // namespace forgelens::cli
