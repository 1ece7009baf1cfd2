#include "forgelens/scan/scan_sidecar.h"

#include "forgelens/report/json_text.h"

#include "forgelens/report/analysis_json.h"

#include "forgelens/image/reduced_jpeg_decode.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace forgelens {
namespace {

QString utc(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

} // namespace

QJsonObject scanIdentityJson(const ScanSettings &settings, const std::vector<ModelInfo> &models)
{
    QJsonArray bundles;
    for (const ModelInfo &model : models)
        bundles.append(model.bundleSha256);
    QJsonObject identity{
        { QStringLiteral("root"), QFileInfo(settings.root).absoluteFilePath() },
        { QStringLiteral("shard"), settings.shard.toString() },
        { QStringLiteral("follow_symlinks"), settings.walk.followSymlinks },
        { QStringLiteral("all_files"), settings.walk.allFiles },
        { QStringLiteral("read_metadata"), settings.readMetadata },
        // Whether JPEGs were decoded reduced (the setting, and every bundle allowing it): it
        // changes P (by at most 1e-3 where allowed), so a scan resumes only decoding the same
        // way. A sidecar from before this key existed decoded in full (resumeDifference).
        { QStringLiteral("reduced_jpeg_decode"),
            settings.reducedJpegDecode && !models.empty()
                && std::all_of(models.begin(), models.end(),
                    [](const ModelInfo &model) {
                        return reducibleResize(model.manifest.input).has_value();
                    }) },
        { QStringLiteral("max_megapixels"), double(settings.limits.maxPixels) / 1e6 },
        { QStringLiteral("model_bundle_sha256"), bundles },
    };
    // A threshold override changes every label a row gets: resuming under another is refused.
    QJsonArray overrides;
    for (const ModelInfo &model : models)
        if (!model.thresholdOverrideSha256.isEmpty())
            overrides.append(model.thresholdOverrideSha256);
    if (!overrides.isEmpty())
        identity.insert(QStringLiteral("threshold_override_sha256"), overrides);
    if (!settings.onlyPaths.isEmpty()) {
        // Only a restricted scan names its list, so every other scan's sidecar is as before.
        QStringList paths = settings.onlyPaths.values();
        paths.sort();
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (const QString &path : std::as_const(paths)) {
            hash.addData(path.toUtf8());
            hash.addData(QByteArrayView("\n"));
        }
        identity.insert(
            QStringLiteral("only_paths_sha256"), QString::fromLatin1(hash.result().toHex()));
    }
    return identity;
}

QJsonObject scanSidecarJson(const ScanSettings &settings, const ScanSummary &summary,
    const QJsonArray &previousRuns, bool complete)
{
    const ScanPlan &plan = summary.plan;
    QJsonArray models;
    for (const ModelInfo &model : plan.models) {
        QJsonObject json = modelInfoToJson(model);
        json.insert(QStringLiteral("manifest"), model.manifest.json);
        models.append(json);
    }
    QJsonArray runs = previousRuns;
    runs.append(QJsonObject{
        { QStringLiteral("started_utc"), utc(summary.startedUtc) },
        { QStringLiteral("finished_utc"), utc(summary.finishedUtc) },
        { QStringLiteral("rows_written"), summary.rowsWritten },
        { QStringLiteral("interrupted"), summary.interrupted },
        { QStringLiteral("decode_threads"), plan.decodeThreads },
    });
    QJsonObject counts;
    for (const auto &[status, count] : summary.statusCounts)
        counts.insert(status, count);
    qint64 rows = 0;
    for (const auto &entry : summary.statusCounts)
        rows += entry.second;

    QJsonObject settingsJson = scanIdentityJson(settings, plan.models);
    settingsJson.insert(QStringLiteral("device"), EngineConfig::deviceName(settings.engine.device));
    settingsJson.insert(QStringLiteral("intra_op_threads"), settings.engine.intraOpThreads);
    settingsJson.insert(QStringLiteral("max_batch"), settings.engine.maxBatch);
    settingsJson.insert(QStringLiteral("decode_threads"), settings.decodeThreads);
    settingsJson.insert(QStringLiteral("max_file_bytes"), settings.limits.maxFileBytes);

    return QJsonObject{
        { QStringLiteral("tool"), QStringLiteral("forgelens-cli scan") },
        { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
        { QStringLiteral("complete"), complete },
        { QStringLiteral("csv"), QFileInfo(settings.outputCsv).fileName() },
        { QStringLiteral("root"), QFileInfo(settings.root).absoluteFilePath() },
        { QStringLiteral("settings"), settingsJson },
        { QStringLiteral("models"), models },
        { QStringLiteral("started_utc"),
            runs.isEmpty()
                ? QString()
                : runs.first().toObject().value(QStringLiteral("started_utc")).toString() },
        { QStringLiteral("finished_utc"), utc(summary.finishedUtc) },
        { QStringLiteral("runs"), runs },
        { QStringLiteral("files"),
            QJsonObject{
                { QStringLiteral("in_scope"), plan.filesInScope },
                { QStringLiteral("rows"), rows },
                { QStringLiteral("skipped_not_images"), plan.skippedNotImages },
                { QStringLiteral("skipped_symlinks"), plan.skippedSymlinks },
                { QStringLiteral("outside_shard"), plan.outsideShard },
            } },
        { QStringLiteral("status_counts"), counts },
        { QStringLiteral("walk_problems"), QJsonArray::fromStringList(plan.walkProblems) },
    };
}

QJsonObject sidecarModel(const QJsonObject &sidecar, const QString &detectorId)
{
    for (const QJsonValue &model : sidecar.value(QStringLiteral("models")).toArray())
        if (model.toObject().value(QStringLiteral("id")).toString() == detectorId)
            return model.toObject();
    return {};
}

std::optional<Error> writeJsonAtomically(const QString &path, const QJsonObject &json)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{ ErrorCode::OutputWriteFailed,
            QStringLiteral("cannot create %1: %2").arg(path, file.errorString()) };
    file.write(terminalSafeJson(QJsonDocument(json)));
    if (!file.commit())
        return Error{ ErrorCode::OutputWriteFailed,
            QStringLiteral("cannot write %1: %2").arg(path, file.errorString()) };
    return std::nullopt;
}

} // namespace forgelens
