#include "forgelens/scan/scan_folder_job.h"

#include "forgelens/scan/scan_row.h"

#include <QElapsedTimer>

namespace forgelens {
namespace {

constexpr qint64 kBatchMilliseconds = 250;
constexpr qsizetype kBatchRows = 1000;

} // namespace

ScanFolderJob::ScanFolderJob(
    ScanSettings settings, DetectorSet detectors, std::shared_ptr<ScanFolderControl> control)
    : m_settings(std::move(settings)), m_detectors(std::move(detectors)),
      m_control(std::move(control))
{
    setAutoDelete(true);
    // The sidecar names the bundles; their SHA-256 are the loaded models' own (pins would check
    // nothing here: no bundle is loaded again).
    m_settings.modelPaths.clear();
    m_settings.modelPins.clear();
    for (const ModelInfo &model : m_detectors.models())
        m_settings.modelPaths << model.bundlePath;
}

void ScanFolderJob::run()
{
    ScanReportColumns columns;
    QVector<ScanResultRow> batch;
    QElapsedTimer sinceBatch;
    sinceBatch.start();
    const auto sendBatch = [&] {
        if (!batch.isEmpty())
            Q_EMIT rowsAdded(batch);
        batch.clear();
        sinceBatch.restart();
    };

    ScanObserver observer;
    observer.started = [&](const ScanPlan &plan) {
        const QStringList header = scanCsvHeader(plan.models);
        if (Result<ScanReportColumns> parsed = ScanReportColumns::fromHeader(header))
            columns = std::move(parsed).value();
        Q_EMIT planned(plan, header);
    };
    std::optional<ScanProgress> unsent;
    observer.progress = [&](const ScanProgress &progress) {
        unsent = progress;
        if (sinceBatch.elapsed() >= kBatchMilliseconds || batch.size() >= kBatchRows) {
            sendBatch();
            Q_EMIT progressed(progress);
            unsent.reset();
        }
    };
    observer.recordWritten = [&](const QString &relativePath, const AnalysisRecord &record) {
        if (Result<ScanResultRow> row = columns.row(scanCsvFields(relativePath, record)))
            batch.push_back(std::move(row).value());
    };
    PreloadedScan preloaded;
    preloaded.detectors = &m_detectors;
    preloaded.pause = &m_control->pause;
    Result<ScanSummary> summary = runScan(m_settings, preloaded, m_control->cancel, observer);
    sendBatch();
    if (unsent)
        Q_EMIT progressed(*unsent);
    ScanFolderOutcome outcome;
    if (summary)
        outcome.summary = std::move(summary).value();
    else
        outcome.error = summary.error();
    Q_EMIT finished(outcome);
}

} // namespace forgelens
