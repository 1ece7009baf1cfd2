#include "forgelens/image/evidence_file.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace forgelens {
namespace {

// Closes the descriptor on every return path.
class Descriptor {
public:
    explicit Descriptor(int fd) : m_fd(fd) { }
    ~Descriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Descriptor(const Descriptor &) = delete;
    Descriptor &operator=(const Descriptor &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Opens without following the path twice: O_NONBLOCK so that a name swapped for a FIFO (or a
// device) after the walk saw a regular file cannot block the open, and the type is then checked
// on the descriptor itself. O_NOATIME leaves the evidence's access time as it was where the
// kernel allows it (the file's owner, or CAP_FOWNER); elsewhere it is refused with EPERM and the
// file is opened without it.
int openEvidence(const QByteArray &nativePath)
{
    const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = ::open(nativePath.constData(), flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = ::open(nativePath.constData(), flags);
    return fd;
}

} // namespace

Result<EvidenceFile> readEvidenceFile(const QString &path, qint64 maxBytes)
{
    return readEvidenceFile(path, QFile::encodeName(path), maxBytes);
}

Result<EvidenceFile> readEvidenceFile(
    const QString &path, const QByteArray &nativePath, qint64 maxBytes)
{
    // Evidence is opened read-only: nothing in ForgeLens ever opens it for writing.
    const Descriptor fd(openEvidence(nativePath));
    if (fd.get() < 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR)
            return Error{ ErrorCode::NotFound, QStringLiteral("no such file (moved or deleted?)") };
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("cannot be read: %1").arg(systemError(error)) };
    }
    struct stat info { };
    if (::fstat(fd.get(), &info) != 0)
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("cannot be examined: %1").arg(systemError(errno)) };
    if (!S_ISREG(info.st_mode))
        return Error{ ErrorCode::NotAFile,
            S_ISDIR(info.st_mode)
                ? QStringLiteral("a folder, not a file")
                : QStringLiteral("not a regular file (a pipe, socket or device); never read") };
    if (info.st_size > maxBytes)
        return Error{ ErrorCode::TooLarge,
            QStringLiteral("%1 bytes is more than the limit of %2 bytes")
                .arg(qint64(info.st_size))
                .arg(maxBytes) };

    // Read at most one byte past the size seen (and the limit): the file may have grown since
    // it was stat'ed.
    const qint64 wanted = qMin<qint64>(info.st_size, maxBytes) + 1;
    EvidenceFile evidence;
    evidence.path = path;
    evidence.bytes.resize(wanted);
    qint64 got = 0;
    while (got < wanted) {
        const ssize_t n = ::read(fd.get(), evidence.bytes.data() + got, size_t(wanted - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error{ ErrorCode::Unreadable,
                QStringLiteral("read failed: %1").arg(systemError(errno)) };
        if (n == 0)
            break;
        got += n;
    }
    evidence.bytes.truncate(got);
    if (got > maxBytes)
        return Error{ ErrorCode::TooLarge,
            QStringLiteral("larger than the limit of %1 bytes").arg(maxBytes) };
    if (got != info.st_size)
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("the file changed size while it was being read (%1 bytes, then %2); "
                           "analyse a stable copy")
                .arg(qint64(info.st_size))
                .arg(got) };
    evidence.digest = digestBytes(evidence.view());
    evidence.readAtUtc = QDateTime::currentDateTimeUtc();
    evidence.modifiedUtc = QDateTime::fromMSecsSinceEpoch(
        qint64(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1'000'000, Qt::UTC);
    return evidence;
}

} // namespace forgelens
