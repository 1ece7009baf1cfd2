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

AnalysisOutcome analyzeStages(AnalysisOutcome outcome, const DecodeLimits &limits,
    InferenceWorker &worker, const std::atomic_bool *cancel,
    const std::function<void(const EvidenceImage &)> &onDecoded)
{
    const QString path = outcome.path;
    const auto finish = [&outcome](Error error) {
        outcome.error = std::move(error);
        outcome.finishedUtc = QDateTime::currentDateTimeUtc();
        return outcome;
    };
    if (cancelled(cancel))
        return finish(cancelledError());

    EvidenceImage identity;
    Result<EvidenceImage> evidence = loadEvidenceImage(path, limits, &identity);
    if (!evidence) {
        outcome.fileSize = identity.fileSize;
        outcome.digest = identity.digest;
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

} // namespace

AnalysisOutcome analyzeImageFile(const QString &path, const DecodeLimits &limits,
    InferenceWorker &worker, const std::atomic_bool *cancel,
    const std::function<void(const EvidenceImage &)> &onDecoded)
{
    AnalysisOutcome outcome;
    outcome.path = path;
    outcome.startedUtc = QDateTime::currentDateTimeUtc();
    // The stages return errors as values; this is the last line of defence for what they do
    // not foresee (an allocation failure, a broken promise), so one file can never stop a job.
    QString unexpected;
    try {
        return analyzeStages(outcome, limits, worker, cancel, onDecoded);
    } catch (const std::exception &e) {
        unexpected = QString::fromUtf8(e.what());
    } catch (...) {
        unexpected = QStringLiteral("unknown exception");
    }
    outcome.error = Error{ QStringLiteral("internal-error"),
        QStringLiteral("analysis failed unexpectedly (%1); please report this with the file's "
                       "SHA-256")
            .arg(unexpected) };
    outcome.finishedUtc = QDateTime::currentDateTimeUtc();
    return outcome;
}

} // namespace forgelens
