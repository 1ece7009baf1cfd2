#include "forgelens/scan/interrupted_scan.h"

#include "forgelens/scan/csv_record.h"

#include <QFile>
#include <QJsonDocument>

namespace forgelens {
namespace {

Error mismatch(const QString &message)
{
    return Error{ ErrorCode::ResumeMismatch, message };
}

} // namespace

Result<InterruptedScan> readInterruptedScan(const QString &csvPath, const QString &sidecarPath)
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
    const qint64 size = csv.size();
    // Mapped, not read: the parse streams through it and the page cache holds the bytes.
    const uchar *mapped = size > 0 ? csv.map(0, size) : nullptr;
    if (size > 0 && !mapped)
        return mismatch(QStringLiteral("cannot map %1: %2").arg(csvPath, csv.errorString()));
    const QByteArrayView text(reinterpret_cast<const char *>(mapped), size);

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
        scan.donePaths.insert(record.at(0));
        ++scan.statusCounts[record.at(statusColumn)];
        return std::nullopt;
    });
    if (!parsed)
        return parsed.error().code == ErrorCode::BadCsv
            ? mismatch(QStringLiteral("%1: %2").arg(csvPath, parsed.error().message))
            : parsed.error();
    scan.completeBytes = *parsed;
    return scan;
}

} // namespace forgelens
