#include "forgelens/case/scan_summary.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <map>

namespace forgelens {

QJsonObject scanSummaryJson(const ScanReport &report, const QString &csvSha256, int maxFlagged)
{
    std::map<QString, qint64> statuses;
    for (const ScanResultRow &row : report.rows)
        ++statuses[row.status];
    QJsonObject statusCounts;
    for (const auto &[status, count] : statuses)
        statusCounts.insert(status, count);
    QJsonArray detectors;
    for (qsizetype d = 0; d < report.columns.detectorIds.size(); ++d) {
        std::map<QString, qint64> labels;
        std::vector<qint64> histogram(20, 0);
        std::vector<const ScanResultRow *> flagged;
        double threshold = std::nan("");
        for (const ScanResultRow &row : report.rows) {
            if (size_t(d) >= row.scores.size())
                continue;
            const ScanRowScore &score = row.scores[size_t(d)];
            if (std::isnan(score.pSynthetic))
                continue;
            if (!std::isnan(score.threshold))
                threshold = score.threshold;
            ++labels[score.label];
            histogram[size_t(std::clamp(int(score.pSynthetic * 20.0), 0, 19))] += 1;
            if (score.label.endsWith(QLatin1String("synthetic")))
                flagged.push_back(&row);
        }
        std::stable_sort(flagged.begin(), flagged.end(), [d](const auto *a, const auto *b) {
            return a->scores[size_t(d)].pSynthetic > b->scores[size_t(d)].pSynthetic;
        });
        QJsonObject labelCounts;
        for (const auto &[label, count] : labels)
            labelCounts.insert(label, count);
        QJsonArray bins;
        for (const qint64 count : histogram)
            bins.append(count);
        QJsonArray listed;
        for (size_t i = 0; i < flagged.size() && i < size_t(std::max(0, maxFlagged)); ++i) {
            const ScanResultRow &row = *flagged[i];
            listed.append(QJsonObject{ { QStringLiteral("path"), row.path },
                { QStringLiteral("sha256"), row.sha256 },
                { QStringLiteral("p_synthetic"), row.scores[size_t(d)].pSynthetic },
                { QStringLiteral("label"), row.scores[size_t(d)].label } });
        }
        QJsonObject detector{ { QStringLiteral("id"), report.columns.detectorIds.at(d) },
            { QStringLiteral("labels"), labelCounts }, { QStringLiteral("histogram"), bins },
            { QStringLiteral("flagged_count"), qint64(flagged.size()) },
            { QStringLiteral("flagged"), listed } };
        if (!std::isnan(threshold))
            detector.insert(QStringLiteral("threshold"), threshold);
        detectors.append(detector);
    }
    const QFileInfo csv(report.csvPath);
    return QJsonObject{ { QStringLiteral("csv"),
                            QJsonObject{ { QStringLiteral("path"), csv.absoluteFilePath() },
                                { QStringLiteral("size"), csv.size() },
                                { QStringLiteral("sha256"), csvSha256 } } },
        { QStringLiteral("root"), report.root }, { QStringLiteral("complete"), report.complete },
        { QStringLiteral("rows"), qint64(report.rows.size()) },
        { QStringLiteral("status"), statusCounts }, { QStringLiteral("detectors"), detectors } };
}

namespace {

Result<QString> csvSha256(const QString &csvPath)
{
    QFile file(csvPath);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("%1 cannot be read: %2").arg(csvPath, file.errorString()) };
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return Error{ ErrorCode::Unreadable, QStringLiteral("%1 cannot be read").arg(csvPath) };
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace

Result<CaseRun> scanCaseRun(const QString &csvPath, int maxFlagged)
{
    Result<ScanReport> report = readScanReport(csvPath);
    if (!report)
        return report.error();
    Result<QString> sha256 = csvSha256(csvPath);
    if (!sha256)
        return sha256.error();
    const QJsonObject &sidecar = report->sidecar;
    CaseRun run;
    run.kind = QStringLiteral("scan");
    run.results = scanSummaryJson(*report, *sha256, maxFlagged);
    run.startedUtc = QDateTime::fromString(
        sidecar.value(QStringLiteral("started_utc")).toString(), Qt::ISODateWithMs);
    run.finishedUtc = QDateTime::fromString(
        sidecar.value(QStringLiteral("finished_utc")).toString(), Qt::ISODateWithMs);
    if (!run.startedUtc.isValid())
        run.startedUtc = QDateTime::currentDateTimeUtc();
    if (!run.finishedUtc.isValid())
        run.finishedUtc = run.startedUtc;
    run.environment
        = QJsonObject{ { QStringLiteral("tool"), sidecar.value(QStringLiteral("tool")) },
              { QStringLiteral("tool_version"), sidecar.value(QStringLiteral("tool_version")) },
              { QStringLiteral("detectors"), sidecar.value(QStringLiteral("models")) },
              { QStringLiteral("settings"), sidecar.value(QStringLiteral("settings")) },
              { QStringLiteral("summarised_from"), QFileInfo(csvPath).absoluteFilePath() } };
    return run;
}

} // namespace forgelens
