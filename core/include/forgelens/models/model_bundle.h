#pragma once

#include "forgelens/models/bundle_archive.h"
#include "forgelens/models/model_manifest.h"
#include "forgelens/models/threshold_override.h"
#include "forgelens/result.h"

#include <QString>
#include <QStringList>

#include <torch/script.h>

namespace forgelens {

// Where the manifest lives inside a bundle: an extra file of the TorchScript archive
// (torch::jit::load's extra-files map; Python: torch.jit.save(..., _extra_files=...)).
inline constexpr const char *kManifestExtraFile = "forgelens/manifest.json";

struct BundleLoadLimits {
    qint64 maxBundleBytes = qint64(8) << 30; // the whole file, refused before it is read
    BundleArchiveLimits archive;
};

struct BundleLoadOptions {
    // Hex SHA-256 the bundle file must have. A null string = not pinned; an empty or malformed
    // one is refused (an empty pin must never mean "no pin").
    QString expectedSha256;
    c10::Device device = c10::Device(c10::kCPU);
    BundleLoadLimits limits;
    // Threshold override files (threshold_override.h); the one naming this bundle's SHA-256
    // replaces its threshold and band, the others are left to the bundles they name. With
    // `overridePins` (one SHA-256 per file, in order) each file must have its pin; a pinned
    // bundle takes an override only when the override is pinned too.
    QStringList thresholdOverrides;
    QStringList overridePins;

    QString validate() const; // empty when usable
};

// A loaded detector: the TorchScript module (in eval mode, on `options.device`), its manifest
// and the identity of the file it came from.
struct ModelBundle {
    QString path;
    QString sha256; // of the bundle file's bytes, as loaded
    ModelManifest manifest;
    // The manifest's own hash: a sidecar manifest is not covered by the bundle's hash, and its
    // threshold and classes decide the verdict just as much as the weights do.
    QString manifestSha256;
    QString manifestSource; // "inside the bundle" or the sidecar's path, and any override's
    QString thresholdOverridePath; // the override applied; empty when none
    QString thresholdOverrideSha256;
    torch::jit::Module module;
};

// Reads the bundle once (refusing one over the size limit), hashes those bytes, checks the pin,
// checks the archive and the operations its code uses (bundle_archive.h, bundle_code_check.h),
// then deserialises the same bytes (so the module that runs is the one that was hashed and
// checked). The manifest comes from the archive's extra file, else (never for a pinned bundle)
// from a sidecar `<path>.json`; either is bounded in size. Then the threshold override that
// names this bundle, if options give one.
// Error codes: bad-config, not-found, unreadable, hash-mismatch, bad-bundle, bad-manifest,
// too-large (an override).
Result<ModelBundle> loadModelBundle(const QString &path, const BundleLoadOptions &options);

} // namespace forgelens
