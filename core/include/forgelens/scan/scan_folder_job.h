#pragma once

#include "forgelens/analysis/detector_set.h"
#include "forgelens/result.h"
#include "forgelens/scan/scan_pipeline.h"
#include "forgelens/scan/scan_report.h"
#include "forgelens/scan/scan_settings.h"

#include <QMetaType>
#include <QObject>
#include <QRunnable>
#include <QVector>

#include <atomic>
#include <memory>
#include <optional>

namespace forgelens {

// How a folder scan ended: a summary (complete, or interrupted and resumable), or why it could
// not run.
struct ScanFolderOutcome {
    std::optional<ScanSummary> summary;
    std::optional<Error> error;
};

// Cancel and pause flags shared between a scan job and whoever started it.
struct ScanFolderControl {
    std::atomic_bool cancel{ false };
    std::atomic_bool pause{ false };
};

// runScan() with detectors that are already loaded (the window's), on a pool thread, reporting by
// queued signals. The rows go out in batches (every 250 ms, or 1,000 rows), each parsed from the
// very CSV fields the report gets, so a results table shows what the report says. Parameters
// are values, as in FileAnalysisJob; deletes itself after run().
class ScanFolderJob : public QObject, public QRunnable {
    Q_OBJECT
public:
    // settings.modelPaths is filled in from `detectors`.
    ScanFolderJob(
        ScanSettings settings, DetectorSet detectors, std::shared_ptr<ScanFolderControl> control);
    void run() override;

Q_SIGNALS:
    void planned(const forgelens::ScanPlan &plan, const QStringList &header);
    void progressed(const forgelens::ScanProgress &progress);
    void rowsAdded(const QVector<forgelens::ScanResultRow> &rows);
    void finished(const forgelens::ScanFolderOutcome &outcome);

private:
    ScanSettings m_settings;
    const DetectorSet m_detectors;
    const std::shared_ptr<ScanFolderControl> m_control;
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::ScanPlan)
Q_DECLARE_METATYPE(forgelens::ScanProgress)
Q_DECLARE_METATYPE(forgelens::ScanFolderOutcome)
