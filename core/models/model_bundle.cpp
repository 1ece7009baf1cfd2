#include "forgelens/models/model_bundle.h"

#include "forgelens/image/file_digest.h"
#include "forgelens/models/bundle_archive.h"
#include "forgelens/models/bundle_code_check.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <sstream>

namespace forgelens {
namespace {

std::span<const std::uint8_t> byteView(const QByteArray &bytes)
{
    return { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) };
}

Error bundleError(ErrorCode code, const QString &path, const QString &message)
{
    return Error{ code, QStringLiteral("model bundle %1: %2").arg(path, message) };
}

// At most `limit` bytes of a regular file, refusing a larger one before reading it.
Result<QByteArray> readBounded(const QString &path, qint64 limit, const char *what)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return Error{ ErrorCode::NotFound,
            QStringLiteral("%1 does not exist").arg(QLatin1String(what)) };
    if (info.size() > limit)
        return Error{ ErrorCode::BadBundle,
            QStringLiteral("the %1 is %2 bytes, more than the limit of %3")
                .arg(QLatin1String(what))
                .arg(info.size())
                .arg(limit) };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{
            ErrorCode::Unreadable,
            QStringLiteral("the %1 cannot be read: %2").arg(QLatin1String(what), file.errorString())
        };
    QByteArray bytes = file.read(limit + 1);
    if (bytes.size() > limit)
        return Error{ ErrorCode::BadBundle,
            QStringLiteral("the %1 grew past the limit of %2 bytes while it was read")
                .arg(QLatin1String(what))
                .arg(limit) };
    return bytes;
}

} // namespace

QString BundleLoadOptions::validate() const
{
    if (!overridePins.isEmpty() && overridePins.size() != thresholdOverrides.size())
        return QStringLiteral("%1 threshold override pins for %2 overrides: give one pin per "
                              "override, in the same order")
            .arg(overridePins.size())
            .arg(thresholdOverrides.size());
    for (const QString &pin : overridePins) {
        const bool hex = std::all_of(pin.begin(), pin.end(), [](QChar c) {
            return c.isDigit()
                || (c.toLower() >= QLatin1Char('a') && c.toLower() <= QLatin1Char('f'));
        });
        if (pin.size() != 64 || !hex)
            return QStringLiteral("a threshold override pin must be the 64 hexadecimal digits of a "
                                  "SHA-256 (got \"%1\")")
                .arg(pin.left(80));
    }
    if (expectedSha256.isNull())
        return {};
    const bool hex = std::all_of(expectedSha256.begin(), expectedSha256.end(), [](QChar c) {
        return c.isDigit() || (c.toLower() >= QLatin1Char('a') && c.toLower() <= QLatin1Char('f'));
    });
    if (expectedSha256.size() != 64 || !hex)
        return QStringLiteral(
            "a bundle pin must be the 64 hexadecimal digits of a SHA-256 (got \"%1\")")
            .arg(expectedSha256.left(80));
    return {};
}

Result<ModelBundle> loadModelBundle(const QString &path, const BundleLoadOptions &options)
{
    if (const QString problem = options.validate(); !problem.isEmpty())
        return bundleError(ErrorCode::BadConfig, path, problem);
    Result<QByteArray> read = readBounded(path, options.limits.maxBundleBytes, "bundle file");
    if (!read)
        return bundleError(read.error().code, path, read.error().message);
    const QByteArray bytes = std::move(read).value();

    ModelBundle bundle;
    bundle.path = QFileInfo(path).absoluteFilePath();
    bundle.sha256 = digestBytes(byteView(bytes)).sha256;
    const bool pinned = !options.expectedSha256.isNull();
    if (pinned && options.expectedSha256.compare(bundle.sha256, Qt::CaseInsensitive) != 0)
        return Error{ ErrorCode::HashMismatch,
            QStringLiteral("model bundle %1 has SHA-256 %2, but %3 was pinned: the file "
                           "is not the one expected (damaged or replaced)")
                .arg(path, bundle.sha256, options.expectedSha256) };

    // TorchScript may run the bundle's code while loading it: the archive and its code are
    // checked first, and only the bytes that were checked (and hashed) are deserialised.
    Result<BundleArchive> archive = readBundleArchive(bytes, options.limits.archive);
    if (!archive)
        return bundleError(ErrorCode::BadBundle, path, archive.error().message);
    if (std::optional<Error> refused = checkBundleCode(bytes, *archive, options.limits.archive))
        return bundleError(ErrorCode::BadBundle, path, refused->message);

    QByteArray manifestJson;
    QString manifestSource
        = QStringLiteral("%1 (inside the archive)").arg(QLatin1String(kManifestExtraFile));
    const QString manifestEntryName = QStringLiteral("extra/") + QLatin1String(kManifestExtraFile);
    if (const BundleArchiveEntry *entry = archive->find(manifestEntryName)) {
        if (entry->size > options.limits.archive.maxManifestBytes)
            return bundleError(ErrorCode::BadManifest, path,
                QStringLiteral("its manifest is %1 bytes, more than the limit of %2")
                    .arg(entry->size)
                    .arg(options.limits.archive.maxManifestBytes));
        manifestJson = bundleEntryBytes(bytes, *entry);
        manifestJson.detach();
    } else {
        const QString sidecarPath = path + QStringLiteral(".json");
        // A pin names the bundle's bytes; a manifest beside it is not among them and decides
        // the verdict as much as the weights do, so a pinned bundle carries its own.
        if (pinned)
            return bundleError(ErrorCode::HashMismatch, path,
                QStringLiteral("it is pinned but has no manifest inside the archive; the sidecar "
                               "%1 is not covered by the pin and is not used")
                    .arg(sidecarPath));
        Result<QByteArray> sidecar
            = readBounded(sidecarPath, options.limits.archive.maxManifestBytes, "sidecar manifest");
        if (!sidecar)
            return bundleError(ErrorCode::BadManifest, path,
                QStringLiteral("it has no manifest: neither %1 inside the archive nor a usable "
                               "sidecar file %2.json (%3)")
                    .arg(QString::fromLatin1(kManifestExtraFile), path, sidecar.error().message));
        manifestJson = std::move(sidecar).value();
        manifestSource = sidecarPath;
    }
    Result<ModelManifest> manifest = ModelManifest::fromJson(manifestJson);
    if (!manifest)
        return Error{ manifest.error().code,
            QStringLiteral("model bundle %1, manifest %2: %3")
                .arg(path, manifestSource, manifest.error().message) };

    try {
        std::istringstream stream(std::string(bytes.constData(), size_t(bytes.size())));
        bundle.module = torch::jit::load(stream, options.device);
        bundle.module.eval();
    } catch (const c10::Error &e) {
        return bundleError(ErrorCode::BadBundle, path,
            QStringLiteral("not a loadable TorchScript bundle: %1")
                .arg(QString::fromStdString(e.what_without_backtrace())));
    } catch (const std::exception &e) {
        return bundleError(ErrorCode::BadBundle, path,
            QStringLiteral("not a loadable TorchScript bundle: %1")
                .arg(QString::fromUtf8(e.what())));
    }
    bundle.manifest = std::move(manifest).value();
    for (qsizetype i = 0; i < options.thresholdOverrides.size(); ++i) {
        const QString pin = options.overridePins.value(i);
        Result<ThresholdOverride> override
            = readThresholdOverride(options.thresholdOverrides.at(i), pin);
        if (!override)
            return override.error();
        if (override->bundleSha256 != bundle.sha256)
            continue;
        // A pin vouches for the bundle's bytes; an override changes what its scores are called
        // as much as the manifest does, so it must be pinned as well.
        if (pinned && pin.isEmpty())
            return bundleError(ErrorCode::HashMismatch, path,
                QStringLiteral("it is pinned, but the threshold override %1 is not: pin it too "
                               "(its SHA-256 is %2)")
                    .arg(override->path, override->sha256));
        if (std::optional<Error> error
            = applyThresholdOverride(bundle.manifest, bundle.sha256, *override))
            return *error;
        manifestSource += thresholdOverrideSource(*override);
        bundle.thresholdOverridePath = override->path;
        bundle.thresholdOverrideSha256 = override->sha256;
    }
    bundle.manifestSource = manifestSource;
    bundle.manifestSha256 = digestBytes(byteView(manifestJson)).sha256;
    return bundle;
}

} // namespace forgelens
