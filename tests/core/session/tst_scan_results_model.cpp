// The results table's model: sorting, filtering, rows arriving while sorted, the analyst's marks
// and notes surviving a restart, reports read back from disk (and refused when hostile), and
// the summary's counts.
#include "forgelens/scan/csv_record.h"
#include "forgelens/scan/scan_report.h"
#include "forgelens/scan/triage_marks.h"
#include "forgelens/session/scan_results_model.h"

#include <QFile>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace forgelens;

namespace {

ScanReportColumns twoDetectors()
{
    return ScanReportColumns::fromHeader(
        { QStringLiteral("path"), QStringLiteral("size"), QStringLiteral("sha256"),
            QStringLiteral("width"), QStringLiteral("height"), QStringLiteral("format"),
            QStringLiteral("a.p_synthetic"), QStringLiteral("a.label"),
            QStringLiteral("a.threshold"), QStringLiteral("b.p_synthetic"),
            QStringLiteral("b.label"), QStringLiteral("b.threshold"),
            QStringLiteral("metadata_findings"), QStringLiteral("status"),
            QStringLiteral("error") })
        .value();
}

ScanResultRow makeRow(const QString &path, double pA, const QString &labelA, double pB,
    const QString &labelB, const QString &status = QStringLiteral("ok"),
    const QStringList &findings = {})
{
    ScanResultRow row;
    row.path = path;
    row.size = qint64(path.size()) * 100;
    row.status = status;
    row.findings = findings;
    row.scores = { ScanRowScore{ pA, labelA, 0.5 }, ScanRowScore{ pB, labelB, 0.5 } };
    return row;
}

QStringList names(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out << QString::fromUtf8(item);
    return out;
}

QStringList visiblePaths(const ScanResultsModel &model)
{
    QStringList paths;
    for (int r = 0; r < model.rowCount(); ++r)
        paths << model.rowAt(r)->path;
    return paths;
}

std::vector<ScanResultRow> sampleRows()
{
    const double none = std::nan("");
    return { makeRow(QStringLiteral("c.jpg"), 0.9, QStringLiteral("synthetic"), 0.2,
                 QStringLiteral("stand_in_not_flagged"), QStringLiteral("ok"),
                 { QStringLiteral("generator-software") }),
        makeRow(QStringLiteral("a.jpg"), 0.1, QStringLiteral("not_flagged"), 0.8,
            QStringLiteral("stand_in_synthetic")),
        makeRow(QStringLiteral("dir/b.png"), 0.5, QStringLiteral("inconclusive"), 0.5,
            QStringLiteral("stand_in_inconclusive"), QStringLiteral("ok"),
            { QStringLiteral("c2pa-present"), QStringLiteral("generator-software") }),
        makeRow(QStringLiteral("broken.jpg"), none, QString(), none, QString(),
            QStringLiteral("truncated")) };
}

} // namespace

class TestScanResultsModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sortsByAnyColumn();
    void filtersByVerdictFindingStatusTextAndMark();
    void rowsArrivingWhileSortedKeepTheOrder();
    void marksAndNotesSurviveARestart();
    void reportsReadBackAsWritten();
    void hostileReportsAreRefused_data();
    void hostileReportsAreRefused();
    void summaryCountsEveryRow();
    void decorationIsAskedByPathAndRefreshedByRow();
    void sortsAHundredThousandRows();

private:
    QTemporaryDir m_dir;
};

void TestScanResultsModel::sortsByAnyColumn()
{
    ScanResultsModel model;
    model.reset(twoDetectors(), QString(), QString());
    model.appendRows(sampleRows());
    QCOMPARE(model.columnCount(), 12);
    QCOMPARE(visiblePaths(model), names({ "c.jpg", "a.jpg", "dir/b.png", "broken.jpg" }));
    model.sort(model.pColumn(0), Qt::DescendingOrder);
    QCOMPARE(visiblePaths(model), names({ "c.jpg", "dir/b.png", "a.jpg", "broken.jpg" }));
    model.sort(model.pColumn(1), Qt::AscendingOrder); // unscored first
    QCOMPARE(visiblePaths(model), names({ "broken.jpg", "c.jpg", "dir/b.png", "a.jpg" }));
    model.sort(model.pathColumn(), Qt::AscendingOrder);
    QCOMPARE(visiblePaths(model), names({ "a.jpg", "broken.jpg", "c.jpg", "dir/b.png" }));
    model.sort(model.statusColumn(), Qt::DescendingOrder); // ties keep the report's order
    QCOMPARE(visiblePaths(model), names({ "broken.jpg", "c.jpg", "a.jpg", "dir/b.png" }));
    model.sort(-1);
    QCOMPARE(visiblePaths(model), names({ "c.jpg", "a.jpg", "dir/b.png", "broken.jpg" }));
    QCOMPARE(model.data(model.index(0, model.pColumn(0))).toString(), QStringLiteral("0.900"));
    QCOMPARE(model.data(model.index(0, model.verdictColumn(1))).toString(),
        QStringLiteral("stand_in_not_flagged"));
}

void TestScanResultsModel::filtersByVerdictFindingStatusTextAndMark()
{
    ScanResultsModel model;
    model.reset(twoDetectors(), QString(), QString());
    model.appendRows(sampleRows());
    ScanResultsFilter filter;
    filter.verdict = QStringLiteral("synthetic"); // any detector, whatever the caveat
    model.setFilter(filter);
    QCOMPARE(visiblePaths(model), names({ "c.jpg", "a.jpg" }));
    filter.detector = 1;
    model.setFilter(filter);
    QCOMPARE(visiblePaths(model), names({ "a.jpg" }));

    filter = {};
    filter.finding = QStringLiteral("generator-software");
    model.setFilter(filter);
    QCOMPARE(visiblePaths(model), names({ "c.jpg", "dir/b.png" }));
    filter.text = QStringLiteral("DIR/");
    model.setFilter(filter);
    QCOMPARE(visiblePaths(model), names({ "dir/b.png" }));

    filter = {};
    filter.status = QStringLiteral("failed");
    model.setFilter(filter);
    QCOMPARE(visiblePaths(model), names({ "broken.jpg" }));
    filter.status = QStringLiteral("ok");
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 3);

    filter = {};
    model.setFilter(filter);
    QVERIFY(!model.setMark(1, TriageMark::Suspicious));
    filter.mark = TriageMark::Suspicious;
    model.setFilter(filter);
    QCOMPARE(visiblePaths(model), names({ "a.jpg" }));
    filter.mark = TriageMark::None;
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 3);

    // A filter and a sort together, and the order survives a new filter.
    filter = {};
    filter.status = QStringLiteral("ok");
    model.setFilter(filter);
    model.sort(model.pColumn(1), Qt::DescendingOrder);
    QCOMPARE(visiblePaths(model), names({ "a.jpg", "dir/b.png", "c.jpg" }));
}

void TestScanResultsModel::rowsArrivingWhileSortedKeepTheOrder()
{
    ScanResultsModel model;
    model.reset(twoDetectors(), QString(), QString());
    model.sort(model.pColumn(0), Qt::DescendingOrder);
    ScanResultsFilter filter;
    filter.status = QStringLiteral("ok");
    model.setFilter(filter);
    std::vector<ScanResultRow> all = sampleRows();
    model.appendRows(std::vector<ScanResultRow>{ all[1] }); // a.jpg, 0.1
    const QPersistentModelIndex selected = model.index(0, model.pathColumn());
    model.appendRows(std::vector<ScanResultRow>{ all[0], all[2], all[3] });
    QCOMPARE(visiblePaths(model), names({ "c.jpg", "dir/b.png", "a.jpg" }));
    // The analyst's selection follows its row.
    QVERIFY(selected.isValid());
    QCOMPARE(selected.row(), 2);
    QCOMPARE(model.totalRows(), qint64(4));
}

void TestScanResultsModel::marksAndNotesSurviveARestart()
{
    const QString report = m_dir.filePath(QStringLiteral("marks.csv"));
    {
        ScanResultsModel model;
        model.reset(twoDetectors(), report, QString());
        model.appendRows(sampleRows());
        QVERIFY(!model.setMark(0, TriageMark::Suspicious));
        QVERIFY(!model.setNote(0, QStringLiteral("ask the agency for the original\n=1+1")));
        QVERIFY(!model.setMark(2, TriageMark::Cleared));
        QVERIFY(!model.setMark(3, TriageMark::Reviewed));
        QVERIFY(!model.setMark(3, TriageMark::None)); // unmarked again: removed
        QVERIFY(QFile::exists(TriageMarks::pathFor(report)));
    }
    Result<TriageMarks> marks = TriageMarks::load(report);
    QVERIFY(marks.ok());
    QCOMPARE(marks->entries().size(), size_t(2));
    ScanResultsModel model;
    model.reset(twoDetectors(), report, QString());
    model.appendRows(sampleRows());
    model.setTriage(std::move(marks).value());
    QCOMPARE(model.triage(0)->mark, TriageMark::Suspicious);
    QCOMPARE(model.triage(0)->note, QStringLiteral("ask the agency for the original\n=1+1"));
    QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("suspicious"));
    QCOMPARE(model.triage(2)->mark, TriageMark::Cleared);
    QVERIFY(!model.triage(3));
    QVERIFY(!model.triage(1));

    // A triage file that is not one is refused with a reason, not half-read.
    QFile bad(TriageMarks::pathFor(report));
    QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
    bad.write(
        R"({"format":"forgelens-triage","version":1,"entries":[{"path":"a","mark":"maybe"}]})");
    bad.close();
    QVERIFY(!TriageMarks::load(report).ok());
}

void TestScanResultsModel::reportsReadBackAsWritten()
{
    const QString path = m_dir.filePath(QStringLiteral("report.csv"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(csvRecord(twoDetectors().header));
    file.write(csvRecord({ QStringLiteral("=cmd|' /C calc'!A0.jpg"), QStringLiteral("120"),
        QString(64, u'a'), QStringLiteral("4"), QStringLiteral("3"), QStringLiteral("jpeg"),
        QStringLiteral("0.812345"), QStringLiteral("synthetic"), QStringLiteral("0.5"),
        QStringLiteral("0.100000"), QStringLiteral("stand_in_not_flagged"), QStringLiteral("0.5"),
        QStringLiteral("exif-present;generator-software"), QStringLiteral("ok"), QString() }));
    file.write(csvRecord({ QStringLiteral("dir/cut, short.jpg"), QStringLiteral("12"),
        QString(64, u'b'), QString(), QString(), QStringLiteral("jpeg"), QString(), QString(),
        QString(), QString(), QString(), QString(), QString(), QStringLiteral("truncated"),
        QStringLiteral("the file ends\r\nearly") }));
    file.close();
    const Result<ScanReport> report = readScanReport(path);
    QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
    QCOMPARE(report->rows.size(), size_t(2));
    const ScanResultRow &first = report->rows[0];
    QCOMPARE(first.path, QStringLiteral("=cmd|' /C calc'!A0.jpg"));
    QCOMPARE(first.width, 4);
    QCOMPARE(first.scores[0].pSynthetic, 0.812345);
    QCOMPARE(first.scores[1].label, QStringLiteral("stand_in_not_flagged"));
    QCOMPARE(first.findings,
        (QStringList{ QStringLiteral("exif-present"), QStringLiteral("generator-software") }));
    const ScanResultRow &second = report->rows[1];
    QCOMPARE(second.path, QStringLiteral("dir/cut, short.jpg"));
    QVERIFY(std::isnan(second.scores[0].pSynthetic));
    QCOMPARE(second.status, QStringLiteral("truncated"));
    QCOMPARE(second.error, QStringLiteral("the file ends\r\nearly"));
    QVERIFY(report->root.isEmpty()); // no sidecar
    QVERIFY(report->complete);
    QVERIFY(!report->resumable);

    // A merge's sidecar names the folder in its settings and may say shards are missing.
    QFile sidecar(path + QStringLiteral(".json"));
    QVERIFY(sidecar.open(QIODevice::WriteOnly));
    sidecar.write(
        R"({"tool":"forgelens-cli merge","complete":false,"settings":{"root":"/cases/phone"}})");
    sidecar.close();
    const Result<ScanReport> merged = readScanReport(path);
    QVERIFY(merged.ok());
    QCOMPARE(merged->root, QStringLiteral("/cases/phone"));
    QVERIFY(!merged->complete);
    QVERIFY(!merged->resumable);
}

void TestScanResultsModel::hostileReportsAreRefused_data()
{
    QTest::addColumn<QByteArray>("text");
    const QByteArray header = csvRecord(twoDetectors().header);
    const auto row = [](const char *p, const char *label, const char *status) {
        return csvRecord(
            { QStringLiteral("x.jpg"), QStringLiteral("1"), QString(), QString(), QString(),
                QString(), QString::fromUtf8(p), QString::fromUtf8(label), QStringLiteral("0.5"),
                QString(), QString(), QString(), QString(), QString::fromUtf8(status), QString() });
    };
    QTest::newRow("not a report") << QByteArray("name,value\r\na,1\r\n");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("probability over 1") << header + row("1.5", "synthetic", "ok");
    QTest::newRow("probability not a number") << header + row("nan", "synthetic", "ok");
    QTest::newRow("label with markup") << header + row("0.5", "<b>synthetic</b>", "ok");
    QTest::newRow("unknown status") << header + row("0.5", "synthetic", "pwned");
    QTest::newRow("short row") << header + QByteArray("x.jpg,1\r\n");
    QTest::newRow("bad quoting") << header + QByteArray("\"x.jpg\"z,1\r\n");
    QTest::newRow("repeated detector") << csvRecord(names({ "path", "size", "sha256", "width",
        "height", "format", "a.p_synthetic", "a.label", "a.threshold", "a.p_synthetic", "a.label",
        "a.threshold", "metadata_findings", "status", "error" }));
}

void TestScanResultsModel::hostileReportsAreRefused()
{
    QFETCH(QByteArray, text);
    const QString path = m_dir.filePath(QStringLiteral("hostile.csv"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();
    const Result<ScanReport> report = readScanReport(path);
    QVERIFY(!report.ok());
    QCOMPARE(report.error().code, ErrorCode::BadCsv);
    QVERIFY(!report.error().message.isEmpty());
}

void TestScanResultsModel::summaryCountsEveryRow()
{
    ScanResultsModel model;
    model.reset(twoDetectors(), QString(), QString());
    model.appendRows(sampleRows());
    ScanResultsFilter filter;
    filter.status = QStringLiteral("ok");
    model.setFilter(filter); // the summary is over every row, not the filtered ones
    QVERIFY(!model.setMark(0, TriageMark::Reviewed));
    const ScanResultsSummary summary = model.summary();
    QCOMPARE(summary.rows, qint64(4));
    QCOMPARE(summary.verdicts[0].at(QStringLiteral("synthetic")), qint64(1));
    QCOMPARE(summary.verdicts[1].at(QStringLiteral("synthetic")), qint64(1));
    QCOMPARE(summary.verdicts[1].at(QStringLiteral("not_flagged")), qint64(1));
    QCOMPARE(summary.findings.at(QStringLiteral("generator-software")), qint64(2));
    QCOMPARE(summary.statuses.at(QStringLiteral("ok")), qint64(3));
    QCOMPARE(summary.statuses.at(QStringLiteral("truncated")), qint64(1));
    QCOMPARE(summary.marks.at(QStringLiteral("reviewed")), qint64(1));
    QCOMPARE(summary.marks.at(QString()), qint64(3));
    // P = 0.9 in bin 18, 0.5 in bin 10, 0.1 in bin 2; unscored rows in none.
    QCOMPARE(summary.histograms[0][18], qint64(1));
    QCOMPARE(summary.histograms[0][10], qint64(1));
    QCOMPARE(summary.histograms[0][2], qint64(1));
    qint64 total = 0;
    for (const qint64 count : summary.histograms[0])
        total += count;
    QCOMPARE(total, qint64(3));
}

// The window's thumbnails: asked for by the file's path, and a thumbnail that arrives repaints
// the row that shows that file, wherever sorting has put it.
void TestScanResultsModel::decorationIsAskedByPathAndRefreshedByRow()
{
    ScanResultsModel model;
    model.reset(twoDetectors(), QString(), QStringLiteral("/evidence"));
    model.appendRows(sampleRows());
    QVERIFY(!model.data(model.index(0, model.pathColumn()), Qt::DecorationRole).isValid());
    QStringList asked;
    model.setPathDecoration([&asked](const QString &path) -> QVariant {
        asked << path;
        return path;
    });
    model.sort(model.pathColumn(), Qt::AscendingOrder);
    QCOMPARE(model.data(model.index(0, model.pathColumn()), Qt::DecorationRole).toString(),
        QStringLiteral("/evidence/a.jpg"));
    QCOMPARE(asked.last(), QStringLiteral("/evidence/a.jpg"));
    QCOMPARE(model.absolutePath(3), QStringLiteral("/evidence/dir/b.png"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.pathDecorationChanged(QStringLiteral("/evidence/dir/b.png"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().first().toModelIndex().row(), 3);
    model.pathDecorationChanged(QStringLiteral("/elsewhere/dir/b.png"));
    QCOMPARE(changed.size(), 1);
}

// 100,000 rows sorted by P and filtered by text: the order is right, and QBENCHMARK reports the
// sort's time (make bench holds the target, with the view on screen, for sorts and filters:
// tests/bench/gui_scan_bench.cpp).
void TestScanResultsModel::sortsAHundredThousandRows()
{
    ScanResultsModel model;
    model.reset(twoDetectors(), QString(), QString());
    std::vector<ScanResultRow> rows;
    rows.reserve(100'000);
    quint32 state = 7;
    for (int i = 0; i < 100'000; ++i) {
        state = state * 1664525u + 1013904223u;
        rows.push_back(makeRow(QStringLiteral("d%1/f%2.jpg").arg(state % 97).arg(i),
            double(state % 1000) / 1000.0, QStringLiteral("synthetic"), 0.5,
            QStringLiteral("not_flagged")));
    }
    model.appendRows(std::move(rows));
    // Each round from the report's order (an integer sort), so no round sorts sorted rows.
    QBENCHMARK
    {
        model.sort(-1);
        model.sort(model.pColumn(0), Qt::DescendingOrder);
    }
    QCOMPARE(model.rowCount(), 100'000);
    for (int r = 1; r < model.rowCount(); ++r)
        QVERIFY(model.rowAt(r - 1)->scores[0].pSynthetic >= model.rowAt(r)->scores[0].pSynthetic);
    ScanResultsFilter filter;
    filter.text = QStringLiteral("D13/");
    model.setFilter(filter);
    QVERIFY(model.rowCount() > 0);
    for (int r = 0; r < model.rowCount(); ++r)
        QVERIFY(model.rowAt(r)->path.startsWith(QStringLiteral("d13/")));
    for (int r = 1; r < model.rowCount(); ++r) // the sort holds under the filter
        QVERIFY(model.rowAt(r - 1)->scores[0].pSynthetic >= model.rowAt(r)->scores[0].pSynthetic);
}

QTEST_GUILESS_MAIN(TestScanResultsModel)
#include "tst_scan_results_model.moc"
