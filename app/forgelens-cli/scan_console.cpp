#include "scan_console.h"

#include "cli_streams.h"
#include "exit_code.h"
#include "scan_progress_printer.h"

#include "forgelens/report/display_text.h"

#include <cstring>

namespace forgelens::cli {
namespace {

QTextStream &err()
{
    return standardError();
}

} // namespace

void printScanPlan(const ScanPlan &plan, const char *command)
{
    for (const ModelInfo &model : plan.models) {
        if (model.manifest.isUntrainedTestModel())
            err() << "forgelens-cli " << command
                  << ": WARNING: " << displayText(model.manifest.name)
                  << " is an UNTRAINED TEST MODEL; its verdicts mean nothing.\n";
        else if (model.manifest.experimental)
            err() << "forgelens-cli " << command << ": note: " << displayText(model.manifest.name)
                  << " is EXPERIMENTAL; read its model card before relying on a verdict.\n";
        err() << "forgelens-cli " << command << ": model " << displayText(model.manifest.id) << " ("
              << displayText(model.manifest.name) << ' ' << displayText(model.manifest.version)
              << ") on " << model.device << ", sha256 " << model.bundleSha256 << '\n';
    }
    for (const QString &problem : plan.walkProblems)
        err() << "forgelens-cli " << command << ": warning: " << displayText(problem) << '\n';
    err() << "forgelens-cli " << command << ": " << plan.filesInScope << " files";
    if (plan.rowsResumed > 0)
        err() << " (" << plan.rowsResumed << " already in the interrupted report)";
    if (plan.outsideShard > 0)
        err() << ", " << plan.outsideShard
              << (std::strcmp(command, "scan") == 0 ? " in other shards" : " left out (no label)");
    err() << ", " << plan.skippedNotImages << " non-image files skipped";
    if (plan.skippedSymlinks > 0)
        err() << ", " << plan.skippedSymlinks << " symbolic links not followed";
    err() << "; " << plan.decodeThreads << " decode threads\n";
    err().flush();
}

void printScanSummary(const ScanSummary &summary, const char *command)
{
    const double seconds = double(summary.startedUtc.msecsTo(summary.finishedUtc)) / 1000.0;
    err() << "forgelens-cli " << command << ": " << summary.rowsWritten << " rows in "
          << formatDuration(seconds);
    if (seconds > 0)
        err() << " (" << QString::number(double(summary.rowsWritten) / seconds, 'f', 1)
              << " files/s)";
    err() << "; status:";
    for (const auto &[status, count] : summary.statusCounts)
        err() << ' ' << status << ' ' << count;
    err() << '\n';
    if (summary.interrupted)
        err() << "forgelens-cli " << command << ": interrupted; the rows so far are in "
              << summary.csvPath << ". Run the same command with --resume to continue.\n";
    else
        err() << "forgelens-cli " << command << ": report " << summary.csvPath << ", sidecar "
              << summary.sidecarPath << '\n';
    err().flush();
}

int scanExitCodeFor(const Error &error)
{
    if (error.code == ErrorCode::ModelUnusable)
        return kModelUnusable;
    if (error.code == ErrorCode::OutputWriteFailed || error.code == ErrorCode::RootUnreadable
        || error.code == ErrorCode::InternalError)
        return kOutputFailed;
    return kUsageError;
}

} // namespace forgelens::cli
