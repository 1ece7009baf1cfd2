#pragma once

#include "exit_code.h"

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli evaluate FOLDER --model BUNDLE [--model BUNDLE…] -o OUT …`, or `evaluate
// --report SCAN.csv -o OUT …`; `arguments` starts with the program name followed by "evaluate".
// Draws its plots through ui/, so it needs a QApplication (on the offscreen platform).
int runEvaluate(const QStringList &arguments);

} // namespace forgelens::cli
