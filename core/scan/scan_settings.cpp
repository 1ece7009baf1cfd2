#include "forgelens/scan/scan_settings.h"

namespace forgelens {

QString ScanSettings::validate() const
{
    if (root.isEmpty())
        return QStringLiteral("no folder to scan was given");
    if (outputCsv.isEmpty())
        return QStringLiteral("no output CSV was given (-o report.csv)");
    if (modelPaths.isEmpty())
        return QStringLiteral("no model bundle was given (--model BUNDLE)");
    if (decodeThreads < 0 || decodeThreads > 256)
        return QStringLiteral("decode threads must be 0 (automatic) to 256");
    if (inFlight < 0)
        return QStringLiteral("files in flight must be 0 (automatic) or positive");
    if (flushRows < 1)
        return QStringLiteral("rows per flush must be at least 1");
    if (resume && overwrite)
        return QStringLiteral(
            "--resume continues a report and --overwrite replaces it: choose one");
    if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
        return QStringLiteral("the shard must be K/N with 0 <= K < N");
    if (const QString problem = engine.validate(); !problem.isEmpty())
        return problem;
    return limits.validate();
}

} // namespace forgelens
