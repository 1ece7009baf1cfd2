#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/image/decoded_image.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/result.h"
#include "forgelens/scan/scan_settings.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <map>
#include <vector>

namespace forgelens {

// What is known once the models are loaded and the folder is listed, before the first file.
struct ScanPlan {
    std::vector<ModelInfo> models;
    qint64 filesInScope = 0; // files of this shard, rows already written included
    qint64 rowsResumed = 0; // rows an interrupted run had written (resume only)
    qint64 skippedNotImages = 0;
    qint64 skippedSymlinks = 0;
    qint64 outsideShard = 0; // files of the walk in other shards, or not in settings.onlyPaths
    QStringList walkProblems;
    int decodeThreads = 0;
};

struct ScanProgress {
    qint64 done = 0; // rows written, resumed rows included
    qint64 total = 0; // filesInScope
    qint64 failed = 0; // rows whose status is not "ok", resumed rows included
    double elapsedSeconds = 0.0; // this run
    double filesPerSecond = 0.0; // this run's rows over its elapsed time
    double etaSeconds = -1.0; // -1 until the rate is known
};

struct ScanSummary {
    ScanPlan plan;
    QString csvPath; // the report when complete, else the temporary file that --resume reads
    QString sidecarPath;
    qint64 rowsWritten = 0; // by this run
    std::map<QString, qint64> statusCounts; // over every row of the report
    bool interrupted = false; // cancelled: the temporary CSV is valid and resumable
    QDateTime startedUtc;
    QDateTime finishedUtc;
    qint64 failedRows() const;
};

struct ScanObserver {
    std::function<void(const ScanPlan &)> started; // once, before the first file
    std::function<void(const ScanProgress &)> progress; // after each row, on the scan's thread
    // Each record once its row is written, in walk order, on the scan's thread: where other
    // sinks (a results table, metrics) take their rows from the same records as the CSV.
    std::function<void(const QString &relativePath, const AnalysisRecord &record)> recordWritten;
    // Each file's pixels as soon as they are decoded, on a decoding thread (several at once):
    // for a sink that keeps a picture of each file (an exemplar bank's thumbnails).
    std::function<void(const QString &relativePath, const DecodedImage &image)> decoded;
    // Each record just before its row goes to the report, in walk order, on the scan's thread:
    // a sink that must hold every row the report will vouch for (an exemplar bank) takes it
    // here, and commits in rowsFlushed.
    std::function<void(const QString &relativePath, const AnalysisRecord &record)> recordComing;
    // After rows reach the temporary CSV and before the sidecar vouches for them (what --resume
    // takes back): a sink that must hold every row a resumed run skips commits here. An error
    // stops the scan as a failed write does.
    std::function<std::optional<Error>()> rowsFlushed;
};

// Scans settings.root into settings.outputCsv (DESIGN.md "Threads", "Scale"):
//   walker -> [pool: beginFileAnalysis: read + SHA-256, metadata, decode, preprocess once per
//              distinct input spec of the DetectorSet]
//          -> one InferenceWorker per model (its own thread, bounded queue, batches)
//          -> this thread: finishFileAnalysis, records in walk order -> CSV rows (scanCsvFields)
//             -> temporary CSV, flushed in chunks -> rename.
// At most settings.inFlight files are between reading and the CSV, so memory does not grow with
// the folder. Setting `cancel` stops taking new files; files already read are finished and
// written, and the temporary CSV stays valid for --resume (summary.interrupted).
// Error codes: bad-settings, output-exists, interrupted-run-exists, nothing-to-resume,
// resume-mismatch, root-unreadable, model-unusable, output-write-failed. After an
// output-write-failed, the rows flushed before it are kept in the temporary CSV.
Result<ScanSummary> runScan(const ScanSettings &settings, const std::atomic_bool &cancel,
    const ScanObserver &observer = {});

class DetectorSet;

// What a front end that holds loaded detectors (the window) scans with: `detectors` instead of
// loading settings.modelPaths (which then only name them in the sidecar; ScanFolderJob fills
// them in), and `pause`, which while set keeps the pool from starting another file (the files
// in flight finish and are written). The report is byte for byte the one runScan() writes with
// the same bundles.
struct PreloadedScan {
    const DetectorSet *detectors = nullptr;
    const std::atomic_bool *pause = nullptr;
};
Result<ScanSummary> runScan(const ScanSettings &settings, const PreloadedScan &preloaded,
    const std::atomic_bool &cancel, const ScanObserver &observer = {});

} // namespace forgelens
