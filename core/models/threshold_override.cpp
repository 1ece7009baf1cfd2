#include "forgelens/models/threshold_override.h"

#include "forgelens/image/file_digest.h"

#include <QFile>
#include <QJsonDocument>

#include <algorithm>

namespace forgelens {
namespace {

constexpr qint64 kMaxOverrideBytes = qint64(1) << 20;

bool isSha256(const QString &text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            || (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
    });
}

Error overrideError(ErrorCode code, const QString &path, const QString &what)
{
    return Error{ code, QStringLiteral("threshold override %1: %2").arg(path, what) };
}

} // namespace

Result<ThresholdOverride> readThresholdOverride(const QString &path, const QString &expectedSha256)
{
    QFile file(path);
    if (!file.exists())
        return overrideError(ErrorCode::NotFound, path, QStringLiteral("there is no such file"));
    if (!file.open(QIODevice::ReadOnly))
        return overrideError(ErrorCode::Unreadable, path, file.errorString());
    const QByteArray bytes = file.read(kMaxOverrideBytes + 1);
    if (bytes.size() > kMaxOverrideBytes)
        return overrideError(ErrorCode::TooLarge, path, QStringLiteral("larger than 1 MiB"));
    ThresholdOverride result;
    result.path = path;
    result.sha256 = digestBytes(
        std::span(reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size())))
                        .sha256;
    if (!expectedSha256.isNull() && result.sha256 != expectedSha256.toLower())
        return overrideError(ErrorCode::HashMismatch, path,
            QStringLiteral("its SHA-256 is %1, not the pinned %2")
                .arg(result.sha256, expectedSha256));

    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (!document.isObject())
        return overrideError(ErrorCode::BadManifest, path,
            QStringLiteral("not a JSON object (%1)").arg(parseError.errorString()));
    const QJsonObject json = document.object();
    if (json.value(QStringLiteral("format")).toString()
            != QStringLiteral("forgelens-threshold-override")
        || json.value(QStringLiteral("format_version")).toInt() != 1)
        return overrideError(ErrorCode::BadManifest, path,
            QStringLiteral("not a threshold override (format \"forgelens-threshold-override\", "
                           "version 1)"));
    result.bundleSha256 = json.value(QStringLiteral("bundle_sha256")).toString();
    if (!isSha256(result.bundleSha256))
        return overrideError(ErrorCode::BadManifest, path,
            QStringLiteral("bundle_sha256 must name the bundle's SHA-256 (64 lower-case hex "
                           "digits)"));
    // The threshold is read by the manifest's own rules, so an override can hold nothing a
    // manifest could not.
    Result<ModelManifest> copy = ModelManifest::fromJson(
        QJsonDocument(json.value(QStringLiteral("manifest")).toObject()).toJson());
    if (!copy)
        return overrideError(ErrorCode::BadManifest, path,
            QStringLiteral("its manifest copy: %1").arg(copy.error().message));
    result.threshold = copy->threshold;
    result.chosenBy = copy->thresholdChosenBy;
    result.band = copy->inconclusive;
    return result;
}

std::optional<Error> applyThresholdOverride(
    ModelManifest &manifest, const QString &bundleSha256, const ThresholdOverride &override)
{
    if (override.bundleSha256 != bundleSha256)
        return overrideError(ErrorCode::BadManifest, override.path,
            QStringLiteral("it was chosen for the bundle with SHA-256 %1, not this one (%2)")
                .arg(override.bundleSha256, bundleSha256));
    ModelManifest changed = manifest;
    changed.threshold = override.threshold;
    changed.thresholdChosenBy = override.chosenBy;
    changed.inconclusive = override.band;
    if (const QString problem = changed.validate(); !problem.isEmpty())
        return overrideError(ErrorCode::BadManifest, override.path, problem);
    manifest = std::move(changed);
    return std::nullopt;
}

QString thresholdOverrideSource(const ThresholdOverride &override)
{
    return QStringLiteral("; threshold and band from %1 (SHA-256 %2)")
        .arg(override.path, override.sha256);
}

} // namespace forgelens
