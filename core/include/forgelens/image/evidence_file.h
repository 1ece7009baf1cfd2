#pragma once

#include "forgelens/image/file_digest.h"
#include "forgelens/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <cstdint>
#include <span>

namespace forgelens {

// An evidence file's exact bytes and identity, read once.
struct EvidenceFile {
    QString path;
    QByteArray bytes;
    FileDigest digest; // of `bytes`
    QDateTime readAtUtc;
    QDateTime modifiedUtc; // the file system's modification time when it was read

    std::span<const std::uint8_t> view() const
    {
        return { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) };
    }
};

// Reads the file read-only (it is never written or locked for writing; O_NOATIME where allowed)
// and hashes the bytes read. The type is checked on the open descriptor, which was opened
// non-blocking, so a name swapped for a FIFO or device after a walk is refused, never waited
// on. Refuses files over `maxBytes` before reading them, and a file whose size changes while
// it is read. Error codes: not-found, not-a-file, unreadable, too-large. Messages do not repeat
// the path: the caller shows it.
Result<EvidenceFile> readEvidenceFile(const QString &path, qint64 maxBytes);
// The same for a file whose name is given as the file system's bytes (a name that is not valid
// UTF-8 cannot round-trip through QString); `path` is what is shown and recorded.
Result<EvidenceFile> readEvidenceFile(
    const QString &path, const QByteArray &nativePath, qint64 maxBytes);

} // namespace forgelens
