#include "forgelens/models/model_bundle.h"

#include "forgelens/image/file_digest.h"

#include <QFile>
#include <QFileInfo>

#include <sstream>

namespace forgelens {

Result<ModelBundle> loadModelBundle(const QString &path, const BundleLoadOptions &options)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return Error{ ErrorCode::NotFound,
            QStringLiteral("model bundle %1 does not exist").arg(path) };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("model bundle %1 cannot be read: %2").arg(path, file.errorString()) };
    const QByteArray bytes = file.readAll();

    ModelBundle bundle;
    bundle.path = info.absoluteFilePath();
    bundle.sha256 = digestBytes({ reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                                    static_cast<size_t>(bytes.size()) })
                        .sha256;
    if (!options.expectedSha256.isEmpty()
        && options.expectedSha256.compare(bundle.sha256, Qt::CaseInsensitive) != 0)
        return Error{ ErrorCode::HashMismatch,
            QStringLiteral("model bundle %1 has SHA-256 %2, but %3 was pinned: the file "
                           "is not the one expected (damaged or replaced)")
                .arg(path, bundle.sha256, options.expectedSha256) };

    torch::jit::ExtraFilesMap extra{ { kManifestExtraFile, std::string() } };
    try {
        std::istringstream stream(std::string(bytes.constData(), size_t(bytes.size())));
        bundle.module = torch::jit::load(stream, options.device, extra);
        bundle.module.eval();
    } catch (const c10::Error &e) {
        return Error{ ErrorCode::BadBundle,
            QStringLiteral("%1 is not a loadable TorchScript bundle: %2")
                .arg(path, QString::fromStdString(e.what_without_backtrace())) };
    } catch (const std::exception &e) {
        return Error{ ErrorCode::BadBundle,
            QStringLiteral("%1 is not a loadable TorchScript bundle: %2")
                .arg(path, QString::fromUtf8(e.what())) };
    }

    QByteArray manifestJson = QByteArray::fromStdString(extra[kManifestExtraFile]);
    QString manifestSource
        = QStringLiteral("%1 (inside the archive)").arg(QLatin1String(kManifestExtraFile));
    if (manifestJson.isEmpty()) {
        QFile sidecar(path + QStringLiteral(".json"));
        if (!sidecar.open(QIODevice::ReadOnly))
            return Error{ ErrorCode::BadManifest,
                QStringLiteral("model bundle %1 has no manifest: neither %2 inside the "
                               "archive nor a sidecar file %1.json")
                    .arg(path, QString::fromLatin1(kManifestExtraFile)) };
        manifestJson = sidecar.readAll();
        manifestSource = sidecar.fileName();
    }
    Result<ModelManifest> manifest = ModelManifest::fromJson(manifestJson);
    if (!manifest)
        return Error{ manifest.error().code,
            QStringLiteral("model bundle %1, manifest %2: %3")
                .arg(path, manifestSource, manifest.error().message) };
    bundle.manifest = std::move(manifest).value();
    bundle.manifestSource = manifestSource;
    bundle.manifestSha256
        = digestBytes({ reinterpret_cast<const std::uint8_t *>(manifestJson.constData()),
                          static_cast<size_t>(manifestJson.size()) })
              .sha256;
    return bundle;
}

} // namespace forgelens
