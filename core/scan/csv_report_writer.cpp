#include "forgelens/scan/csv_report_writer.h"

#include "forgelens/scan/csv_record.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace forgelens {
namespace {

constexpr qint64 kFlushIntervalMillis = 2000;

Error systemError(const QString &what, const QString &path, int code)
{
    return Error{ ErrorCode::OutputWriteFailed,
        QStringLiteral("%1 %2: %3").arg(what, path, QString::fromLocal8Bit(std::strerror(code))) };
}

} // namespace

CsvReportWriter::CsvReportWriter(int fd, QString path, int flushRows)
    : m_fd(fd), m_path(std::move(path)), m_flushRows(std::max(1, flushRows))
{
    m_sinceFlush.start();
}

CsvReportWriter::~CsvReportWriter()
{
    if (m_fd >= 0) {
        flush();
        ::close(m_fd);
    }
}

Result<std::unique_ptr<CsvReportWriter>> CsvReportWriter::create(
    const QString &temporaryPath, const QStringList &header, int flushRows)
{
    const QByteArray name = QFile::encodeName(temporaryPath);
    const int fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return systemError(QStringLiteral("cannot create"), temporaryPath, errno);
    std::unique_ptr<CsvReportWriter> writer(new CsvReportWriter(fd, temporaryPath, flushRows));
    writer->m_buffer = csvRecord(header);
    if (auto error = writer->flush())
        return *error;
    return writer;
}

Result<std::unique_ptr<CsvReportWriter>> CsvReportWriter::reopen(
    const QString &temporaryPath, qint64 keepBytes, int flushRows)
{
    const QByteArray name = QFile::encodeName(temporaryPath);
    const int fd = ::open(name.constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return systemError(QStringLiteral("cannot open"), temporaryPath, errno);
    std::unique_ptr<CsvReportWriter> writer(new CsvReportWriter(fd, temporaryPath, flushRows));
    // The record a killed run was writing is cut away; its file has no row yet and is scanned
    // again.
    if (::ftruncate(fd, off_t(keepBytes)) != 0 || ::lseek(fd, off_t(keepBytes), SEEK_SET) < 0)
        return systemError(QStringLiteral("cannot truncate"), temporaryPath, errno);
    QFile kept(temporaryPath);
    if (!kept.open(QIODevice::ReadOnly))
        return systemError(QStringLiteral("cannot read"), temporaryPath, errno);
    while (writer->m_written < keepBytes) {
        const QByteArray piece = kept.read(qMin<qint64>(keepBytes - writer->m_written, 1 << 20));
        if (piece.isEmpty())
            return systemError(QStringLiteral("cannot read"), temporaryPath, EIO);
        writer->m_hash.addData(piece);
        writer->m_written += piece.size();
    }
    return writer;
}

std::optional<Error> CsvReportWriter::append(const QStringList &fields)
{
    m_buffer += csvRecord(fields);
    ++m_bufferedRows;
    if (m_bufferedRows >= m_flushRows || m_sinceFlush.elapsed() >= kFlushIntervalMillis)
        return flush();
    return std::nullopt;
}

std::optional<Error> CsvReportWriter::writeAll(const QByteArray &bytes)
{
    const char *data = bytes.constData();
    qint64 left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, data, size_t(left));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return systemError(QStringLiteral("cannot write"), m_path, errno);
        }
        data += written;
        left -= written;
    }
    return std::nullopt;
}

std::optional<Error> CsvReportWriter::flush()
{
    m_sinceFlush.restart();
    if (m_buffer.isEmpty())
        return std::nullopt;
    const QByteArray chunk = std::exchange(m_buffer, QByteArray());
    m_bufferedRows = 0;
    if (auto error = writeAll(chunk))
        return error;
    if (::fdatasync(m_fd) != 0)
        return systemError(QStringLiteral("cannot sync"), m_path, errno);
    m_hash.addData(chunk);
    m_written += chunk.size();
    if (m_flushed)
        return m_flushed(m_written, writtenSha256());
    return std::nullopt;
}

QString CsvReportWriter::writtenSha256() const
{
    return QString::fromLatin1(m_hash.result().toHex());
}

std::optional<Error> CsvReportWriter::commit(const QString &finalPath)
{
    if (auto error = flush())
        return error;
    const int fd = std::exchange(m_fd, -1);
    if (::fsync(fd) != 0 || ::close(fd) != 0)
        return systemError(QStringLiteral("cannot close"), m_path, errno);
    if (::rename(QFile::encodeName(m_path).constData(), QFile::encodeName(finalPath).constData())
        != 0)
        return systemError(
            QStringLiteral("cannot rename the finished report to"), finalPath, errno);
    const QByteArray folder = QFile::encodeName(QFileInfo(finalPath).absolutePath());
    if (const int dirFd = ::open(folder.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return std::nullopt;
}

} // namespace forgelens
