#pragma once

#include "exit_code.h"

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli bank build|info|query …`: exemplar banks (core/exemplars/). `arguments` starts
// with the program name followed by "bank".
int runBank(const QStringList &arguments);

} // namespace forgelens::cli
