#include "forgelens/inference/model_load_job.h"

namespace forgelens {

ModelLoadJob::ModelLoadJob(QString bundlePath, EngineConfig config)
    : m_bundlePath(std::move(bundlePath)), m_config(std::move(config))
{
    setAutoDelete(true);
}

void ModelLoadJob::run()
{
    Result<std::shared_ptr<InferenceWorker>> worker
        = InferenceWorker::start(m_bundlePath, m_config);
    if (worker)
        Q_EMIT loaded(std::move(worker).value());
    else
        Q_EMIT failed(worker.error());
}

} // namespace forgelens
