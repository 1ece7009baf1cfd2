#include "forgelens/sandbox/evidence_reading.h"

#include "forgelens/image/evidence_file.h"

#include <QFileInfo>

#include <new>

namespace forgelens {
namespace {

void readStages(EvidenceReading &reading, const QString &path, const QByteArray &nativePath,
    const EvidenceReadRequest &request, PixelTarget target)
{
    Result<EvidenceFile> evidence = readEvidenceFile(path, nativePath, request.limits.maxFileBytes);
    if (!evidence) {
        reading.error = evidence.error();
        return;
    }
    reading.fileSize = evidence->bytes.size();
    reading.digest = evidence->digest;
    reading.readAtUtc = evidence->readAtUtc;
    DecodeHints hints;
    hints.reduceFor = request.reduceJpegFor;
    hints.cropFor = request.cropJpegFor;
    if (request.readMetadata) {
        MetadataReport report = readMetadataReport(evidence->view(),
            MetadataFileFacts{ QFileInfo(path).fileName(), evidence->modifiedUtc });
        for (const MetadataFinding &finding : report.findings) {
            if (!reading.findingCodes.contains(finding.code))
                reading.findingCodes.append(finding.code);
        }
        reading.metadataRead = true;
        hints.exifOrientation = report.embedded.exifOrientation;
        if (request.keepMetadataReport)
            reading.metadata = std::move(report);
    }
    if (!request.decode)
        return;
    Result<DecodedImage> decoded
        = decodeImage(evidence->view(), request.limits, DecodeMode::Strict, target, hints);
    if (!decoded) {
        reading.error = decoded.error();
        if (decoded.error().code == ErrorCode::Truncated && request.salvageTruncated) {
            Result<DecodedImage> salvaged = decodeImage(evidence->view(), request.limits,
                DecodeMode::Salvage, target, DecodeHints{ {}, {}, hints.exifOrientation });
            if (salvaged)
                reading.salvaged = std::move(salvaged).value();
        }
        return;
    }
    reading.image = std::move(decoded).value();
}

} // namespace

EvidenceReading readEvidence(const QString &path, const QByteArray &nativePath,
    const EvidenceReadRequest &request, PixelTarget target)
{
    EvidenceReading reading;
    try {
        readStages(reading, path, nativePath, request, target);
    } catch (const std::bad_alloc &) {
        reading.image.reset();
        reading.salvaged.reset();
        reading.error = Error{ ErrorCode::DecoderOutOfMemory,
            QStringLiteral("not enough memory to read this file within the decoder's limit") };
    } catch (const std::exception &e) {
        reading.error = Error{ ErrorCode::InternalError,
            QStringLiteral("reading the file failed unexpectedly (%1); please report this with "
                           "the file's SHA-256")
                .arg(QString::fromUtf8(e.what())) };
    }
    return reading;
}

} // namespace forgelens
