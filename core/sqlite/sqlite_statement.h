#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

struct sqlite3;
struct sqlite3_stmt;

namespace forgelens {

// One prepared statement, finalised when it goes. Values read from a file that came from
// elsewhere (an exemplar bank, a case) are checked as they are read: text must be valid UTF-8
// without control characters, so none can act as an escape sequence or forge a line.
class SqliteStatement {
public:
    SqliteStatement(sqlite3 *db, const char *sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool ok() const { return m_statement != nullptr; }
    sqlite3_stmt *get() const { return m_statement; }
    int step();
    void reset();

    bool isNull(int column) const;
    int type(int column) const;
    qint64 integer(int column) const;
    // The column as text, or nullopt when it is not TEXT (or NULL where `nullable`), is not
    // valid UTF-8 text of at most `maxBytes`, or holds control characters (`multiline`: line
    // feeds and tabs are allowed, as in an analyst's note).
    std::optional<QString> text(
        int column, bool nullable, qint64 maxBytes, bool multiline = false) const;
    QByteArray blob(int column) const;

    bool bindText(int index, const QString &value); // a null QString binds NULL
    bool bindBlob(int index, const void *data, qint64 bytes); // empty binds NULL
    bool bindInt(int index, qint64 value);

private:
    sqlite3_stmt *m_statement = nullptr;
};

// No C0 or C1 control character, DEL, or Unicode line or paragraph separator (`multiline`: line
// feed and tab allowed).
bool isPlainText(const QString &text, bool multiline = false);

} // namespace forgelens
