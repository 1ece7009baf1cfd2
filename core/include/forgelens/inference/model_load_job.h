#pragma once

#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/result.h"

#include <QObject>
#include <QRunnable>
#include <QString>

#include <memory>

namespace forgelens {

// Loads a model bundle off the caller's thread (it can take seconds) and hands the ready
// worker over by a queued signal. Run it on a QThreadPool; it deletes itself when done.
class ModelLoadJob : public QObject, public QRunnable {
    Q_OBJECT
public:
    ModelLoadJob(QString bundlePath, EngineConfig config);
    void run() override;

Q_SIGNALS:
    void loaded(std::shared_ptr<forgelens::InferenceWorker> worker);
    void failed(forgelens::Error error);

private:
    const QString m_bundlePath;
    const EngineConfig m_config;
};

} // namespace forgelens

Q_DECLARE_METATYPE(std::shared_ptr<forgelens::InferenceWorker>)
