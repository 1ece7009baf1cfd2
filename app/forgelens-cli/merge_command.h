#pragma once

#include "exit_code.h"

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli merge A.csv B.csv … -o all.csv`; `arguments` starts with the program name
// followed by "merge".
int runMerge(const QStringList &arguments);

} // namespace forgelens::cli
