#include "sqlite_edit.h"

#include <QFile>

#include <sqlite3.h>

namespace forgelens::testing {

bool editWithSqlite(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    const bool opened
        = sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READWRITE, nullptr)
        == SQLITE_OK;
    const bool done = opened && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close_v2(db);
    return done;
}

} // namespace forgelens::testing
