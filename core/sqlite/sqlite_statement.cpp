#include "sqlite/sqlite_statement.h"

#include <sqlite3.h>

#include <algorithm>

namespace forgelens {

bool isPlainText(const QString &text, bool multiline)
{
    return std::none_of(text.begin(), text.end(), [multiline](QChar c) {
        const char16_t u = c.unicode();
        if (multiline && (u == u'\n' || u == u'\t'))
            return false;
        return u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029;
    });
}

SqliteStatement::SqliteStatement(sqlite3 *db, const char *sql)
{
    if (sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr) != SQLITE_OK)
        m_statement = nullptr;
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

int SqliteStatement::step()
{
    return m_statement ? sqlite3_step(m_statement) : SQLITE_MISUSE;
}

void SqliteStatement::reset()
{
    if (m_statement) {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
    }
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

int SqliteStatement::type(int column) const
{
    return sqlite3_column_type(m_statement, column);
}

qint64 SqliteStatement::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

std::optional<QString> SqliteStatement::text(
    int column, bool nullable, qint64 maxBytes, bool multiline) const
{
    const int kind = sqlite3_column_type(m_statement, column);
    if (kind == SQLITE_NULL)
        return nullable ? std::optional<QString>(QString()) : std::nullopt;
    if (kind != SQLITE_TEXT)
        return std::nullopt;
    const int bytes = sqlite3_column_bytes(m_statement, column);
    if (bytes > maxBytes)
        return std::nullopt;
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    const QByteArray utf8(data, bytes);
    const QString value = QString::fromUtf8(utf8);
    if (value.toUtf8() != utf8 || !isPlainText(value, multiline))
        return std::nullopt;
    return value;
}

QByteArray SqliteStatement::blob(int column) const
{
    const void *data = sqlite3_column_blob(m_statement, column);
    const int bytes = sqlite3_column_bytes(m_statement, column);
    return data ? QByteArray(static_cast<const char *>(data), bytes) : QByteArray();
}

bool SqliteStatement::bindText(int index, const QString &value)
{
    if (value.isNull())
        return sqlite3_bind_null(m_statement, index) == SQLITE_OK;
    const QByteArray utf8 = value.toUtf8();
    return sqlite3_bind_text(
               m_statement, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT)
        == SQLITE_OK;
}

bool SqliteStatement::bindBlob(int index, const void *data, qint64 bytes)
{
    if (!data || bytes == 0)
        return sqlite3_bind_null(m_statement, index) == SQLITE_OK;
    return sqlite3_bind_blob64(m_statement, index, data, sqlite3_uint64(bytes), SQLITE_TRANSIENT)
        == SQLITE_OK;
}

bool SqliteStatement::bindInt(int index, qint64 value)
{
    return sqlite3_bind_int64(m_statement, index, value) == SQLITE_OK;
}

} // namespace forgelens
