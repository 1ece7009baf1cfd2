#pragma once

#include "forgelens/result.h"

#include <QString>
#include <QStringList>

namespace forgelens {

struct MergeSettings {
    QStringList inputs; // shard reports (each with its sidecar <csv>.json when there is one)
    QString output;
    bool overwrite = false;
    bool allowMissingShards = false; // merge what is there when some K of N are absent
};

struct MergeSummary {
    qint64 rows = 0;
    QStringList warnings; // inputs without a sidecar, shards left out on purpose
};

// Joins shard reports into one, rows sorted by path as a single scan orders them, so merging
// the N shards of a folder gives the CSV that one run over the folder gives. Refuses: inputs
// with different columns, a path in two inputs (a shard given twice, or overlapping runs),
// interrupted reports (*.partial, or a sidecar that says incomplete), shards of different
// runs (different N, models or root), and, unless allowMissingShards, an incomplete set of
// shards. Writes `output` and `output`.json atomically.
// Error codes: bad-settings, output-exists, merge-refused, output-write-failed.
Result<MergeSummary> mergeScanReports(const MergeSettings &settings);

} // namespace forgelens
