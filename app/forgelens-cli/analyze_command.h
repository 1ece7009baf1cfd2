#pragma once

#include "exit_code.h"

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli analyze IMAGE… --model BUNDLE [--json] …`; `arguments` starts with the
// program name followed by "analyze".
int runAnalyze(const QStringList &arguments);

} // namespace forgelens::cli
