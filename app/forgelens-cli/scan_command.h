#pragma once

#include "exit_code.h"

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli scan FOLDER --model BUNDLE [--model BUNDLE…] -o report.csv …`; `arguments`
// starts with the program name followed by "scan".
int runScan(const QStringList &arguments);

} // namespace forgelens::cli
