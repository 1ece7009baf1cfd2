#include "forgelens/scan/report_lock.h"

#include <QDateTime>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace forgelens {
namespace {

QString holderOf(int fd)
{
    QByteArray text(256, '\0');
    const ssize_t n = ::pread(fd, text.data(), size_t(text.size()), 0);
    text.truncate(n > 0 ? qsizetype(n) : 0);
    // Written by another ForgeLens; still shown only as plain digits and a timestamp.
    const QList<QByteArray> fields = text.trimmed().split(' ');
    bool ok = false;
    const qint64 pid = fields.value(0).toLongLong(&ok);
    return ok ? QStringLiteral("process %1").arg(pid) : QStringLiteral("another process");
}

} // namespace

Result<std::shared_ptr<ReportLock>> ReportLock::acquire(const QString &reportPath)
{
    const QString path = lockPath(reportPath);
    const QByteArray native = QFile::encodeName(path);
    // The file may be removed by the holder as it finishes, between our open and our flock:
    // the lock then sits on a name that no longer exists, so check that the locked file is
    // still the one at the path, and try again if it is not.
    for (int attempt = 0; attempt < 16; ++attempt) {
        const int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
            return Error{ ErrorCode::OutputWriteFailed,
                QStringLiteral("cannot create the lock file %1: %2")
                    .arg(path, QString::fromLocal8Bit(std::strerror(errno))) };
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            const QString holder = holderOf(fd);
            ::close(fd);
            if (error == EWOULDBLOCK)
                return Error{ ErrorCode::ReportLocked,
                    QStringLiteral("%1 is writing %2 (lock %3); wait for it, or stop it, "
                                   "then --resume")
                        .arg(holder, reportPath, path) };
            return Error{ ErrorCode::OutputWriteFailed,
                QStringLiteral("cannot lock %1: %2")
                    .arg(path, QString::fromLocal8Bit(std::strerror(error))) };
        }
        struct stat locked { };
        struct stat named { };
        if (::fstat(fd, &locked) == 0 && ::stat(native.constData(), &named) == 0
            && locked.st_dev == named.st_dev && locked.st_ino == named.st_ino) {
            const QByteArray holder = QByteArray::number(qint64(::getpid())) + ' '
                + QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toLatin1() + '\n';
            if (::ftruncate(fd, 0) == 0)
                (void)!::pwrite(fd, holder.constData(), size_t(holder.size()), 0);
            return std::shared_ptr<ReportLock>(new ReportLock(path, fd));
        }
        ::close(fd);
    }
    return Error{ ErrorCode::ReportLocked,
        QStringLiteral("the lock file %1 keeps changing; another scan is starting on the same "
                       "report")
            .arg(path) };
}

ReportLock::~ReportLock()
{
    ::unlink(QFile::encodeName(m_path).constData());
    ::close(m_fd);
}

} // namespace forgelens
