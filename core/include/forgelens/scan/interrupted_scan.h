#pragma once

#include "forgelens/result.h"

#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <map>

namespace forgelens {

// What an interrupted scan left behind: its temporary CSV (rows flushed before it stopped) and
// its temporary sidecar (settings, models, earlier runs).
struct InterruptedScan {
    QStringList header; // empty when the run was killed before its header reached the disk
    qint64 completeBytes = 0; // the CSV up to the end of its last complete record
    QSet<QString> donePaths; // relative paths that have a row
    std::map<QString, qint64> statusCounts;
    QJsonObject sidecar;
};

// Reads both files, streaming the CSV (it may hold millions of rows). A record cut short by a
// kill is not counted: the writer truncates it away and its file is scanned again.
// Error code: resume-mismatch (missing or unreadable files, a malformed CSV, a row with the
// wrong number of fields, a path written twice).
Result<InterruptedScan> readInterruptedScan(const QString &csvPath, const QString &sidecarPath);

} // namespace forgelens
