#include "sqlite/sqlite_hardening.h"

#include "sqlite/sqlite_statement.h"

#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <cstring>

namespace forgelens {
namespace {

constexpr char kSqliteMagic[] = "SQLite format 3"; // and a NUL: the first 16 bytes of the file

} // namespace

bool executeSql(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

QString sqliteMessage(sqlite3 *db)
{
    return db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("out of memory");
}

bool hardenSqlite(sqlite3 *db, int maxValueBytes)
{
    int previous = 0;
    bool ok = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &previous) == SQLITE_OK
        && sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &previous) == SQLITE_OK
        && sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &previous) == SQLITE_OK
        && sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, &previous) == SQLITE_OK
        && sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &previous) == SQLITE_OK;
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, maxValueBytes);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 64 << 10);
    ok = ok && executeSql(db, "PRAGMA cell_size_check=ON; PRAGMA mmap_size=0;");
    return ok;
}

std::optional<QString> sqliteFileProblem(const QString &path, bool *notFound)
{
    const QFileInfo info(path);
    if (notFound)
        *notFound = !info.exists();
    if (!info.exists())
        return QStringLiteral("it does not exist");
    if (!info.isFile())
        return QStringLiteral("it is not a regular file");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("it cannot be read (%1)").arg(file.errorString());
    const QByteArray head = file.read(100);
    if (head.size() < 100 || std::memcmp(head.constData(), kSqliteMagic, 16) != 0)
        return QStringLiteral("it is not a SQLite database (or it is truncated)");
    if (head.at(18) != 1 || head.at(19) != 1)
        return QStringLiteral("it is in write-ahead-log mode, which it never is when ForgeLens "
                              "writes it; open it with sqlite3 and run PRAGMA "
                              "journal_mode=DELETE to return it to a single file");
    // The page count in the header against the file's size: a file cut short loses pages.
    const quint32 pageSizeField = (quint32(quint8(head.at(16))) << 8) | quint8(head.at(17));
    const qint64 pageSize = pageSizeField == 1 ? 65536 : qint64(pageSizeField);
    const qint64 pages = (qint64(quint8(head.at(28))) << 24) | (qint64(quint8(head.at(29))) << 16)
        | (qint64(quint8(head.at(30))) << 8) | qint64(quint8(head.at(31)));
    if (pageSize >= 512 && pages > 0 && info.size() < pages * pageSize)
        return QStringLiteral("it is cut short: its header counts %1 pages of %2 bytes, but it "
                              "holds only %3 bytes")
            .arg(pages)
            .arg(pageSize)
            .arg(info.size());
    return std::nullopt;
}

std::optional<QString> sqliteSchemaProblem(sqlite3 *db,
    const std::set<std::pair<QString, QString>> &allowed,
    const std::set<std::pair<QString, QString>> &required)
{
    {
        SqliteStatement check(db, "PRAGMA quick_check");
        if (!check.ok() || check.step() != SQLITE_ROW)
            return QStringLiteral("its integrity cannot be checked (%1)").arg(sqliteMessage(db));
        const std::optional<QString> verdict = check.text(0, false, 4096);
        if (!verdict || *verdict != QStringLiteral("ok"))
            return QStringLiteral("SQLite's integrity check fails (%1)")
                .arg(verdict ? verdict->left(200) : QStringLiteral("no answer"));
    }
    std::set<std::pair<QString, QString>> found;
    SqliteStatement objects(db, "SELECT type, name FROM sqlite_schema");
    int step = SQLITE_ROW;
    while (objects.ok() && (step = objects.step()) == SQLITE_ROW) {
        const std::optional<QString> type = objects.text(0, false, 64);
        const std::optional<QString> name = objects.text(1, false, 256);
        if (!type || !name || !allowed.contains({ *type, *name }))
            return QStringLiteral("it holds a database object it should not have (%1 %2)")
                .arg(type.value_or(QStringLiteral("?")), name.value_or(QStringLiteral("?")));
        found.insert({ *type, *name });
    }
    if (!objects.ok() || step != SQLITE_DONE)
        return QStringLiteral("its schema cannot be read (%1)").arg(sqliteMessage(db));
    for (const auto &object : required) {
        if (!found.contains(object))
            return QStringLiteral("it lacks its %1 %2").arg(object.second, object.first);
    }
    return std::nullopt;
}

} // namespace forgelens
