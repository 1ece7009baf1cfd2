#pragma once

#include <QString>

namespace forgelens::testing {

// What another tool (the sqlite3 shell) would do to a file: plain SQL through SQLite itself,
// without ForgeLens. True when it opened and ran.
bool editWithSqlite(const QString &path, const char *sql);

} // namespace forgelens::testing
