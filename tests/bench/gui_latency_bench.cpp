// `make bench`, the window's part: how long the UI thread stalls while the window analyses a
// 50-megapixel photograph with two detectors, and how long it takes from open to verdict with
// and without the sandbox. A 2 ms timer on the UI thread records the gap between its ticks; a
// stall is a gap's excess over the interval. From the moment the image is opened until its
// verdicts and pixels are on screen, the 99th percentile and the largest stall are printed.
//
// One warm-up round (not counted), then five rounds. Each round sets the window to read in this
// process, and to read through the sandbox's worker processes (as `forgelens` reads), in
// alternating order, and in each mode opens the photograph twice: the first open after the
// setting (the sandbox's worker has just started, as after the window starts) and the next one
// (as for every later image). Every open is of a fresh copy of the file, so each is read and
// decoded afresh. For both opens the medians of each mode and their ratio, sandboxed /
// in-process, are printed with the range of the per-round ratios: measured in one run on one
// machine. Before the first open the worker has had a second to start, as it has in the window
// while the detectors load.
// The process starts as `forgelens` does (passive OpenMP waits, the inference allocator
// setting): a 50-megapixel image's buffers are reused from the heap in the window too.
//
// usage: forgelens-gui-latency-bench REFERENCE_BUNDLE [WORK_DIR]
#include "test_model_factory.h"
#include "ui/main_window.h"

#include "forgelens/inference/allocator_tuning.h"
#include "forgelens/inference/openmp_wait_policy.h"
#include "forgelens/session/workbench.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QPainter>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

using namespace forgelens;

namespace {

constexpr int kWidth = 8660; // 8660 x 5774 = 50.0 megapixels
constexpr int kHeight = 5774;
constexpr int kTickMs = 2;

QString makePhotograph(const QString &folder)
{
    const QString path = folder + QStringLiteral("/photo-50mp-0.jpg");
    if (QFile::exists(path))
        return path;
    QImage image(kWidth, kHeight, QImage::Format_RGB888);
    QPainter painter(&image);
    QLinearGradient sky(0, 0, kWidth, kHeight);
    sky.setColorAt(0, QColor(0x40, 0x70, 0xb0));
    sky.setColorAt(1, QColor(0xe0, 0xb0, 0x70));
    painter.fillRect(image.rect(), sky);
    QRandomGenerator random(2026);
    for (int i = 0; i < 400; ++i) {
        painter.setBrush(QColor::fromRgb(random.generate()));
        painter.drawEllipse(QPoint(random.bounded(kWidth), random.bounded(kHeight)),
            random.bounded(40, 600), random.bounded(40, 600));
    }
    painter.end();
    image.save(path, "JPEG", 90);
    return path;
}

double percentile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    return values[size_t(q * double(values.size() - 1) + 0.5)];
}

} // namespace

int main(int argc, char **argv)
{
    // As `forgelens` starts.
    reexecWithPassiveOpenMpWaits(argv);
    tuneAllocatorForInference();
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s REFERENCE_BUNDLE [WORK_DIR]\n", argv[0]);
        return 2;
    }
    const QString reference = QString::fromLocal8Bit(argv[1]);
    QTemporaryDir temporary;
    const QString work = argc > 2 ? QString::fromLocal8Bit(argv[2]) : temporary.path();
    QTextStream out(stdout);

    // The second detector: CoDE-like input (shorter side 256, centre crop 224) on a test
    // network, so the two detectors need two preprocessings of the whole photograph.
    const QString second = work + QStringLiteral("/latency-second.pt");
    QJsonObject input = testing::testManifest().value(QStringLiteral("input")).toObject();
    input.insert(QStringLiteral("resize"),
        QJsonObject{ { QStringLiteral("policy"), QStringLiteral("shorter_side") },
            { QStringLiteral("size"), 256 },
            { QStringLiteral("interpolation"), QStringLiteral("bilinear") },
            { QStringLiteral("antialias"), true } });
    input.insert(QStringLiteral("crop"),
        QJsonObject{ { QStringLiteral("policy"), QStringLiteral("center") },
            { QStringLiteral("size"), QJsonArray{ 224, 224 } } });
    if (!testing::saveTestBundle(second, testing::makeTestModule(1),
            testing::testManifest({ { QStringLiteral("id"), QStringLiteral("latency-second") },
                { QStringLiteral("input"), input } }))) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(second));
        return 1;
    }
    const QString photo = makePhotograph(work);
    constexpr int kWarmUpRounds = 1;
    constexpr int kRounds = 5;
    constexpr int kOpensPerTurn = 2; // the first open after the mode is set, then the next one
    QStringList copies{ photo };
    for (int i = 1; i < 2 * kOpensPerTurn * (kWarmUpRounds + kRounds); ++i) {
        const QString copy = work + QStringLiteral("/photo-50mp-%1.jpg").arg(i);
        if (!QFile::exists(copy))
            QFile::copy(photo, copy);
        copies << copy;
    }
    out << "machine: " << QThread::idealThreadCount() << " cores; image " << kWidth << " x "
        << kHeight << " JPEG q90; detectors: " << reference << " and a centre-crop test network\n";
    out.flush();

    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadStartupDetectors({ reference, second });
    while (ready.size() < 2)
        ready.wait(60000);

    SandboxConfig sandbox;
    sandbox.workerExecutable = QStringLiteral(FORGELENS_CLI);
    sandbox.keptPixelBytes = SandboxConfig::kWindowKeptPixelBytes; // as `forgelens` sets it
    SandboxConfig inProcess;
    inProcess.enabled = false;

    struct Open {
        double seconds = 0;
        double p99 = 0;
        double worst = 0;
    };
    // Opens one copy and waits until its verdicts and pixels are shown.
    int next = 0;
    const auto measureOpen = [&](const char *label) -> std::optional<Open> {
        QSignalSpy shown(&window, &MainWindow::analysisShown);
        QSignalSpy painted(&window, &MainWindow::imageShown);
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
        QElapsedTimer total;
        total.start();
        clock.start();
        ticker.start();
        window.openImage(copies[next++]);
        // Sleeps until an event comes (the 2 ms ticker at least): processEvents(flags, ms)
        // returns at once when none is pending, and a loop of it would take a core from the
        // work measured.
        while (shown.isEmpty() || painted.isEmpty() || window.isBusy())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        ticker.stop();
        Open open;
        open.seconds = total.elapsed() / 1000.0;
        open.p99 = percentile(stalls, 0.99);
        open.worst = stalls.empty() ? 0.0 : *std::max_element(stalls.begin(), stalls.end());
        const auto record = shown.last().first().value<AnalysisRecord>();
        if (!record.ok() || record.width * record.height < 50'000'000
            || record.detectors.size() != 2)
            return std::nullopt;
        out << label << record.width << " x " << record.height << ", "
            << record.detectors[0].prediction->tiles << " + "
            << record.detectors[1].prediction->tiles << " inputs scored; " << stalls.size()
            << " ticks; open to verdict " << QString::number(open.seconds, 'f', 3)
            << " s; UI-thread stall p99 " << QString::number(open.p99, 'f', 1) << " ms, max "
            << QString::number(open.worst, 'f', 1) << " ms\n";
        out.flush();
        return open;
    };

    // [mode: 0 in-process, 1 sandboxed][open: 0 first, 1 next], over the counted rounds.
    std::vector<Open> opens[2][kOpensPerTurn];
    std::vector<double> ratios[kOpensPerTurn]; // per counted round, sandboxed / in-process
    for (int round = 0; round < kWarmUpRounds + kRounds; ++round) {
        const bool counted = round >= kWarmUpRounds;
        double roundSeconds[2][kOpensPerTurn] = {};
        for (int turn = 0; turn < 2; ++turn) {
            const int mode = (round + turn) % 2;
            window.workbench().setSandboxConfig(mode == 1 ? sandbox : inProcess);
            QTest::qWait(1000);
            for (int o = 0; o < kOpensPerTurn; ++o) {
                const QString label
                    = QStringLiteral("%1 %2 %3 open: ")
                          .arg(counted ? QStringLiteral("run") : QStringLiteral("warm-up"),
                              mode == 1 ? QStringLiteral("sandboxed")
                                        : QStringLiteral("in-process"),
                              o == 0 ? QStringLiteral("first") : QStringLiteral("next"));
                const std::optional<Open> open = measureOpen(qPrintable(label));
                if (!open) {
                    std::fprintf(
                        stderr, "the analysis did not score the whole 50-megapixel image\n");
                    return 1;
                }
                roundSeconds[mode][o] = open->seconds;
                if (counted)
                    opens[mode][o].push_back(*open);
            }
        }
        for (int o = 0; counted && o < kOpensPerTurn; ++o)
            ratios[o].push_back(roundSeconds[1][o] / roundSeconds[0][o]);
    }
    const auto median = [](const std::vector<Open> &list, double Open::*field) {
        std::vector<double> values;
        for (const Open &open : list)
            values.push_back(open.*field);
        return percentile(values, 0.5);
    };
    for (int o = 0; o < kOpensPerTurn; ++o) {
        const char *which = o == 0 ? "first open after the worker starts" : "next open";
        for (int mode = 0; mode < 2; ++mode)
            out << "median of " << kRounds << ", " << which << ", "
                << (mode == 1 ? "sandboxed" : "in-process") << ": open to verdict "
                << QString::number(median(opens[mode][o], &Open::seconds), 'f', 3)
                << " s; stall p99 " << QString::number(median(opens[mode][o], &Open::p99), 'f', 1)
                << " ms (target <= 50 ms), max "
                << QString::number(median(opens[mode][o], &Open::worst), 'f', 1) << " ms\n";
        out << "open to verdict, sandboxed / in-process, " << which << ": "
            << QString::number(
                   median(opens[1][o], &Open::seconds) / median(opens[0][o], &Open::seconds), 'f',
                   3)
            << " (target <= 1.10); per round "
            << QString::number(percentile(ratios[o], 0.0), 'f', 3) << " to "
            << QString::number(percentile(ratios[o], 1.0), 'f', 3) << "\n";
    }
    return 0;
}
