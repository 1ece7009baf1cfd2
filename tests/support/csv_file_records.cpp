#include "csv_file_records.h"

#include "forgelens/scan/csv_record.h"

#include <QFile>

namespace forgelens::testing {

std::vector<QStringList> readCsvRecords(const QString &path)
{
    QFile file(path);
    std::vector<QStringList> records;
    if (!file.open(QIODevice::ReadOnly))
        return records;
    const QByteArray text = file.readAll();
    parseCsv(text, [&](QStringList &&record) -> std::optional<Error> {
        records.push_back(std::move(record));
        return std::nullopt;
    });
    return records;
}

} // namespace forgelens::testing
