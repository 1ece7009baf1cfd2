#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>

#include <functional>
#include <optional>

namespace forgelens {

// RFC 4180 records, UTF-8: a field is quoted when it holds a comma, a double quote, CR or LF
// (quotes doubled inside), and every record ends with CRLF. Fields that a spreadsheet would run
// as a formula (=, +, -, @ first) are written as they are: the CSV is evidence and must carry
// the exact path; whoever imports it into a spreadsheet decides how.
QByteArray csvRecord(const QStringList &fields);

// Receives each complete record; an Error stops the parse and is returned.
using CsvRecordSink = std::function<std::optional<Error>(QStringList &&record)>;

// Parses RFC 4180 text (CRLF or LF line ends; quoted fields may span lines), record by record,
// so a report of millions of rows is never held as fields all at once. A record is complete
// once its line break is read; a final record without one (cut short, e.g. by a killed writer)
// is not passed on. Returns the bytes taken by the complete records: resuming truncates the
// file there. Error code: bad-csv (a quote inside an unquoted field, text after a closing
// quote, invalid UTF-8), with the line number; or the sink's error.
Result<qint64> parseCsv(QByteArrayView text, const CsvRecordSink &sink);

} // namespace forgelens
