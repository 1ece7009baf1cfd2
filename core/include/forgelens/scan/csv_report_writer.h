#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace forgelens {

// Appends CSV records to a report's temporary file and makes it the report at the end. Records
// are buffered and written (then fdatasync'ed) every `flushRows` records or every two seconds,
// so a killed scan loses at most the last chunk, and that chunk is found again by --resume
// because its files have no row yet. A failed write (disk full, quota, I/O error) is returned
// as output-write-failed with the system's reason; what was flushed before stays valid.
class CsvReportWriter {
public:
    // Creates (truncates) `temporaryPath` and writes `header` as its first record.
    static Result<std::unique_ptr<CsvReportWriter>> create(
        const QString &temporaryPath, const QStringList &header, int flushRows);
    // Reopens an interrupted report, cut back to its first `keepBytes` (its complete records,
    // re-read here so the running hash below covers them).
    static Result<std::unique_ptr<CsvReportWriter>> reopen(
        const QString &temporaryPath, qint64 keepBytes, int flushRows);
    ~CsvReportWriter(); // flushes what it can and closes; never renames

    CsvReportWriter(const CsvReportWriter &) = delete;
    CsvReportWriter &operator=(const CsvReportWriter &) = delete;

    std::optional<Error> append(const QStringList &fields);
    std::optional<Error> flush();

    // After each flush has reached the disk: how many bytes the file holds and the SHA-256 of
    // all of them (lower-case hex). The scan records both in its sidecar, so --resume can tell
    // a report it wrote from one edited since.
    using Flushed = std::function<std::optional<Error>(qint64 bytes, const QString &sha256)>;
    void setFlushed(Flushed flushed) { m_flushed = std::move(flushed); }
    qint64 bytesWritten() const { return m_written; }
    QString writtenSha256() const;
    // Flushes, closes and renames the temporary file over `finalPath` in one step (rename(2)),
    // then syncs the folder so the new name survives a power cut.
    std::optional<Error> commit(const QString &finalPath);

private:
    CsvReportWriter(int fd, QString path, int flushRows);
    std::optional<Error> writeAll(const QByteArray &bytes);

    int m_fd = -1;
    QString m_path;
    int m_flushRows = 256;
    int m_bufferedRows = 0;
    QByteArray m_buffer;
    QElapsedTimer m_sinceFlush;
    QCryptographicHash m_hash{ QCryptographicHash::Sha256 };
    qint64 m_written = 0;
    Flushed m_flushed;
};

} // namespace forgelens
