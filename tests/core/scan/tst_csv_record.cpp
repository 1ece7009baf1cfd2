#include "forgelens/scan/csv_record.h"

#include <QTest>

using namespace forgelens;

namespace {

struct Parsed {
    std::vector<QStringList> records;
    qint64 completeBytes = -1;
    QString error;
};

Parsed parseAll(const QByteArray &text)
{
    Parsed parsed;
    Result<qint64> result = parseCsv(text, [&](QStringList &&record) -> std::optional<Error> {
        parsed.records.push_back(std::move(record));
        return std::nullopt;
    });
    if (result)
        parsed.completeBytes = *result;
    else
        parsed.error = result.error().codeName() + QStringLiteral(": ") + result.error().message;
    return parsed;
}

} // namespace

class TestCsvRecord : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void quotesOnlyWhatNeedsIt()
    {
        QCOMPARE(csvRecord({ QStringLiteral("a"), QStringLiteral("b c"), QString() }),
            QByteArray("a,b c,\r\n"));
        QCOMPARE(csvRecord({ QStringLiteral("x,y"), QStringLiteral("say \"hi\""),
                     QStringLiteral("two\nlines"), QStringLiteral("cr\r") }),
            QByteArray("\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n"));
    }

    void roundTripsHostileFileNames()
    {
        // File names may hold anything but '/' and NUL: the CSV must give them back exactly.
        const QStringList fields{ QStringLiteral("dir/\"quoted\", name\r\n.jpg"),
            QStringLiteral("=HYPERLINK(\"x\")"), QStringLiteral("Ünïcødé 写真 📷.png"),
            QStringLiteral(" leading and trailing "), QStringLiteral("\"") };
        const QByteArray text = csvRecord(fields) + csvRecord({ QStringLiteral("second") });
        const Parsed parsed = parseAll(text);
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.records.size(), size_t(2));
        QCOMPARE(parsed.records[0], fields);
        QCOMPARE(parsed.records[1], QStringList{ QStringLiteral("second") });
        QCOMPARE(parsed.completeBytes, qint64(text.size()));
    }

    // A spreadsheet runs a cell starting with = + - @ TAB or CR as a formula: such cells are
    // written behind an apostrophe (OWASP), and read back exactly, apostrophes of their own
    // included.
    void neutralisesFormulaCellsAndReadsThemBack()
    {
        QCOMPARE(csvRecord({ QStringLiteral("=cmd|' /C calc'!A0"), QStringLiteral("+1"),
                     QStringLiteral("-2"), QStringLiteral("@SUM(A1)"), QStringLiteral("\tx"),
                     QStringLiteral("\rx"), QStringLiteral("'quoted"), QStringLiteral("a=b") }),
            QByteArray("'=cmd|' /C calc'!A0,'+1,'-2,'@SUM(A1),'\tx,\"'\rx\",''quoted,a=b\r\n"));
        const QStringList tricky{ QStringLiteral("=1+1"), QStringLiteral("'=1+1"),
            QStringLiteral("''"), QStringLiteral("'"), QStringLiteral("'a"), QStringLiteral("-"),
            QStringLiteral("\t"), QStringLiteral("0.5"), QString() };
        for (const QString &cell : tricky) {
            QCOMPARE(restoreCsvCell(neutraliseCsvCell(cell)), cell);
            const QString written = neutraliseCsvCell(cell);
            QVERIFY2(written.isEmpty() || written.front() == u'\''
                    || !QStringLiteral("=+-@\t\r").contains(written.front()),
                qPrintable(written));
        }
        const Parsed parsed = parseAll(csvRecord(tricky));
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.records.size(), size_t(1));
        QCOMPARE(parsed.records[0], tricky);
    }

    void emptyFieldsAndEmptyQuotedFields()
    {
        const Parsed parsed = parseAll("a,,\"\",b\r\n,\r\n");
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.records.size(), size_t(2));
        QCOMPARE(parsed.records[0],
            (QStringList{ QStringLiteral("a"), QString(), QString(), QStringLiteral("b") }));
        QCOMPARE(parsed.records[1], (QStringList{ QString(), QString() }));
    }

    void acceptsBareLineFeeds()
    {
        const Parsed parsed = parseAll("a,b\nc,d\n");
        QCOMPARE(parsed.records.size(), size_t(2));
        QCOMPARE(parsed.completeBytes, qint64(8));
    }

    void stopsBeforeARecordCutShort_data()
    {
        QTest::addColumn<QByteArray>("tail");
        QTest::newRow("mid-field") << QByteArray("c,d");
        QTest::newRow("before LF") << QByteArray("c,d\r");
        QTest::newRow("inside quotes") << QByteArray("\"c,\r\nd");
        QTest::newRow("after closing quote") << QByteArray("\"c\"");
    }

    void stopsBeforeARecordCutShort()
    {
        // What a killed writer leaves: the complete records count, the torn one does not.
        QFETCH(QByteArray, tail);
        const QByteArray complete = "a,b\r\n";
        const Parsed parsed = parseAll(complete + tail);
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        QCOMPARE(parsed.records.size(), size_t(1));
        QCOMPARE(parsed.completeBytes, qint64(complete.size()));
    }

    void refusesMalformedText_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("quote in unquoted field") << QByteArray("a\"b,c\r\n");
        QTest::newRow("text after closing quote") << QByteArray("\"a\"b,c\r\n");
        QTest::newRow("bare CR") << QByteArray("a\rb\r\n");
        QTest::newRow("invalid UTF-8") << QByteArray("a,\xff\xfe\r\n");
    }

    void refusesMalformedText()
    {
        QFETCH(QByteArray, text);
        const Parsed parsed = parseAll(text);
        QVERIFY(parsed.error.startsWith(QStringLiteral("bad-csv: line 1")));
    }

    void sinkErrorStopsTheParse()
    {
        int seen = 0;
        Result<qint64> result
            = parseCsv("a\r\nb\r\nc\r\n", [&](QStringList &&) -> std::optional<Error> {
                  if (++seen == 2)
                      return Error{ ErrorCode::Stopped, QStringLiteral("enough") };
                  return std::nullopt;
              });
        QVERIFY(!result);
        QVERIFY(result.error().code == ErrorCode::Stopped);
        QCOMPARE(seen, 2);
    }
};

QTEST_GUILESS_MAIN(TestCsvRecord)
#include "tst_csv_record.moc"
