#include "forgelens/scan/scan_report.h"

#include "forgelens/error_code.h"
#include "forgelens/scan/csv_record.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace forgelens {
namespace {

constexpr qint64 kMaxReportBytes = qint64(1) << 30;
constexpr qint64 kMaxSidecarBytes = qint64(16) << 20;

const QStringList kLeading{ QStringLiteral("path"), QStringLiteral("size"),
    QStringLiteral("sha256"), QStringLiteral("width"), QStringLiteral("height"),
    QStringLiteral("format") };
const QStringList kTrailing{ QStringLiteral("metadata_findings"), QStringLiteral("status"),
    QStringLiteral("error") };
const QString kP = QStringLiteral(".p_synthetic");
const QString kLabel = QStringLiteral(".label");
const QString kThreshold = QStringLiteral(".threshold");

Error badCsv(const QString &message)
{
    return Error{ ErrorCode::BadCsv, message };
}

// An empty cell, or a count of at most `maximum`.
bool readCount(const QString &cell, qint64 maximum, qint64 &value)
{
    if (cell.isEmpty())
        return true;
    for (const QChar c : cell) {
        if (c < u'0' || c > u'9')
            return false;
    }
    bool ok = false;
    value = cell.toLongLong(&ok);
    return ok && value <= maximum;
}

bool readNumber(const QString &cell, double low, double high, double &value)
{
    if (cell.isEmpty())
        return true;
    bool ok = false;
    value = cell.toDouble(&ok);
    return ok && std::isfinite(value) && value >= low && value <= high;
}

bool plainCode(const QString &cell)
{
    if (cell.size() > 64)
        return false;
    for (const QChar c : cell) {
        if (!(c.isLower() && c.unicode() < 128) && !c.isDigit() && c != u'-' && c != u'_')
            return false;
    }
    return true;
}

} // namespace

Result<ScanReportColumns> ScanReportColumns::fromHeader(const QStringList &header)
{
    const qsizetype fixed = kLeading.size() + kTrailing.size();
    if (header.size() < fixed || (header.size() - fixed) % 3 != 0
        || header.mid(0, kLeading.size()) != kLeading
        || header.mid(header.size() - kTrailing.size()) != kTrailing)
        return badCsv(QStringLiteral("this is not a ForgeLens scan report (its columns are not "
                                     "path, size, sha256, …, status, error)"));
    ScanReportColumns columns;
    columns.header = header;
    for (qsizetype c = kLeading.size(); c < header.size() - kTrailing.size(); c += 3) {
        const QString &p = header[c];
        const QString id = p.chopped(kP.size());
        if (!p.endsWith(kP) || id.isEmpty() || header[c + 1] != id + kLabel
            || header[c + 2] != id + kThreshold || columns.detectorIds.contains(id))
            return badCsv(QStringLiteral("the report's detector columns are not <id>.p_synthetic, "
                                         "<id>.label, <id>.threshold (column %1)")
                              .arg(c + 1));
        columns.detectorIds << id;
    }
    return columns;
}

Result<ScanResultRow> ScanReportColumns::row(const QStringList &fields) const
{
    if (fields.size() != header.size())
        return badCsv(QStringLiteral("a row has %1 cells where the header has %2")
                          .arg(fields.size())
                          .arg(header.size()));
    ScanResultRow row;
    row.path = fields[0];
    if (row.path.isEmpty())
        return badCsv(QStringLiteral("a row has no path"));
    qint64 width = 0, height = 0;
    if (!readCount(fields[1], std::numeric_limits<qint64>::max(), row.size)
        || !readCount(fields[3], std::numeric_limits<int>::max(), width)
        || !readCount(fields[4], std::numeric_limits<int>::max(), height))
        return badCsv(QStringLiteral("the row of %1 has a size or dimension that is not a count")
                          .arg(row.path.left(200)));
    row.width = int(width);
    row.height = int(height);
    row.sha256 = fields[2];
    if (!row.sha256.isEmpty()
        && (row.sha256.size() != 64
            || std::any_of(row.sha256.begin(), row.sha256.end(),
                [](QChar c) { return !((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')); })))
        return badCsv(
            QStringLiteral("the row of %1 has a sha256 that is not one").arg(row.path.left(200)));
    row.format = fields[5];
    if (!plainCode(row.format))
        return badCsv(
            QStringLiteral("the row of %1 has an unknown format").arg(row.path.left(200)));
    qsizetype c = kLeading.size();
    row.scores.resize(size_t(detectorIds.size()));
    for (ScanRowScore &score : row.scores) {
        if (!readNumber(fields[c], 0.0, 1.0, score.pSynthetic)
            || !readNumber(fields[c + 2], -1e9, 1e9, score.threshold) || !plainCode(fields[c + 1]))
            return badCsv(QStringLiteral("the row of %1 has a score, label or threshold that a "
                                         "scan cannot write (column %2)")
                              .arg(row.path.left(200))
                              .arg(c + 1));
        score.label = fields[c + 1];
        c += 3;
    }
    if (!fields[c].isEmpty())
        row.findings = fields[c].split(u';');
    for (const QString &finding : std::as_const(row.findings)) {
        if (!plainCode(finding) || finding.isEmpty())
            return badCsv(QStringLiteral("the row of %1 has a finding code that is not one")
                              .arg(row.path.left(200)));
    }
    row.status = fields[c + 1];
    if (row.status != QLatin1String("ok") && !errorCodeFromName(row.status))
        return badCsv(QStringLiteral("the row of %1 has a status a scan does not write")
                          .arg(row.path.left(200)));
    row.error = fields[c + 2];
    return row;
}

Result<ScanReport> readScanReport(const QString &csvPath)
{
    QFile file(csvPath);
    const QFileInfo info(csvPath);
    if (!info.exists())
        return Error{ ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(csvPath) };
    if (!info.isFile() || !file.open(QIODevice::ReadOnly))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("%1 cannot be read: %2").arg(csvPath, file.errorString()) };
    if (file.size() > kMaxReportBytes)
        return Error{ ErrorCode::TooLarge,
            QStringLiteral("%1 is larger than a report ForgeLens opens (1 GiB)").arg(csvPath) };
    const QByteArray text = file.readAll();

    ScanReport report;
    report.csvPath = csvPath;
    bool headerRead = false;
    Result<qint64> parsed = parseCsv(text, [&](QStringList &&record) -> std::optional<Error> {
        if (!headerRead) {
            headerRead = true;
            Result<ScanReportColumns> columns = ScanReportColumns::fromHeader(record);
            if (!columns)
                return columns.error();
            report.columns = std::move(columns).value();
            return std::nullopt;
        }
        Result<ScanResultRow> row = report.columns.row(record);
        if (!row)
            return Error{ row.error().code,
                QStringLiteral("row %1: %2").arg(report.rows.size() + 1).arg(row.error().message) };
        report.rows.push_back(std::move(row).value());
        return std::nullopt;
    });
    if (!parsed)
        return Error{ parsed.error().code,
            QStringLiteral("%1: %2").arg(csvPath, parsed.error().message) };
    if (!headerRead)
        return badCsv(QStringLiteral("%1 is empty").arg(csvPath));

    // The sidecar is optional (a report copied alone); when it is there it must be JSON.
    // (REPORT.json, or REPORT.partial.json for an interrupted run's REPORT.partial.)
    QFile sidecar(csvPath + QStringLiteral(".json"));
    if (sidecar.open(QIODevice::ReadOnly) && sidecar.size() <= kMaxSidecarBytes) {
        const QJsonDocument document = QJsonDocument::fromJson(sidecar.readAll());
        if (document.isObject()) {
            report.sidecar = document.object();
            report.root = report.sidecar.value(QStringLiteral("root")).toString();
            if (report.root.isEmpty()) // a merge's sidecar keeps it in the shards' settings
                report.root = report.sidecar.value(QStringLiteral("settings"))
                                  .toObject()
                                  .value(QStringLiteral("root"))
                                  .toString();
            report.complete = report.sidecar.value(QStringLiteral("complete")).toBool(true);
        }
    }
    report.resumable = csvPath.endsWith(QLatin1String(".partial"))
        || QFileInfo::exists(csvPath + QStringLiteral(".partial"));
    if (csvPath.endsWith(QLatin1String(".partial")))
        report.complete = false;
    return report;
}

} // namespace forgelens
