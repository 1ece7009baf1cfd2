#include "forgelens/image/evidence_image.h"

#include "forgelens/image/evidence_file.h"

namespace forgelens {

Result<EvidenceImage> loadEvidenceImage(
    const QString &path, const DecodeLimits &limits, EvidenceImage *identityOnError)
{
    Result<EvidenceFile> file = readEvidenceFile(path, limits.maxFileBytes);
    if (!file)
        return file.error();
    EvidenceImage evidence;
    evidence.path = path;
    evidence.fileSize = file->bytes.size();
    evidence.digest = file->digest;
    evidence.readAtUtc = file->readAtUtc;

    Result<DecodedImage> decoded = decodeImage(file->view(), limits);
    if (!decoded) {
        if (identityOnError)
            *identityOnError = evidence;
        return decoded.error();
    }
    evidence.image = std::move(decoded).value();
    return evidence;
}

} // namespace forgelens
