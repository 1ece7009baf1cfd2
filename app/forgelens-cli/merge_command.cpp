#include "merge_command.h"

#include "forgelens/scan/scan_merge.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace forgelens::cli {
namespace {

const char *const kDescription
    = R"(Join the reports of a sharded scan (forgelens-cli scan --shard K/N) into one.

Rows are sorted by path, as one scan over the whole folder orders them. The merge is refused
when a path has a row in two inputs, when the inputs have different columns, come from
different scans (root, models, options) or from an interrupted one, or when a shard is missing
(unless --allow-missing-shards). Writes OUTPUT and OUTPUT.json atomically.

Exit codes:
  0  merged
  1  refused (the reason is printed; nothing was written)
  2  usage error, or OUTPUT exists without --overwrite
  4  OUTPUT could not be written)";

} // namespace

int runMerge(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("merge"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("reports"), QStringLiteral("Shard reports."), QStringLiteral("CSV…"));
    const QCommandLineOption output({ QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The merged CSV to write."), QStringLiteral("OUTPUT"));
    const QCommandLineOption overwrite(
        QStringLiteral("overwrite"), QStringLiteral("Replace OUTPUT if it exists."));
    const QCommandLineOption allowMissing(QStringLiteral("allow-missing-shards"),
        QStringLiteral("Merge even when some shards' reports are not given."));
    parser.addOptions({ output, overwrite, allowMissing });
    if (!parser.parse(arguments)) {
        err << "forgelens-cli merge: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return kAllAnalysed;
    }
    MergeSettings settings;
    settings.inputs = parser.positionalArguments().mid(1);
    settings.output = parser.value(output);
    settings.overwrite = parser.isSet(overwrite);
    settings.allowMissingShards = parser.isSet(allowMissing);
    if (settings.inputs.isEmpty() || settings.output.isEmpty()) {
        err << "forgelens-cli merge: give the shard reports and -o OUTPUT (see --help)\n";
        return kUsageError;
    }
    Result<MergeSummary> summary = mergeScanReports(settings);
    if (!summary) {
        err << "forgelens-cli merge: [" << summary.error().codeName() << "] "
            << summary.error().message << '\n';
        if (summary.error().code == ErrorCode::MergeRefused)
            return kSomeFailed;
        if (summary.error().code == ErrorCode::OutputWriteFailed)
            return kOutputFailed;
        return kUsageError;
    }
    for (const QString &warning : summary->warnings)
        err << "forgelens-cli merge: warning: " << warning << '\n';
    err << "forgelens-cli merge: " << summary->rows << " rows from " << settings.inputs.size()
        << " reports into " << settings.output << '\n';
    return kAllAnalysed;
}

} // namespace forgelens::cli
