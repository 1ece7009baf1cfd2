#pragma once

#include "forgelens/image/decoded_image.h"
#include "forgelens/image/file_digest.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/metadata/metadata_report.h"
#include "forgelens/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace forgelens {

// What to read from an evidence file (AnalysisRequest's part that concerns the bytes).
struct EvidenceReadRequest {
    DecodeLimits limits;
    bool readMetadata = true;
    bool keepMetadataReport = false; // the whole report, not only the finding codes
    bool salvageTruncated = false; // also decode a truncated JPEG in DecodeMode::Salvage
    bool decode = true; // false: identity and metadata only (`forgelens-cli metadata`)
    // Non-empty: a JPEG may be decoded reduced for these resizes (decodeImage's reduceFor).
    std::vector<ReducibleResize> reduceJpegFor;
    // Non-empty: a JPEG may be decoded only around these crops (decodeImage's cropFor).
    std::vector<NativeCenterCrop> cropJpegFor;
};

// Everything taken from one evidence file's bytes: the work that runs on hostile input (reading,
// hashing, metadata parsing, decoding), which the sandbox runs in a worker process.
struct EvidenceReading {
    qint64 fileSize = -1; // -1: not read
    FileDigest digest;
    QDateTime readAtUtc;
    bool metadataRead = false;
    QStringList findingCodes; // in the order found
    std::optional<MetadataReport> metadata; // when keepMetadataReport
    std::optional<DecodedImage> image; // decoded in DecodeMode::Strict
    std::optional<DecodedImage> salvaged; // a truncated JPEG's salvage (never scored)
    std::optional<Error> error; // what stopped the file (read, decode, or the sandbox)
};

// One read of the file (readEvidenceFile), its metadata and its pixels, in this process. Never
// throws. The sandbox's worker calls this; so do callers that run without the sandbox.
// With a `target`, the pixels go there when they fit (and the image's `rgb` stays empty).
EvidenceReading readEvidence(const QString &path, const QByteArray &nativePath,
    const EvidenceReadRequest &request, PixelTarget target = {});

} // namespace forgelens
