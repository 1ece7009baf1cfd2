#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace forgelens::testing {

// Every record of a CSV file the project wrote (a scan report, scores.csv), parsed as the
// project reads them back (parseCsv); empty when the file cannot be read.
std::vector<QStringList> readCsvRecords(const QString &path);

} // namespace forgelens::testing
