#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/analysis/detector_set.h"
#include "forgelens/image/decoded_image.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/sandbox/decoder_pool.h"

#include <atomic>
#include <functional>
#include <future>
#include <vector>

namespace forgelens {

// What a front end wants in its records. A scan asks for the least (finding codes, no
// embeddings) to keep its speed and flat memory; the window asks for everything it shows.
struct AnalysisRequest {
    DecodeLimits limits;
    bool readMetadata = true;
    bool keepMetadataReport = false; // the whole MetadataReport, not only the finding codes
    bool keepEmbeddings = false; // Prediction::embedding (the heads use it either way)
    // A truncated JPEG is decoded a second time in DecodeMode::Salvage and handed to
    // AnalysisHooks::decoded marked truncated, so a person sees what is there. It is never
    // scored: the record keeps its "truncated" error.
    bool salvageTruncated = false;
    // A JPEG is decoded reduced (reduced_jpeg_decode.h) when every detector's input allows it.
    // Only scans ask for it: an analyst's window shows and maps the full decode.
    bool reducedJpegDecode = false;
    // A JPEG is decoded only around the detectors' crops (native_crop_region.h) when every
    // detector's input begins with a centre crop at native resolution and nothing asks for the
    // picture (AnalysisHooks::decoded unset). Exact: the crops' pixels are a full decode's.
    bool cropOnlyJpegDecode = false;
    // Where the file's bytes are read, parsed and decoded: the sandbox's worker processes, or
    // (null) this process. Every front end sets it; tests of other units may leave it null.
    std::shared_ptr<DecoderPool> sandbox;
};

// Optional callbacks into the stages, all called on the analysing thread.
struct AnalysisHooks {
    const std::atomic_bool *cancel = nullptr; // polled between stages: error "cancelled"
    // The pixels as soon as they are decoded, before any model runs (image.truncated: salvaged).
    std::function<void(const DecodedImage &image)> decoded;
    // Called with the bytes of preprocessed input about to be queued for the models; may
    // block until they fit a memory budget (the scan's backpressure).
    std::function<void(qint64 inputBytes)> reserveInputs;
};

// A file between its two stages: read, hashed, decoded, preprocessed and queued on each
// detector's worker, its predictions still to come.
struct PendingAnalysis {
    AnalysisRecord record;
    std::vector<std::future<Result<Prediction>>> predictions; // per detector; invalid: not queued
    qint64 inputBytes = 0; // preprocessed input queued for the models

    PendingAnalysis() = default;
    PendingAnalysis(PendingAnalysis &&) = default;
    PendingAnalysis &operator=(PendingAnalysis &&) = default;
};

// Stage 1, on a decoding thread: read once (read-only), SHA-256, metadata, decode once (all in
// the sandbox when the request has one; `nativePath` is the name as the file system has it,
// empty = QFile::encodeName(path)),
// preprocess once per input group of `detectors`, queue on each worker. Never throws: what goes
// wrong is in the record.
PendingAnalysis beginFileAnalysis(const QString &path, const DetectorSet &detectors,
    const AnalysisRequest &request, const AnalysisHooks &hooks = {},
    const QByteArray &nativePath = {});

// Stage 2, on any thread: waits for the predictions and completes the record. Never throws.
AnalysisRecord finishFileAnalysis(PendingAnalysis pending, const AnalysisRequest &request);

// Both stages on the calling thread: the one path from a file to its record for every front end.
AnalysisRecord analyzeFile(const QString &path, const DetectorSet &detectors,
    const AnalysisRequest &request, const AnalysisHooks &hooks = {});

} // namespace forgelens
