#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QString>
#include <QStringList>

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
    // Reopens an interrupted report, cut back to its first `keepBytes` (its complete records).
    static Result<std::unique_ptr<CsvReportWriter>> reopen(
        const QString &temporaryPath, qint64 keepBytes, int flushRows);
    ~CsvReportWriter(); // flushes what it can and closes; never renames

    CsvReportWriter(const CsvReportWriter &) = delete;
    CsvReportWriter &operator=(const CsvReportWriter &) = delete;

    std::optional<Error> append(const QStringList &fields);
    std::optional<Error> flush();
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
};

} // namespace forgelens
