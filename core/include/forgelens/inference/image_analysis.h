#pragma once

#include "forgelens/image/evidence_image.h"
#include "forgelens/image/image_format.h"
#include "forgelens/inference/prediction.h"
#include "forgelens/result.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace forgelens {

class InferenceWorker;

// Everything known about one file after analysis with one model: its identity even when it
// could not be decoded, and either a prediction or the error that stopped it.
struct AnalysisOutcome {
    QString path;
    qint64 fileSize = 0;
    FileDigest digest; // empty when the file could not be read at all
    ImageFormat format = ImageFormat::Unknown;
    int width = 0; // as analysed, after orientation
    int height = 0;
    int orientation = 1;
    std::optional<Prediction> prediction;
    std::optional<Error> error;
    QDateTime startedUtc;
    QDateTime finishedUtc;

    bool ok() const { return prediction.has_value(); }
};

// Reads, hashes, decodes and preprocesses one file on the calling thread, then runs it through
// the worker's model and waits for the prediction. `onDecoded` (optional) sees the image as
// soon as it is decoded, before inference. `cancel` is polled between the stages.
AnalysisOutcome analyzeImageFile(const QString &path, const DecodeLimits &limits,
    InferenceWorker &worker, const std::atomic_bool *cancel = nullptr,
    const std::function<void(const EvidenceImage &)> &onDecoded = {});

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::AnalysisOutcome)
