#include "forgelens/analysis/file_analysis_job.h"

namespace forgelens {

FileAnalysisJob::FileAnalysisJob(quint64 requestId, QString path, DetectorSet detectors,
    AnalysisRequest request, std::shared_ptr<std::atomic_bool> cancel)
    : m_requestId(requestId), m_path(std::move(path)), m_detectors(std::move(detectors)),
      m_request(request), m_cancel(std::move(cancel))
{
    setAutoDelete(true);
}

void FileAnalysisJob::run()
{
    AnalysisHooks hooks;
    hooks.cancel = m_cancel.get();
    hooks.decoded = [this](const DecodedImage &image) { Q_EMIT decoded(m_requestId, image); };
    AnalysisRecord record = analyzeFile(m_path, m_detectors, m_request, hooks);
    Q_EMIT finished(m_requestId, std::move(record));
}

} // namespace forgelens
