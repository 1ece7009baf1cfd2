#include "forgelens/scan/csv_record.h"

#include <QStringDecoder>

namespace forgelens {
namespace {

bool needsQuotes(const QString &field)
{
    for (const QChar c : field) {
        if (c == u',' || c == u'"' || c == u'\r' || c == u'\n')
            return true;
    }
    return false;
}

bool startsFormula(QChar c)
{
    return c == u'=' || c == u'+' || c == u'-' || c == u'@' || c == u'\t' || c == u'\r'
        || c == u'\'';
}

Error badCsv(qint64 line, const QString &what)
{
    return Error{ ErrorCode::BadCsv, QStringLiteral("line %1: %2").arg(line).arg(what) };
}

} // namespace

QString neutraliseCsvCell(const QString &cell)
{
    if (!cell.isEmpty() && startsFormula(cell.front()))
        return QLatin1Char('\'') + cell;
    return cell;
}

QString restoreCsvCell(const QString &cell)
{
    if (cell.size() >= 2 && cell.front() == u'\'' && startsFormula(cell.at(1)))
        return cell.mid(1);
    return cell;
}

QByteArray csvRecord(const QStringList &fields)
{
    QByteArray record;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            record += ',';
        const QString field = neutraliseCsvCell(fields.at(i));
        if (needsQuotes(field)) {
            QString quoted = field;
            quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
            record += '"';
            record += quoted.toUtf8();
            record += '"';
        } else {
            record += field.toUtf8();
        }
    }
    record += "\r\n";
    return record;
}

Result<qint64> parseCsv(QByteArrayView text, const CsvRecordSink &sink)
{
    qint64 completeBytes = 0;
    QStringList record;
    QByteArray field;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    qint64 line = 1;

    const auto endField = [&]() -> std::optional<Error> {
        QStringDecoder decoder(QStringDecoder::Utf8);
        QString value = decoder.decode(field);
        if (decoder.hasError())
            return badCsv(line, QStringLiteral("a field is not valid UTF-8"));
        record.append(restoreCsvCell(value));
        field.clear();
        fieldWasQuoted = false;
        return std::nullopt;
    };

    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char c = text[i];
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < size && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == '\n')
                    ++line;
                field += c;
            }
            continue;
        }
        switch (c) {
        case '"':
            if (!field.isEmpty() || fieldWasQuoted)
                return badCsv(line, QStringLiteral("a quote inside an unquoted field"));
            inQuotes = true;
            fieldWasQuoted = true;
            break;
        case ',':
            if (auto error = endField())
                return *error;
            break;
        case '\r':
            if (i + 1 < size && text[i + 1] == '\n')
                break; // the CRLF's LF ends the record
            if (i + 1 == size)
                return completeBytes; // a CR whose LF was not written yet: the record is not
                                      // complete
            return badCsv(line, QStringLiteral("a carriage return outside quotes"));
        case '\n':
            if (auto error = endField())
                return *error;
            if (auto error = sink(std::move(record)))
                return *error;
            record.clear();
            completeBytes = i + 1;
            ++line;
            break;
        default:
            if (fieldWasQuoted)
                return badCsv(line, QStringLiteral("text after a closing quote"));
            field += c;
        }
    }
    return completeBytes;
}

} // namespace forgelens
