#include "forgelens/eval/evaluation_job.h"

#include <QElapsedTimer>

namespace forgelens {

EvaluationJob::EvaluationJob(
    EvaluationSettings settings, DetectorSet detectors, std::shared_ptr<std::atomic_bool> cancel)
    : m_settings(std::move(settings)), m_detectors(std::move(detectors)),
      m_cancel(std::move(cancel))
{
    setAutoDelete(true);
    // As ScanFolderJob: the sidecar names the loaded bundles, which are not loaded again.
    m_settings.scan.modelPaths.clear();
    m_settings.scan.modelPins.clear();
    for (const ModelInfo &model : m_detectors.models())
        m_settings.scan.modelPaths << model.bundlePath;
}

void EvaluationJob::run()
{
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    ScanObserver observer;
    observer.started = [this](const ScanPlan &plan) { Q_EMIT planned(plan); };
    observer.progress = [&](const ScanProgress &progress) {
        // At most four signals a second: a queued signal per file would flood the window.
        if (sinceProgress.elapsed() >= 250 || progress.done == progress.total) {
            sinceProgress.restart();
            Q_EMIT progressed(progress);
        }
    };
    PreloadedScan preloaded;
    preloaded.detectors = &m_detectors;
    Result<EvaluationRun> run = runEvaluation(m_settings, *m_cancel, observer, preloaded);
    EvaluationOutcome outcome;
    if (run)
        outcome.run = std::make_shared<const EvaluationRun>(std::move(run).value());
    else
        outcome.error = run.error();
    Q_EMIT finished(outcome);
}

} // namespace forgelens
