// forgelens-cli: the headless front end. Commands: analyze, metadata, scan, merge, bank, explain,
// evaluate, case, report.
#include "analyze_command.h"
#include "bank_command.h"
#include "case_command.h"
#include "evaluate_command.h"
#include "explain_command.h"
#include "merge_command.h"
#include "metadata_command.h"
#include "report_command.h"
#include "scan_command.h"

#include "forgelens/inference/allocator_tuning.h"
#include "forgelens/inference/openmp_wait_policy.h"
#include "forgelens/sandbox/decode_worker.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTextStream>

#include <cstring>
#include <memory>

namespace {

const char *const kUsage = R"(usage: forgelens-cli COMMAND [OPTIONS]

Commands:
  analyze IMAGE… --model BUNDLE [--json]   one verdict per image
  metadata IMAGE… [--json]                  what each file says about its own origin
  scan FOLDER --model BUNDLE… -o REPORT.csv a folder to a CSV report (resumable, shardable)
  merge A.csv B.csv… -o ALL.csv             join the reports of a sharded scan
  bank build|info|query …                   exemplar banks: known images a detector's
                                            embeddings compare an image with
  explain IMAGE… --model BUNDLE -o FOLDER   maps of where each detector's evidence lies
  evaluate FOLDER --model BUNDLE… -o OUT    detectors measured on labelled images: AUC,
                                            accuracy, calibration, plots, comparisons
  case new|info|verify|add|note … CASE      cases: evidence, runs, marks, notes and a
                                            hash-chained log of everything done
  report CASE|IMAGE… -o REPORT.pdf          the forensic report (PDF/A-1b intended, JSON)

forgelens-cli COMMAND --help describes a command. Evidence files are opened read-only.
)";

} // namespace

int main(int argc, char **argv)
{
    // The sandbox's decoding worker (a hidden mode of this same executable): before anything
    // else, so it starts no threads and holds nothing it does not need.
    if (forgelens::isDecodeWorkerInvocation(argc, argv))
        return forgelens::runDecodeWorker(argc, argv);
    forgelens::reexecWithPassiveOpenMpWaits(argv);
    forgelens::tuneAllocatorForInference();
    // `explain` draws its maps and `evaluate` its plots (QCustomPlot, a widget), which needs a
    // widget application: on the offscreen platform, so that they run without a display as
    // every other command does.
    const bool draws = argc >= 2
        && (std::strcmp(argv[1], "explain") == 0 || std::strcmp(argv[1], "evaluate") == 0
            || std::strcmp(argv[1], "report") == 0);
    if (draws && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::unique_ptr<QCoreApplication> app = draws ? std::make_unique<QApplication>(argc, argv)
                                                  : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("forgelens-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FORGELENS_VERSION));

    const QStringList arguments = QCoreApplication::arguments();
    const QString command = arguments.value(1);
    if (command == QLatin1String("analyze"))
        return forgelens::cli::runAnalyze(arguments);
    if (command == QLatin1String("metadata"))
        return forgelens::cli::runMetadata(arguments);
    if (command == QLatin1String("scan"))
        return forgelens::cli::runScan(arguments);
    if (command == QLatin1String("merge"))
        return forgelens::cli::runMerge(arguments);
    if (command == QLatin1String("bank"))
        return forgelens::cli::runBank(arguments);
    if (command == QLatin1String("evaluate"))
        return forgelens::cli::runEvaluate(arguments);
    if (command == QLatin1String("case"))
        return forgelens::cli::runCase(arguments);
    if (command == QLatin1String("report"))
        return forgelens::cli::runReport(arguments);
    if (command == QLatin1String("explain"))
        return forgelens::cli::runExplain(arguments);
    if (command == QLatin1String("--version")) {
        QTextStream(stdout) << "forgelens-cli " << FORGELENS_VERSION << '\n';
        return 0;
    }
    const bool askedForHelp = command == QLatin1String("--help") || command == QLatin1String("-h");
    QTextStream(askedForHelp ? stdout : stderr) << kUsage;
    if (!askedForHelp && !command.isEmpty())
        QTextStream(stderr) << "forgelens-cli: unknown command \"" << command << "\"\n";
    return askedForHelp ? 0 : forgelens::cli::kUsageError;
}
