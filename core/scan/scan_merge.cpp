#include "forgelens/scan/scan_merge.h"

#include "forgelens/scan/csv_record.h"
#include "forgelens/scan/scan_shard.h"
#include "forgelens/scan/scan_sidecar.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <map>
#include <set>

namespace forgelens {
namespace {

Error refused(const QString &message)
{
    return Error{ ErrorCode::MergeRefused, message };
}

struct MergedRow {
    QString path;
    QByteArray record; // re-encoded, CRLF-terminated
};

// What the inputs' sidecars say, checked for agreement.
class ShardCheck {
public:
    std::optional<Error> add(const QString &csvPath, MergeSummary &summary)
    {
        QFile file(csvPath + QStringLiteral(".json"));
        if (!file.open(QIODevice::ReadOnly)) {
            summary.warnings.append(QStringLiteral("%1 has no sidecar (%1.json): its shard, "
                                                   "models and completeness cannot be checked")
                                        .arg(csvPath));
            return std::nullopt;
        }
        const QJsonObject sidecar = QJsonDocument::fromJson(file.readAll()).object();
        if (!sidecar.value(QStringLiteral("complete")).toBool())
            return refused(QStringLiteral("%1 is from an interrupted scan: finish it with "
                                          "--resume first")
                               .arg(csvPath));
        const QJsonObject settings = sidecar.value(QStringLiteral("settings")).toObject();
        Result<ShardSpec> shard
            = ShardSpec::parse(settings.value(QStringLiteral("shard")).toString());
        if (!shard)
            return refused(QStringLiteral("%1.json: %2").arg(csvPath, shard.error().message));
        QJsonObject run = settings;
        for (const char *key :
            { "shard", "decode_threads", "intra_op_threads", "max_batch", "device" })
            run.remove(QLatin1String(key));
        if (m_inputs.empty()) {
            m_run = run;
            m_count = shard->count;
            m_models = sidecar.value(QStringLiteral("models")).toArray();
        } else if (run != m_run) {
            return refused(QStringLiteral("%1 comes from a different scan (root, models or "
                                          "options differ from %2)")
                               .arg(csvPath, m_inputs.begin()->second));
        } else if (shard->count != m_count) {
            return refused(QStringLiteral("%1 is shard %2 but the others are of %3 shards")
                               .arg(csvPath, shard->toString())
                               .arg(m_count));
        }
        if (const auto it = m_inputs.find(shard->index); it != m_inputs.end())
            return refused(QStringLiteral("%1 and %2 are both shard %3")
                               .arg(it->second, csvPath, shard->toString()));
        m_inputs.emplace(shard->index, csvPath);
        m_shards.append(QJsonObject{ { QStringLiteral("csv"), csvPath },
            { QStringLiteral("shard"), shard->toString() },
            { QStringLiteral("runs"), sidecar.value(QStringLiteral("runs")) },
            { QStringLiteral("status_counts"), sidecar.value(QStringLiteral("status_counts")) } });
        return std::nullopt;
    }

    QList<int> missing() const
    {
        QList<int> absent;
        if (m_inputs.empty())
            return absent;
        for (int k = 0; k < m_count; ++k) {
            if (!m_inputs.count(k))
                absent.append(k);
        }
        return absent;
    }

    const QJsonObject &run() const { return m_run; }
    const QJsonArray &models() const { return m_models; }
    const QJsonArray &shards() const { return m_shards; }
    int count() const { return m_count; }

private:
    std::map<int, QString> m_inputs; // shard index -> csv
    QJsonObject m_run;
    QJsonArray m_models;
    QJsonArray m_shards;
    int m_count = 0;
};

} // namespace

Result<MergeSummary> mergeScanReports(const MergeSettings &settings)
{
    if (settings.inputs.isEmpty() || settings.output.isEmpty())
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("give the shard reports and -o OUTPUT") };
    if (QFileInfo::exists(settings.output) && !settings.overwrite)
        return Error{ ErrorCode::OutputExists,
            QStringLiteral("%1 exists: give --overwrite to replace it").arg(settings.output) };

    MergeSummary summary;
    ShardCheck shards;
    QStringList header;
    std::vector<MergedRow> rows;
    QHash<QString, QString> owner; // path -> input it came from
    std::map<QString, qint64> statusCounts;
    for (const QString &input : settings.inputs) {
        if (input.endsWith(QLatin1String(".partial")))
            return refused(QStringLiteral("%1 is an interrupted scan's temporary file: finish "
                                          "that scan with --resume first")
                               .arg(input));
        if (QFileInfo(input).canonicalFilePath() == QFileInfo(settings.output).canonicalFilePath())
            return Error{ ErrorCode::BadSettings,
                QStringLiteral("%1 is both an input and the output").arg(input) };
        if (auto error = shards.add(input, summary))
            return *error;
        QFile file(input);
        if (!file.open(QIODevice::ReadOnly))
            return refused(QStringLiteral("cannot read %1: %2").arg(input, file.errorString()));
        const qint64 size = file.size();
        const uchar *mapped = size > 0 ? file.map(0, size) : nullptr;
        if (size > 0 && !mapped)
            return refused(QStringLiteral("cannot map %1: %2").arg(input, file.errorString()));
        const QByteArrayView text(reinterpret_cast<const char *>(mapped), size);
        QStringList inputHeader;
        qsizetype statusColumn = -1;
        Result<qint64> parsed = parseCsv(text, [&](QStringList &&record) -> std::optional<Error> {
            if (inputHeader.isEmpty()) {
                inputHeader = std::move(record);
                statusColumn = inputHeader.indexOf(QStringLiteral("status"));
                if (inputHeader.value(0) != QLatin1String("path") || statusColumn < 0)
                    return refused(QStringLiteral("%1 is not a ForgeLens scan report").arg(input));
                if (header.isEmpty())
                    header = inputHeader;
                else if (inputHeader != header)
                    return refused(QStringLiteral("%1 has other columns than %2 (different "
                                                  "models?)")
                                       .arg(input, settings.inputs.first()));
                return std::nullopt;
            }
            if (record.size() != inputHeader.size())
                return refused(QStringLiteral("%1: the row of %2 has %3 fields, the header %4")
                                   .arg(input, record.value(0))
                                   .arg(record.size())
                                   .arg(inputHeader.size()));
            const QString path = record.at(0);
            if (const auto it = owner.constFind(path); it != owner.constEnd())
                return refused(QStringLiteral("%1 has a row in both %2 and %3: were shards "
                                              "given twice or run over overlapping folders?")
                                   .arg(path, it.value(), input));
            owner.insert(path, input);
            ++statusCounts[record.at(statusColumn)];
            rows.push_back(MergedRow{ path, csvRecord(record) });
            return std::nullopt;
        });
        if (!parsed)
            return parsed.error().code == ErrorCode::BadCsv
                ? refused(QStringLiteral("%1: %2").arg(input, parsed.error().message))
                : parsed.error();
        if (*parsed != size)
            return refused(QStringLiteral("%1 ends in the middle of a row").arg(input));
        if (inputHeader.isEmpty())
            return refused(QStringLiteral("%1 is empty").arg(input));
    }
    if (const QList<int> missing = shards.missing(); !missing.isEmpty()) {
        QStringList names;
        for (const int k : missing)
            names.append(QStringLiteral("%1/%2").arg(k).arg(shards.count()));
        const QString message = QStringLiteral("shards %1 are missing").arg(names.join(u", "));
        if (!settings.allowMissingShards)
            return refused(message
                + QStringLiteral(" (give --allow-missing-shards to merge "
                                 "the others)"));
        summary.warnings.append(message);
    }

    std::sort(rows.begin(), rows.end(),
        [](const MergedRow &a, const MergedRow &b) { return a.path < b.path; });
    QSaveFile file(settings.output);
    if (!file.open(QIODevice::WriteOnly))
        return Error{ ErrorCode::OutputWriteFailed,
            QStringLiteral("cannot create %1: %2").arg(settings.output, file.errorString()) };
    file.write(csvRecord(header));
    for (const MergedRow &row : rows)
        file.write(row.record);
    if (!file.commit())
        return Error{ ErrorCode::OutputWriteFailed,
            QStringLiteral("cannot write %1: %2").arg(settings.output, file.errorString()) };
    summary.rows = qint64(rows.size());

    QJsonObject counts;
    for (const auto &[status, count] : statusCounts)
        counts.insert(status, count);
    const QJsonObject sidecar{
        { QStringLiteral("tool"), QStringLiteral("forgelens-cli merge") },
        { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
        { QStringLiteral("merged_utc"),
            QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
        { QStringLiteral("complete"), shards.missing().isEmpty() },
        { QStringLiteral("csv"), QFileInfo(settings.output).fileName() },
        { QStringLiteral("settings"), shards.run() },
        { QStringLiteral("models"), shards.models() },
        { QStringLiteral("shards"), shards.shards() },
        { QStringLiteral("inputs"), QJsonArray::fromStringList(settings.inputs) },
        { QStringLiteral("rows"), summary.rows },
        { QStringLiteral("status_counts"), counts },
        { QStringLiteral("warnings"), QJsonArray::fromStringList(summary.warnings) },
    };
    if (auto error = writeJsonAtomically(settings.output + QStringLiteral(".json"), sidecar))
        return *error;
    return summary;
}

} // namespace forgelens
