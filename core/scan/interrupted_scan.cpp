#include "forgelens/scan/interrupted_scan.h"

#include "forgelens/scan/csv_record.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>

namespace forgelens {
namespace {

Error mismatch(const QString &message)
{
    return Error{ ErrorCode::ResumeMismatch, message };
}

} // namespace

Result<InterruptedScan> readInterruptedScan(
    const QString &csvPath, const QString &sidecarPath, const InterruptedRowCheck &checkRow)
{
    InterruptedScan scan;
    QFile sidecarFile(sidecarPath);
    if (!sidecarFile.open(QIODevice::ReadOnly))
        return mismatch(QStringLiteral("cannot read %1 (%2): without it the interrupted run's "
                                       "settings are unknown")
                            .arg(sidecarPath, sidecarFile.errorString()));
    QJsonParseError parseError;
    const QJsonDocument sidecar = QJsonDocument::fromJson(sidecarFile.readAll(), &parseError);
    if (!sidecar.isObject())
        return mismatch(
            QStringLiteral("%1 is not valid JSON: %2").arg(sidecarPath, parseError.errorString()));
    scan.sidecar = sidecar.object();

    QFile csv(csvPath);
    if (!csv.open(QIODevice::ReadOnly))
        return mismatch(QStringLiteral("cannot read %1: %2").arg(csvPath, csv.errorString()));
    const QJsonObject flushed = scan.sidecar.value(QStringLiteral("flushed")).toObject();
    const qint64 vouched = qint64(flushed.value(QStringLiteral("bytes")).toDouble(-1));
    const QString vouchedSha256 = flushed.value(QStringLiteral("sha256")).toString();
    if (vouched < 0 || vouchedSha256.size() != 64) {
        // Killed before the header's flush was vouched for: at most the header, nothing to take
        // back, and the scan starts afresh.
        const QByteArray head = csv.read(1 << 20);
        if (head.count('\n') <= 1 && csv.atEnd())
            return scan;
        return mismatch(QStringLiteral("%1 records no hash of the rows written so far (an older "
                                       "ForgeLens, or an edited file): the report cannot be "
                                       "verified; delete %2 and its sidecar to start again")
                            .arg(sidecarPath, csvPath));
    }
    const qint64 size = csv.size();
    if (size < vouched)
        return mismatch(QStringLiteral("%1 is shorter (%2 bytes) than the %3 bytes its sidecar "
                                       "says were written: it was cut or edited")
                            .arg(csvPath)
                            .arg(size)
                            .arg(vouched));
    // Mapped, not read: the parse streams through it and the page cache holds the bytes.
    const uchar *mapped = vouched > 0 ? csv.map(0, vouched) : nullptr;
    if (vouched > 0 && !mapped)
        return mismatch(QStringLiteral("cannot map %1: %2").arg(csvPath, csv.errorString()));
    const QByteArrayView text(reinterpret_cast<const char *>(mapped), vouched);
    if (QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex())
        != vouchedSha256)
        return mismatch(QStringLiteral("%1 was changed after the scan wrote it (its first %2 bytes "
                                       "no longer have the SHA-256 its sidecar recorded); it is "
                                       "not resumed")
                            .arg(csvPath)
                            .arg(vouched));

    qsizetype statusColumn = -1;
    Result<qint64> parsed = parseCsv(text, [&](QStringList &&record) -> std::optional<Error> {
        if (scan.header.isEmpty()) {
            scan.header = std::move(record);
            statusColumn = scan.header.indexOf(QStringLiteral("status"));
            if (scan.header.value(0) != QLatin1String("path") || statusColumn < 0)
                return mismatch(QStringLiteral("%1 is not a ForgeLens scan report").arg(csvPath));
            return std::nullopt;
        }
        if (record.size() != scan.header.size())
            return mismatch(QStringLiteral("%1: a row has %2 fields where the header has %3")
                                .arg(csvPath)
                                .arg(record.size())
                                .arg(scan.header.size()));
        if (scan.donePaths.contains(record.at(0)))
            return mismatch(QStringLiteral("%1: %2 has two rows").arg(csvPath, record.at(0)));
        if (checkRow) {
            if (const std::optional<QString> problem = checkRow(scan.header, record))
                return mismatch(
                    QStringLiteral("%1: the row of %2: %3").arg(csvPath, record.at(0), *problem));
        }
        scan.donePaths.insert(record.at(0));
        ++scan.statusCounts[record.at(statusColumn)];
        return std::nullopt;
    });
    if (!parsed)
        return parsed.error().code == ErrorCode::BadCsv
            ? mismatch(QStringLiteral("%1: %2").arg(csvPath, parsed.error().message))
            : parsed.error();
    if (*parsed != vouched)
        return mismatch(
            QStringLiteral("%1: the hashed rows do not end with a complete record").arg(csvPath));
    scan.completeBytes = *parsed;
    return scan;
}

} // namespace forgelens
