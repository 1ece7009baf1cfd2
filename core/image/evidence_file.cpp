#include "forgelens/image/evidence_file.h"

#include <QFile>
#include <QFileInfo>

namespace forgelens {

Result<EvidenceFile> readEvidenceFile(const QString &path, qint64 maxBytes)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{ ErrorCode::NotFound, QStringLiteral("no such file (moved or deleted?)") };
    if (!info.isFile())
        return Error{ ErrorCode::NotAFile, QStringLiteral("not a regular file") };
    if (info.size() > maxBytes)
        return Error{ ErrorCode::TooLarge,
            QStringLiteral("%1 bytes is more than the limit of %2 bytes")
                .arg(info.size())
                .arg(maxBytes) };

    // Evidence is opened read-only: nothing in ForgeLens ever opens it for writing.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("cannot be read: %1").arg(file.errorString()) };
    // Read at most one byte past the size seen (and the limit): the file may have grown since
    // it was stat'ed. QIODevice::read(n) allocates n bytes up front, so n must not be the limit.
    EvidenceFile evidence;
    evidence.path = path;
    evidence.bytes = file.read(qMin(info.size(), maxBytes) + 1);
    if (file.error() != QFileDevice::NoError)
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("read failed: %1").arg(file.errorString()) };
    if (evidence.bytes.size() > maxBytes)
        return Error{ ErrorCode::TooLarge,
            QStringLiteral("larger than the limit of %1 bytes").arg(maxBytes) };
    if (evidence.bytes.size() != info.size())
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("the file changed size while it was being read (%1 bytes, then %2); "
                           "analyse a stable copy")
                .arg(info.size())
                .arg(evidence.bytes.size()) };
    evidence.digest = digestBytes(evidence.view());
    evidence.readAtUtc = QDateTime::currentDateTimeUtc();
    return evidence;
}

} // namespace forgelens
