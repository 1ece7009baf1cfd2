#include "forgelens/analysis/file_analysis.h"

#include "forgelens/image/input_geometry.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/sandbox/evidence_reading.h"

#include <QFile>

#include <ATen/core/Tensor.h>

namespace forgelens {
namespace {

bool cancelled(const AnalysisHooks &hooks)
{
    return hooks.cancel && hooks.cancel->load(std::memory_order_relaxed);
}

Error cancelledError()
{
    return Error{ ErrorCode::Cancelled, QStringLiteral("the analysis was cancelled") };
}

QString describeCurrentException()
{
    try {
        throw;
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("unknown exception");
    }
}

// The stages return errors as values; this is the last line of defence for what they do not
// foresee (an allocation failure, a broken promise), so one file can never stop a job.
Error unexpectedError()
{
    return Error{ ErrorCode::InternalError,
        QStringLiteral("analysis failed unexpectedly (%1); please report this with the file's "
                       "SHA-256")
            .arg(describeCurrentException()) };
}

void stop(PendingAnalysis &pending, Error error)
{
    pending.record.fileError = std::move(error);
}

void beginStages(PendingAnalysis &pending, const QString &path, const QByteArray &nativePath,
    const DetectorSet &detectors, const AnalysisRequest &request, const AnalysisHooks &hooks)
{
    AnalysisRecord &record = pending.record;
    if (cancelled(hooks))
        return stop(pending, cancelledError());

    EvidenceReadRequest readRequest;
    readRequest.limits = request.limits;
    readRequest.readMetadata = request.readMetadata;
    readRequest.keepMetadataReport = request.keepMetadataReport;
    readRequest.salvageTruncated = request.salvageTruncated && hooks.decoded;
    if (request.reducedJpegDecode)
        readRequest.reduceJpegFor = detectors.reducibleResizes();
    if (request.cropOnlyJpegDecode && !hooks.decoded)
        readRequest.cropJpegFor = detectors.nativeCenterCrops();
    const QByteArray native = nativePath.isEmpty() ? QFile::encodeName(path) : nativePath;
    EvidenceReading reading = request.sandbox
        ? request.sandbox->read(path, native, readRequest, hooks.cancel)
        : readEvidence(path, native, readRequest);
    record.fileSize = reading.fileSize;
    record.digest = reading.digest;
    record.readAtUtc = reading.readAtUtc;
    record.metadataRead = reading.metadataRead;
    record.findingCodes = reading.findingCodes;
    record.metadata = std::move(reading.metadata);
    if (reading.salvaged && hooks.decoded)
        hooks.decoded(*reading.salvaged);
    if (!reading.image)
        return stop(pending,
            reading.error.value_or(Error{ ErrorCode::InternalError,
                QStringLiteral("the file was read without pixels or an error") }));
    DecodedImage decoded = std::move(*reading.image);
    reading.image.reset();
    record.format = decoded.format;
    record.width = decoded.fullWidth();
    record.height = decoded.fullHeight();
    record.storedWidth = decoded.storedWidth;
    record.storedHeight = decoded.storedHeight;
    record.orientation = decoded.orientation;
    record.cropOnlyDecode = decoded.isPartial();
    if (hooks.decoded)
        hooks.decoded(decoded);
    if (cancelled(hooks))
        return stop(pending, cancelledError());

    std::vector<at::Tensor> inputs;
    inputs.reserve(detectors.groups().size());
    for (const DetectorSet::InputGroup &group : detectors.groups()) {
        const std::vector<QRect> regions = scoredRegions(group.spec, record.width, record.height,
            record.storedWidth, record.storedHeight, record.orientation);
        for (const size_t member : group.members)
            record.detectors[member].regions = regions;
        Result<at::Tensor> input = preprocessImage(decoded, group.spec);
        if (!input) {
            for (const size_t member : group.members)
                record.detectors[member].error = input.error();
            inputs.emplace_back();
            continue;
        }
        pending.inputBytes += qint64(input->numel()) * qint64(input->element_size());
        inputs.push_back(std::move(input).value());
    }
    decoded = DecodedImage(); // the pixels are no longer needed while the models run
    if (cancelled(hooks))
        return stop(pending, cancelledError());
    if (hooks.reserveInputs)
        hooks.reserveInputs(pending.inputBytes);
    for (size_t g = 0; g < detectors.groups().size(); ++g) {
        if (!inputs[g].defined())
            continue;
        for (const size_t member : detectors.groups()[g].members)
            pending.predictions[member] = detectors.worker(member).submit(inputs[g]);
    }
}

} // namespace

PendingAnalysis beginFileAnalysis(const QString &path, const DetectorSet &detectors,
    const AnalysisRequest &request, const AnalysisHooks &hooks, const QByteArray &nativePath)
{
    PendingAnalysis pending;
    AnalysisRecord &record = pending.record;
    record.path = path;
    record.startedUtc = QDateTime::currentDateTimeUtc();
    record.detectors.resize(detectors.size());
    for (size_t i = 0; i < detectors.size(); ++i)
        record.detectors[i].model = detectors.model(i);
    pending.predictions.resize(detectors.size());
    try {
        beginStages(pending, path, nativePath, detectors, request, hooks);
    } catch (...) {
        record.fileError = unexpectedError();
    }
    return pending;
}

AnalysisRecord finishFileAnalysis(PendingAnalysis pending, const AnalysisRequest &request)
{
    AnalysisRecord &record = pending.record;
    for (size_t i = 0; i < pending.predictions.size(); ++i) {
        std::future<Result<Prediction>> &future = pending.predictions[i];
        if (!future.valid())
            continue;
        DetectorResult &result = record.detectors[i];
        try {
            Result<Prediction> prediction = future.get();
            if (!prediction) {
                result.error = prediction.error();
                continue;
            }
            result.prediction = std::move(prediction).value();
            if (!request.keepEmbeddings)
                result.prediction->embedding = {};
        } catch (...) {
            result.error = unexpectedError();
        }
    }
    record.finishedUtc = QDateTime::currentDateTimeUtc();
    return std::move(pending.record);
}

AnalysisRecord analyzeFile(const QString &path, const DetectorSet &detectors,
    const AnalysisRequest &request, const AnalysisHooks &hooks)
{
    return finishFileAnalysis(beginFileAnalysis(path, detectors, request, hooks), request);
}

} // namespace forgelens
