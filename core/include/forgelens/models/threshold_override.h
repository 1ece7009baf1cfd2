#pragma once

#include "forgelens/models/model_manifest.h"
#include "forgelens/result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace forgelens {

// A threshold and inconclusive band chosen for one bundle on the analyst's own photographs
// (`forgelens-cli evaluate --write-threshold`, the evaluation view), kept in a file of its own:
// the bundle is never modified. The file is a copy of the bundle's manifest with the new
// threshold, plus how and on what it was chosen:
//   { "format": "forgelens-threshold-override", "format_version": 1,
//     "bundle_sha256": HEX, "manifest_sha256": HEX (of the manifest it copies),
//     "manifest": { … the manifest, "threshold": { "value", "chosen_by", "inconclusive" } },
//     "chosen": { "target_fpr", "band_fpr", "fpr", "real_images", "file_list_sha256", … } }
// Only the threshold, its band and their chosen_by are taken from it; the rest of the copy is
// for a person reading the file.
struct ThresholdOverride {
    QString path;
    QString sha256; // of the file's bytes, as read
    QString bundleSha256; // the bundle it belongs to
    double threshold = 0.5;
    QString chosenBy;
    std::optional<InconclusiveBand> band;
};

// Reads and checks one (hostile input: at most 1 MiB; the format, the bundle's hash and a
// threshold and band that a manifest could hold). `expectedSha256`, when not null, is the hash
// the file must have. Error codes: not-found, unreadable, too-large, bad-manifest,
// hash-mismatch.
Result<ThresholdOverride> readThresholdOverride(
    const QString &path, const QString &expectedSha256 = QString());

// Puts the override's threshold and band into `manifest` (which must be the bundle's, named by
// its SHA-256). Error code bad-manifest when the bundle differs or the result is not a valid
// manifest.
std::optional<Error> applyThresholdOverride(
    ModelManifest &manifest, const QString &bundleSha256, const ThresholdOverride &override);

// What a bundle's manifest says when an override changed its threshold: appended to
// ModelBundle::manifestSource so every report names the file.
QString thresholdOverrideSource(const ThresholdOverride &override);

} // namespace forgelens
