#pragma once

#include "forgelens/image/decoded_image.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/image_analysis.h"
#include "forgelens/inference/inference_worker.h"

#include <QObject>
#include <QRunnable>
#include <QString>

#include <atomic>
#include <memory>

namespace forgelens {

// Analyses one file on a pool thread (read, hash, decode, preprocess there; inference on the
// model's own worker thread) and reports by queued signals: `decoded` as soon as the pixels
// are ready, then `finished` with the outcome (errors included). Deletes itself after run(),
// so the caller cancels through the shared flag it passed in, never through the job.
class ImageAnalysisJob : public QObject, public QRunnable {
    Q_OBJECT
public:
    // Setting `cancel` makes the job stop at its next stage boundary and report "cancelled".
    ImageAnalysisJob(quint64 requestId, QString path, DecodeLimits limits,
        std::shared_ptr<InferenceWorker> worker, std::shared_ptr<std::atomic_bool> cancel);
    void run() override;

Q_SIGNALS:
    void decoded(quint64 requestId, forgelens::DecodedImage image);
    void finished(quint64 requestId, forgelens::AnalysisOutcome outcome);

private:
    const quint64 m_requestId;
    const QString m_path;
    const DecodeLimits m_limits;
    const std::shared_ptr<InferenceWorker> m_worker;
    const std::shared_ptr<std::atomic_bool> m_cancel;
};

} // namespace forgelens
