// `make bench`, the window's folder workflow (issue 14), on one machine in one run:
//  1. A folder scan in the window against `forgelens-cli scan` on the same folder: three scans
//     each, alternating, one detector, the sandbox on both sides; files/s is the
//     scan's own figure (rows over the time from the first file to the last, as the CLI prints
//     it); the ratio window / CLI of the medians is printed (target >= 0.90).
//  2. While the window scans, a 2 ms timer on the UI thread measures its stalls (the lateness of
//     each tick): 99th percentile and largest, per scan (target p99 <= 50 ms).
//  3. The results table with 100,000 rows (two detectors) on screen: sorting by P, by path and
//     by status, and filtering by text, by verdict and by status, each timed 3 times, medians
//     printed (target <= 200 ms each).
//
// usage: forgelens-gui-scan-bench BUNDLE FOLDER WORK_DIR [SCANS]
//   make bench passes scan_bench.py's ResNet-18 bundle and its 2,000 JPEGs of 512 x 512.
#include "scan_panel.h"
#include "ui/main_window.h"

#include "forgelens/inference/allocator_tuning.h"
#include "forgelens/inference/openmp_wait_policy.h"
#include "forgelens/session/scan_results_model.h"
#include "forgelens/session/workbench.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace forgelens;

namespace {

constexpr int kTickMs = 2;

// What an earlier (perhaps killed) run of the bench left.
void removeReport(const QString &report)
{
    for (const QString &suffix : { QString(), QStringLiteral(".json"), QStringLiteral(".partial"),
             QStringLiteral(".partial.json") })
        QFile::remove(report + suffix);
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

double percentile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    return values[size_t(q * double(values.size() - 1) + 0.5)];
}

// The CLI's own rate, from its summary line "N rows in … (X files/s)".
double cliScan(const QString &bundle, const QString &folder, const QString &report)
{
    removeReport(report);
    QProcess process;
    process.start(QStringLiteral(FORGELENS_CLI),
        { QStringLiteral("scan"), folder, QStringLiteral("--model"), bundle, QStringLiteral("-o"),
            report, QStringLiteral("--progress"), QStringLiteral("none") });
    process.waitForFinished(-1);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    const QRegularExpressionMatch match
        = QRegularExpression(QStringLiteral("\\(([0-9.]+) files/s\\)")).match(err);
    if (!match.hasMatch()) {
        std::fprintf(stderr, "the CLI scan failed:\n%s\n", qPrintable(err));
        return -1.0;
    }
    return match.captured(1).toDouble();
}

struct WindowScan {
    double filesPerSecond = -1.0;
    double stallP99 = 0.0;
    double stallMax = 0.0;
};

WindowScan windowScan(MainWindow &window, const QString &folder, const QString &report)
{
    removeReport(report);
    QSignalSpy finished(&window.workbench(), &Workbench::scanFinished);
    std::vector<double> stalls;
    QElapsedTimer clock;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(kTickMs);
    qint64 last = 0;
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        stalls.push_back(std::max(0.0, double(now - last) / 1e6 - kTickMs));
        last = now;
    });
    clock.start();
    ticker.start();
    window.scanFolder(folder, report);
    // Sleeps until an event comes (the 2 ms ticker at least): processEvents(flags, ms) returns
    // at once when none is pending, and a loop of it would take a core from the work measured.
    while (finished.isEmpty())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    ticker.stop();
    WindowScan result;
    const auto outcome = finished.first().first().value<ScanFolderOutcome>();
    if (!outcome.summary || outcome.summary->interrupted) {
        std::fprintf(stderr, "the window's scan failed: %s\n",
            outcome.error ? qPrintable(outcome.error->message) : "interrupted");
        return result;
    }
    const double seconds
        = double(outcome.summary->startedUtc.msecsTo(outcome.summary->finishedUtc)) / 1000.0;
    result.filesPerSecond = double(outcome.summary->rowsWritten) / seconds;
    result.stallP99 = percentile(stalls, 0.99);
    result.stallMax = stalls.empty() ? 0.0 : *std::max_element(stalls.begin(), stalls.end());
    return result;
}

std::vector<ScanResultRow> syntheticRows(int count)
{
    const QString labels[] = { QStringLiteral("synthetic"), QStringLiteral("inconclusive"),
        QStringLiteral("not_flagged") };
    const QString statuses[] = { QStringLiteral("ok"), QStringLiteral("ok"), QStringLiteral("ok"),
        QStringLiteral("truncated") };
    std::vector<ScanResultRow> rows(static_cast<size_t>(count));
    quint32 state = 2026;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state;
    };
    for (int i = 0; i < count; ++i) {
        ScanResultRow &row = rows[size_t(i)];
        row.path = QStringLiteral("DCIM/%1/IMG_%2.jpg").arg(next() % 500).arg(next() % 100000);
        row.size = next() % 10'000'000;
        row.sha256 = QString::number(next(), 16).repeated(8).left(64);
        row.width = 4000;
        row.height = 3000;
        row.format = QStringLiteral("jpeg");
        row.status = statuses[next() % 4];
        for (int d = 0; d < 2; ++d)
            row.scores.push_back(
                ScanRowScore{ double(next() % 1000000) / 1e6, labels[next() % 3], 0.5 });
        if (next() % 3 == 0)
            row.findings << QStringLiteral("no-camera-metadata");
    }
    return rows;
}

} // namespace

int main(int argc, char **argv)
{
    // As `forgelens` and `forgelens-cli` start.
    reexecWithPassiveOpenMpWaits(argv);
    tuneAllocatorForInference();
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s BUNDLE FOLDER WORK_DIR [SCANS]\n", argv[0]);
        return 2;
    }
    const QString bundle = QString::fromLocal8Bit(argv[1]);
    const QString folder = QString::fromLocal8Bit(argv[2]);
    const QString work = QString::fromLocal8Bit(argv[3]);
    const int scans = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
    QDir().mkpath(work);
    QTextStream out(stdout);
    const qsizetype files = QDir(folder).entryList(QDir::Files).size();
    out << "machine: " << QThread::idealThreadCount() << " cores; folder " << folder << " ("
        << files << " files); detector " << bundle << "\n";
    out.flush();

    MainWindow window;
    SandboxConfig sandbox;
    sandbox.workerExecutable = QStringLiteral(FORGELENS_CLI);
    sandbox.keptPixelBytes = SandboxConfig::kWindowKeptPixelBytes; // as `forgelens` sets it
    window.workbench().setSandboxConfig(sandbox);
    EngineConfig engine = window.workbench().engineConfig();
    engine.maxBatch = 16; // the CLI's default
    window.workbench().setEngineConfig(engine);
    window.resize(1500, 900);
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadStartupDetectors({ bundle });
    if (!ready.wait(60000))
        return 1;

    std::vector<double> cli;
    std::vector<double> gui;
    std::vector<double> p99s;
    std::vector<double> maxima;
    for (int i = 0; i < scans; ++i) {
        cli.push_back(cliScan(bundle, folder, work + QStringLiteral("/cli.csv")));
        const WindowScan scan = windowScan(window, folder, work + QStringLiteral("/window.csv"));
        if (cli.back() <= 0 || scan.filesPerSecond <= 0)
            return 1;
        gui.push_back(scan.filesPerSecond);
        p99s.push_back(scan.stallP99);
        maxima.push_back(scan.stallMax);
        out << "scan " << i + 1 << ": CLI " << QString::number(cli.back(), 'f', 1)
            << " files/s, window " << QString::number(scan.filesPerSecond, 'f', 1)
            << " files/s; UI-thread stall p99 " << QString::number(scan.stallP99, 'f', 1)
            << " ms, max " << QString::number(scan.stallMax, 'f', 1) << " ms\n";
        out.flush();
    }
    out << "median of " << scans << ": CLI " << QString::number(median(cli), 'f', 1)
        << " files/s, window " << QString::number(median(gui), 'f', 1) << " files/s, window / CLI "
        << QString::number(median(gui) / median(cli), 'f', 3) << " (target >= 0.90); stall p99 "
        << QString::number(median(p99s), 'f', 1) << " ms (target <= 50 ms), max "
        << QString::number(median(maxima), 'f', 1) << " ms\n";

    // The table with 100,000 rows on screen.
    ScanResultsModel &model = window.scanPanel()->model();
    model.reset(ScanReportColumns::fromHeader(
                    { QStringLiteral("path"), QStringLiteral("size"), QStringLiteral("sha256"),
                        QStringLiteral("width"), QStringLiteral("height"), QStringLiteral("format"),
                        QStringLiteral("a.p_synthetic"), QStringLiteral("a.label"),
                        QStringLiteral("a.threshold"), QStringLiteral("b.p_synthetic"),
                        QStringLiteral("b.label"), QStringLiteral("b.threshold"),
                        QStringLiteral("metadata_findings"), QStringLiteral("status"),
                        QStringLiteral("error") })
                    .value(),
        QString(), QString());
    QElapsedTimer loading;
    loading.start();
    model.appendRows(syntheticRows(100'000));
    QCoreApplication::processEvents();
    out << "100,000 rows appended and shown in " << loading.elapsed() << " ms\n";
    QTableView *table = window.scanPanel()->table();
    table->scrollToBottom();
    const auto timed = [&](const QString &what, const std::function<void()> &action) {
        std::vector<double> ms;
        for (int i = 0; i < 3; ++i) {
            QElapsedTimer clock;
            clock.start();
            action();
            // Until the view has laid out and painted what the change shows.
            table->viewport()->repaint();
            QCoreApplication::processEvents();
            ms.push_back(double(clock.nsecsElapsed()) / 1e6);
        }
        out << what << ": " << QString::number(median(ms), 'f', 1) << " ms (median of 3)\n";
        out.flush();
        return median(ms);
    };
    double worst = 0.0;
    worst = std::max(worst, timed(QStringLiteral("sort by P, descending"), [&] {
        table->sortByColumn(model.pColumn(0), Qt::DescendingOrder);
    }));
    worst = std::max(worst, timed(QStringLiteral("sort by path"), [&] {
        table->sortByColumn(model.pathColumn(), Qt::AscendingOrder);
    }));
    worst = std::max(worst, timed(QStringLiteral("sort by status"), [&] {
        table->sortByColumn(model.statusColumn(), Qt::AscendingOrder);
    }));
    ScanResultsFilter filter;
    filter.text = QStringLiteral("IMG_12");
    worst = std::max(worst, timed(QStringLiteral("filter by text in the path (sorted)"), [&] {
        model.setFilter(filter);
    }));
    filter = {};
    filter.verdict = QStringLiteral("synthetic");
    filter.detector = 1;
    worst = std::max(worst,
        timed(QStringLiteral("filter by verdict (sorted)"), [&] { model.setFilter(filter); }));
    filter = {};
    filter.status = QStringLiteral("failed");
    worst = std::max(worst,
        timed(QStringLiteral("filter by status (sorted)"), [&] { model.setFilter(filter); }));
    worst = std::max(worst, timed(QStringLiteral("clear the filter (sorted)"), [&] {
        model.setFilter(ScanResultsFilter{});
    }));
    out << "slowest sort or filter on 100,000 rows: " << QString::number(worst, 'f', 1)
        << " ms (target <= 200 ms)\n";
    return 0;
}
