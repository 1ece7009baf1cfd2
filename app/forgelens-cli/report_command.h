#pragma once

#include "exit_code.h"

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli report CASE|IMAGE… [--scan CSV] -o REPORT.pdf [--json FILE] …`; `arguments`
// starts with the program name followed by "report".
int runReport(const QStringList &arguments);

} // namespace forgelens::cli
