#pragma once

#include "forgelens/analysis/detector_set.h"
#include "forgelens/eval/evaluation_run.h"
#include "forgelens/scan/scan_folder_job.h" // ScanPlan and ScanProgress as signal arguments

#include <QMetaType>
#include <QObject>
#include <QRunnable>

#include <atomic>
#include <memory>
#include <optional>

namespace forgelens {

// How an evaluation job ended: the run (complete, or interrupted and resumable), or why not.
// Shared, as the run holds every labelled file's scores.
struct EvaluationOutcome {
    std::shared_ptr<const EvaluationRun> run;
    std::optional<Error> error;
};

// runEvaluation() with detectors that are already loaded (the window's), on a pool thread,
// reporting by queued signals. Parameters are values, as in ScanFolderJob; deletes itself after
// run(). Setting `cancel` stops the scan after the files in flight (resumable).
class EvaluationJob : public QObject, public QRunnable {
    Q_OBJECT
public:
    // settings.scan.modelPaths is filled in from `detectors`.
    EvaluationJob(EvaluationSettings settings, DetectorSet detectors,
        std::shared_ptr<std::atomic_bool> cancel);
    void run() override;

Q_SIGNALS:
    void planned(const forgelens::ScanPlan &plan);
    void progressed(const forgelens::ScanProgress &progress);
    void finished(const forgelens::EvaluationOutcome &outcome);

private:
    EvaluationSettings m_settings;
    const DetectorSet m_detectors;
    const std::shared_ptr<std::atomic_bool> m_cancel;
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::EvaluationOutcome)
