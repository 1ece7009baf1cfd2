#include "forgelens/inference/image_analysis_job.h"

namespace forgelens {

ImageAnalysisJob::ImageAnalysisJob(quint64 requestId, QString path, DecodeLimits limits,
    std::shared_ptr<InferenceWorker> worker, std::shared_ptr<std::atomic_bool> cancel)
    : m_requestId(requestId), m_path(std::move(path)), m_limits(limits),
      m_worker(std::move(worker)), m_cancel(std::move(cancel))
{
    setAutoDelete(true);
}

void ImageAnalysisJob::run()
{
    AnalysisOutcome outcome = analyzeImageFile(m_path, m_limits, *m_worker, m_cancel.get(),
        [this](const EvidenceImage &evidence) { Q_EMIT decoded(m_requestId, evidence.image); });
    Q_EMIT finished(m_requestId, std::move(outcome));
}

} // namespace forgelens
