#pragma once

#include "forgelens/eval/detector_evaluation.h"
#include "forgelens/eval/evaluation_json.h"
#include "forgelens/scan/scan_pipeline.h"
#include "forgelens/scan/scan_settings.h"

#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <optional>

namespace forgelens {

struct EvaluationSettings {
    // The scan that scores the labelled files: root, models, engine, limits, resume, overwrite.
    // Its outputCsv and onlyPaths are set by runEvaluation() (scanReportPath(), the labelled
    // files). Unused with `existingReport`, except root when labels come from a CSV.
    ScanSettings scan;
    QString outputDir; // evaluation.json, scores.csv and the scan's report; outside the root
    // A scan report to evaluate instead of scanning (its sidecar names the folder and the
    // detectors); nothing is re-run.
    QString existingReport;
    QString labelsCsv; // empty: the folders label the files (ClassFolderMap)
    QStringList classFolders; // "NAME=real|synthetic" entries over the built-in names
    // Files of SHA-256 hashes (hex, one per line; text after '#' ignored): rows of files with
    // these hashes are left out (a detector's training files, a reserved evaluation set).
    QStringList excludeLists;
    EvaluationOptions options;

    QString validate() const; // empty when usable
    QString scanReportPath() const; // <outputDir>/scan.csv
    QString jsonPath() const; // <outputDir>/evaluation.json
    QString scoresPath() const; // <outputDir>/scores.csv
};

struct EvaluationRun {
    std::optional<ScanSummary> scan; // when a scan ran
    bool interrupted = false; // the scan was cancelled: resumable, nothing evaluated
    Evaluation evaluation;
    QJsonObject document; // what jsonPath() holds
    QString reportPath; // the scan report the figures come from
    QJsonObject reportSidecar; // its sidecar: the detectors' manifests and hashes
};

// Hex SHA-256 hashes from a list file (at most 64 MiB; lines that are not a hash after
// trimming and dropping '#' comments are refused with their number). Error codes: not-found,
// unreadable, bad-csv.
Result<QSet<QString>> readHashList(const QString &path);

// Labels the files (a labels CSV, or the folders of the walk or of the existing report's rows),
// scans only the labelled files into scanReportPath() (resumable, as a scan is; skipped with
// existingReport), evaluates the report's rows against the labels, and writes jsonPath() and
// scoresPath() (one row per labelled file: path, sha256, label, generator, group, status and
// per detector p_synthetic and call) atomically. Plots are the front end's (ui/).
// Error codes: bad-settings, those of runScan(), readScanReport(), readLabelsCsv(),
// readHashList(), output-write-failed.
Result<EvaluationRun> runEvaluation(const EvaluationSettings &settings,
    const std::atomic_bool &cancel, const ScanObserver &observer = {},
    const PreloadedScan &preloaded = {});

// The header and rows of scores.csv (the per-file CSV), from an evaluation.
QStringList evaluationScoresHeader(const Evaluation &evaluation);
QStringList evaluationScoresFields(const Evaluation &evaluation, const EvaluatedFile &file);

} // namespace forgelens
