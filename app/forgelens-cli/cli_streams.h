#pragma once

#include <QTextStream>

namespace forgelens::cli {

// stdout and stderr as the commands write them (UTF-8; flush before exiting or waiting).
QTextStream &standardOutput();
QTextStream &standardError();

} // namespace forgelens::cli
