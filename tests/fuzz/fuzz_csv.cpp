// libFuzzer harness: the CSV reader behind --resume and merge (a report may have been edited by
// anyone), and the cell restoring it does.
#include "forgelens/scan/csv_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    using namespace forgelens;
    QStringList first;
    const Result<qint64> parsed
        = parseCsv(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)),
            [&first](QStringList &&record) -> std::optional<Error> {
                if (first.isEmpty())
                    first = std::move(record);
                return std::nullopt;
            });
    // What was read must write back to a record that reads the same.
    if (parsed && !first.isEmpty()) {
        QStringList again;
        parseCsv(csvRecord(first), [&again](QStringList &&record) -> std::optional<Error> {
            again = std::move(record);
            return std::nullopt;
        });
        if (again != first)
            __builtin_trap();
    }
    return 0;
}
