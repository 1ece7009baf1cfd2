#pragma once

#include <QString>
#include <QStringList>

namespace forgelens::testing {

// One run of a command-line program, as a user would start it.
struct CliRun {
    int exitCode = -1; // -1 when it crashed or did not finish within two minutes
    QString out;
    QString err;
};

CliRun runProgram(const QString &program, const QStringList &arguments);

} // namespace forgelens::testing
