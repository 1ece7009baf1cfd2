#pragma once

#include <QString>

#include <optional>
#include <set>
#include <utility>

struct sqlite3;

namespace forgelens {

// SQLite files that come from elsewhere (exemplar banks, cases) are hostile input, as evidence
// is. These are the checks every such file gets before and as it is read.

// The settings every connection gets before it reads a byte of the file: hostile schema code
// cannot run (no triggers, no views, untrusted schema), nothing can be attached, no value may be
// larger than `maxValueBytes`, and damaged pages are detected as they are read.
bool hardenSqlite(sqlite3 *db, int maxValueBytes = 16 << 20);

bool executeSql(sqlite3 *db, const char *sql);
QString sqliteMessage(sqlite3 *db);

// What is wrong with the file's first bytes, in words, or nullopt: it must be a regular file
// holding a SQLite 3 database in rollback-journal mode (never write-ahead-log mode, so nothing
// outside the file can change what it holds). `notFound` is set when it does not exist.
std::optional<QString> sqliteFileProblem(const QString &path, bool *notFound = nullptr);

// PRAGMA quick_check, then every object of the schema against `allowed` ((type, name) pairs);
// what is wrong in words, or nullopt. `required` must all be present.
std::optional<QString> sqliteSchemaProblem(sqlite3 *db,
    const std::set<std::pair<QString, QString>> &allowed,
    const std::set<std::pair<QString, QString>> &required);

} // namespace forgelens
