#pragma once

#include "forgelens/result.h"
#include "forgelens/scan/scan_pipeline.h"
#include "forgelens/scan/scan_settings.h"

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace forgelens {

// The JSON written next to a scan's CSV (`report.csv.json`): tool and version, the root, the
// settings, each model (bundle and manifest SHA-256, the manifest itself), the runs that built
// the report (UTC start and end, rows each wrote, whether it was interrupted), file counts and
// the rows per status. `previousRuns` are the runs of the interrupted report being resumed.
QJsonObject scanSidecarJson(const ScanSettings &settings, const ScanSummary &summary,
    const QJsonArray &previousRuns, bool complete);

// The settings that must be equal for --resume to continue a report (root, shard, walk and
// metadata options, models' bundle SHA-256 in order), as the sidecar's "settings" stores them
// (among others).
QJsonObject scanIdentityJson(const ScanSettings &settings, const std::vector<ModelInfo> &models);

// The sidecar's entry for detector `detectorId` (id, bundle and manifest SHA-256, caveat, the
// manifest…); empty when the sidecar has none.
QJsonObject sidecarModel(const QJsonObject &sidecar, const QString &detectorId);

// Writes `json` to `path` through a temporary file and a rename. Error: output-write-failed.
std::optional<Error> writeJsonAtomically(const QString &path, const QJsonObject &json);

} // namespace forgelens
