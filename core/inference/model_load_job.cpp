#include "forgelens/inference/model_load_job.h"

namespace forgelens {

ModelLoadJob::ModelLoadJob(QString bundlePath, EngineConfig config)
    : m_bundlePath(std::move(bundlePath)), m_config(std::move(config))
{
    setAutoDelete(true);
}

void ModelLoadJob::run()
{
    Result<std::shared_ptr<InferenceWorker>> worker = Error{};
    try {
        worker = InferenceWorker::start(m_bundlePath, m_config);
    } catch (const std::exception &e) { // e.g. no thread could be started
        worker = Error{ ErrorCode::InternalError,
            QStringLiteral("the model could not be started: %1").arg(QString::fromUtf8(e.what())) };
    }
    if (worker)
        Q_EMIT loaded(std::move(worker).value());
    else
        Q_EMIT failed(worker.error());
}

} // namespace forgelens
