#include "forgelens/image/evidence_image.h"

#include <QFile>
#include <QFileInfo>

namespace forgelens {

Result<EvidenceImage> loadEvidenceImage(
    const QString &path, const DecodeLimits &limits, EvidenceImage *identityOnError)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{ QStringLiteral("not-found"),
            QStringLiteral("no such file (moved or deleted?)") };
    if (!info.isFile())
        return Error{ QStringLiteral("not-a-file"), QStringLiteral("not a regular file") };
    if (info.size() > limits.maxFileBytes)
        return Error{ QStringLiteral("too-large"),
            QStringLiteral("%1 bytes is more than the limit of %2 bytes")
                .arg(info.size())
                .arg(limits.maxFileBytes) };

    // Evidence is opened read-only: nothing in ForgeLens ever opens it for writing.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ QStringLiteral("unreadable"),
            QStringLiteral("cannot be read: %1").arg(file.errorString()) };
    // Read at most one byte past the size seen (and the limit): the file may have grown since
    // it was stat'ed. QIODevice::read(n) allocates n bytes up front, so n must not be the limit.
    const QByteArray bytes = file.read(qMin(info.size(), limits.maxFileBytes) + 1);
    if (file.error() != QFileDevice::NoError)
        return Error{ QStringLiteral("unreadable"),
            QStringLiteral("read failed: %1").arg(file.errorString()) };
    if (bytes.size() > limits.maxFileBytes)
        return Error{ QStringLiteral("too-large"),
            QStringLiteral("larger than the limit of %1 bytes").arg(limits.maxFileBytes) };
    if (bytes.size() != info.size())
        return Error{ QStringLiteral("unreadable"),
            QStringLiteral("the file changed size while it was being read (%1 bytes, then %2); "
                           "analyse a stable copy")
                .arg(info.size())
                .arg(bytes.size()) };

    const std::span<const std::uint8_t> view(
        reinterpret_cast<const std::uint8_t *>(bytes.data()), static_cast<size_t>(bytes.size()));
    EvidenceImage evidence;
    evidence.path = path;
    evidence.fileSize = bytes.size();
    evidence.digest = digestBytes(view);
    evidence.readAtUtc = QDateTime::currentDateTimeUtc();

    Result<DecodedImage> decoded = decodeImage(view, limits);
    if (!decoded) {
        if (identityOnError)
            *identityOnError = evidence;
        return decoded.error();
    }
    evidence.image = std::move(decoded).value();
    return evidence;
}

} // namespace forgelens
