#pragma once

#include "forgelens/result.h"

#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <optional>

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

// Says what is wrong with one data row (given the header), or nothing.
using InterruptedRowCheck
    = std::function<std::optional<QString>(const QStringList &header, const QStringList &row)>;

// Reads both files, streaming the CSV (it may hold millions of rows). Only the prefix that the
// sidecar's "flushed" record vouches for is taken: its SHA-256 must match (an edited report is
// refused), and rows written after it (a kill between the CSV's sync and the sidecar's) are cut
// away with any record cut short, their files scanned again. Each kept row must pass
// `checkRow`. Error code: resume-mismatch (missing or unreadable files, no or a failed hash
// record, a malformed CSV, a row with the wrong number of fields or a value checkRow refuses, a
// path written twice).
Result<InterruptedScan> readInterruptedScan(
    const QString &csvPath, const QString &sidecarPath, const InterruptedRowCheck &checkRow = {});

} // namespace forgelens
