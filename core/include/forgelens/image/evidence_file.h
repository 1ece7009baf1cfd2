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

    std::span<const std::uint8_t> view() const
    {
        return { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) };
    }
};

// Reads the file read-only (it is never written or locked for writing) and hashes the bytes
// read. Refuses files over `maxBytes` before reading them, and a file whose size changes while
// it is read. Error codes: not-found, not-a-file, unreadable, too-large. Messages do not repeat
// the path: the caller shows it.
Result<EvidenceFile> readEvidenceFile(const QString &path, qint64 maxBytes);

} // namespace forgelens
