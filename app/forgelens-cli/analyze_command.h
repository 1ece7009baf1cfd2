#pragma once

#include <QStringList>

namespace forgelens::cli {

// Exit codes of `forgelens-cli analyze` (documented in --help and README.md).
enum ExitCode {
    kAllAnalysed = 0, // every image has a verdict
    kSomeFailed = 1, // at least one image could not be analysed; the others were
    kUsageError = 2, // bad command line
    kModelUnusable = 3, // the model bundle could not be loaded or failed its first run
};

// `forgelens-cli analyze IMAGE… --model BUNDLE [--json] …`; `arguments` starts with the
// program name followed by "analyze".
int runAnalyze(const QStringList &arguments);

} // namespace forgelens::cli
