#pragma once

#include "forgelens/image/decoded_image.h"
#include "forgelens/image/file_digest.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/result.h"

#include <QDateTime>
#include <QString>

namespace forgelens {

// One evidence file as read from disk: its identity (size, hashes) and its pixels.
struct EvidenceImage {
    QString path;
    qint64 fileSize = 0;
    FileDigest digest;
    QDateTime readAtUtc;
    DecodedImage image;
};

// readEvidenceFile(), then decodeImage() on the bytes that were hashed. Error codes: those of
// both. Messages do not repeat the path: the caller shows it. When the bytes
// were read but do not decode, `identityOnError` (optional) receives the file's identity (path,
// size, digest, time read; no pixels), so a report can still name the file that failed.
Result<EvidenceImage> loadEvidenceImage(
    const QString &path, const DecodeLimits &limits, EvidenceImage *identityOnError = nullptr);

} // namespace forgelens
