#include "forgelens/inference/image_analysis.h"

#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/inference_worker.h"

namespace forgelens {
namespace {

bool cancelled(const std::atomic_bool *cancel)
{
    return cancel && cancel->load(std::memory_order_relaxed);
}

Error cancelledError()
{
    return Error{ QStringLiteral("cancelled"), QStringLiteral("the analysis was cancelled") };
}

} // namespace

AnalysisOutcome analyzeImageFile(const QString &path, const DecodeLimits &limits,
    InferenceWorker &worker, const std::atomic_bool *cancel,
    const std::function<void(const EvidenceImage &)> &onDecoded)
{
    AnalysisOutcome outcome;
    outcome.path = path;
    outcome.startedUtc = QDateTime::currentDateTimeUtc();
    const auto finish = [&outcome](Error error) {
        outcome.error = std::move(error);
        outcome.finishedUtc = QDateTime::currentDateTimeUtc();
        return outcome;
    };
    if (cancelled(cancel))
        return finish(cancelledError());

    FileDigest digestOnError;
    Result<EvidenceImage> evidence = loadEvidenceImage(path, limits, &digestOnError);
    if (!evidence) {
        outcome.digest = digestOnError;
        return finish(evidence.error());
    }
    outcome.fileSize = evidence->fileSize;
    outcome.digest = evidence->digest;
    outcome.format = evidence->image.format;
    outcome.width = evidence->image.width;
    outcome.height = evidence->image.height;
    outcome.orientation = evidence->image.orientation;
    if (onDecoded)
        onDecoded(*evidence);
    if (cancelled(cancel))
        return finish(cancelledError());

    Result<at::Tensor> input = preprocessImage(evidence->image, worker.info().manifest.input);
    if (!input)
        return finish(input.error());
    if (cancelled(cancel))
        return finish(cancelledError());

    Result<Prediction> prediction = worker.submit(std::move(input).value()).get();
    if (!prediction)
        return finish(prediction.error());
    outcome.prediction = std::move(prediction).value();
    outcome.finishedUtc = QDateTime::currentDateTimeUtc();
    return outcome;
}

} // namespace forgelens
