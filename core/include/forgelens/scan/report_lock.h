#pragma once

#include "forgelens/result.h"

#include <QString>

#include <memory>

namespace forgelens {

// Keeps two scans off one report: an exclusive flock(2) on `REPORT.lock`, held for the whole
// run. The kernel drops the lock when its holder dies, however it dies, so a lock file left by a
// killed scan never blocks the next one (--resume included). The file holds the holder's pid
// and start time, for the message the second scan prints.
class ReportLock {
public:
    // Error code report-locked when another process holds it; output-write-failed when the
    // lock file cannot be created.
    static Result<std::shared_ptr<ReportLock>> acquire(const QString &reportPath);
    ~ReportLock(); // removes the file, then releases the lock
    ReportLock(const ReportLock &) = delete;
    ReportLock &operator=(const ReportLock &) = delete;

    static QString lockPath(const QString &reportPath)
    {
        return reportPath + QStringLiteral(".lock");
    }

private:
    ReportLock(QString path, int fd) : m_path(std::move(path)), m_fd(fd) { }
    QString m_path;
    int m_fd = -1;
};

} // namespace forgelens
