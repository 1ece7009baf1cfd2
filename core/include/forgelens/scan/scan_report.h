#pragma once

#include "forgelens/result.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <vector>

namespace forgelens {

// One detector's cells of a scan row.
struct ScanRowScore {
    double pSynthetic = std::numeric_limits<double>::quiet_NaN(); // NaN: not scored
    QString label; // the report's label code (`stand_in_synthetic`, …); empty when not scored
    double threshold = std::numeric_limits<double>::quiet_NaN();
};

// One row of a scan report as the results table holds it: the cells that scanCsvFields() writes
// (README, "The CSV"), parsed. A live scan and a report read back from disk give equal rows.
struct ScanResultRow {
    QString path; // relative to the scanned folder, exactly as in the CSV
    qint64 size = -1; // bytes; -1 when the file could not be read
    QString sha256;
    int width = 0; // 0 when not decoded
    int height = 0;
    QString format;
    std::vector<ScanRowScore> scores; // one per detector of the report, in column order
    QStringList findings; // metadata finding codes
    QString status; // "ok" or an error code's name
    QString error; // the error's message
};

// The columns of a scan report: path, size, sha256, width, height, format, then for each
// detector `<id>.p_synthetic`, `<id>.label`, `<id>.threshold`, then metadata_findings, status,
// error (scanCsvHeader()).
struct ScanReportColumns {
    QStringList header;
    QStringList detectorIds; // in column order

    // Error bad-csv when `header` is not a scan report's.
    static Result<ScanReportColumns> fromHeader(const QStringList &header);
    // Error bad-csv when the fields do not fit the columns (a count, probability or status that
    // a scan cannot write).
    Result<ScanResultRow> row(const QStringList &fields) const;
};

// A report CSV read back, for the results table: what `forgelens-cli scan`, the window or
// `forgelens-cli merge` wrote. The sidecar (REPORT.json, or a merge's, whose settings name the
// folder) gives the scanned folder, so rows can be opened; a report without one still opens,
// without the folder.
struct ScanReport {
    QString csvPath;
    QString root; // the scanned folder from the sidecar; empty when unknown
    bool complete = true; // false: the sidecar says incomplete (an interrupted run, or a merge
                          // that left shards out)
    bool resumable = false; // an interrupted run's REPORT.partial is there to continue
    QJsonObject sidecar; // empty when there is none
    ScanReportColumns columns;
    std::vector<ScanResultRow> rows;
};

// Reports are files from elsewhere too, read as hostile input: at most 1 GiB, every row checked.
// Error codes: not-found, unreadable, too-large, bad-csv.
Result<ScanReport> readScanReport(const QString &csvPath);

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::ScanResultRow)
