#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>

#include <functional>
#include <optional>

namespace forgelens {

// A cell that a spreadsheet would evaluate (first character =, +, -, @, TAB or CR: a file named
// "=HYPERLINK(...)" becomes a live formula) is neutralised as OWASP recommends, by a leading
// apostrophe, which spreadsheets show as text. So that this is reversible and a report still
// carries the exact path, a cell that already starts with an apostrophe gets one more:
//   neutralise(s) = "'" + s   when s starts with = + - @ TAB CR or '
//                 = s         otherwise
// and restoreCsvCell() strips exactly one apostrophe where neutralise added it.
QString neutraliseCsvCell(const QString &cell);
QString restoreCsvCell(const QString &cell);

// RFC 4180 records, UTF-8: each field neutralised (above), then quoted when it holds a comma, a
// double quote, CR or LF (quotes doubled inside); every record ends with CRLF.
QByteArray csvRecord(const QStringList &fields);

// Receives each complete record; an Error stops the parse and is returned.
using CsvRecordSink = std::function<std::optional<Error>(QStringList &&record)>;

// Parses RFC 4180 text (CRLF or LF line ends; quoted fields may span lines), record by record,
// restoring each neutralised cell (restoreCsvCell) so fields read back as they were written,
// so a report of millions of rows is never held as fields all at once. A record is complete
// once its line break is read; a final record without one (cut short, e.g. by a killed writer)
// is not passed on. Returns the bytes taken by the complete records: resuming truncates the
// file there. Error code: bad-csv (a quote inside an unquoted field, text after a closing
// quote, invalid UTF-8), with the line number; or the sink's error.
Result<qint64> parseCsv(QByteArrayView text, const CsvRecordSink &sink);

} // namespace forgelens
