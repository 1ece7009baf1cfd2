#include "forgelens/case/case_file.h"

#include "sqlite/sqlite_hardening.h"
#include "sqlite/sqlite_statement.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTimeZone>
#include <QUuid>

#include <sqlite3.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <set>

namespace forgelens {
namespace {

constexpr int kMaxValueBytes = 64 << 20; // a run's results with full metadata listings
constexpr qint64 kMaxFieldBytes = 2000;

struct Column {
    const char *name;
    const char *type;
};

const std::map<QString, std::vector<Column>> kTables{
    { QStringLiteral("meta"), { { "key", "TEXT" }, { "value", "TEXT" } } },
    { QStringLiteral("evidence"),
        { { "id", "INTEGER" }, { "path", "TEXT" }, { "size", "INTEGER" }, { "sha256", "TEXT" },
            { "sha1", "TEXT" }, { "md5", "TEXT" }, { "intake_utc", "TEXT" },
            { "write_protected", "INTEGER" }, { "stable_during_intake", "INTEGER" } } },
    { QStringLiteral("runs"),
        { { "id", "INTEGER" }, { "kind", "TEXT" }, { "started_utc", "TEXT" },
            { "finished_utc", "TEXT" }, { "environment", "TEXT" }, { "results", "TEXT" } } },
    { QStringLiteral("notes"),
        { { "id", "INTEGER" }, { "evidence_sha256", "TEXT" }, { "text", "TEXT" },
            { "author", "TEXT" }, { "created_utc", "TEXT" } } },
    { QStringLiteral("marks"),
        { { "path", "TEXT" }, { "sha256", "TEXT" }, { "mark", "TEXT" }, { "note", "TEXT" },
            { "changed_utc", "TEXT" } } },
    { QStringLiteral("log"),
        { { "seq", "INTEGER" }, { "utc", "TEXT" }, { "actor", "TEXT" }, { "action", "TEXT" },
            { "detail", "TEXT" }, { "previous_hash", "TEXT" }, { "hash", "TEXT" } } },
};

constexpr char kCreateSchema[]
    = "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE evidence(id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL,"
      " sha256 TEXT NOT NULL, sha1 TEXT NOT NULL, md5 TEXT NOT NULL, intake_utc TEXT NOT NULL,"
      " write_protected INTEGER NOT NULL, stable_during_intake INTEGER NOT NULL,"
      " UNIQUE(path, sha256));"
      "CREATE TABLE runs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_utc TEXT NOT NULL,"
      " finished_utc TEXT NOT NULL, environment TEXT NOT NULL, results TEXT NOT NULL);"
      "CREATE TABLE notes(id INTEGER PRIMARY KEY, evidence_sha256 TEXT, text TEXT NOT NULL,"
      " author TEXT NOT NULL, created_utc TEXT NOT NULL);"
      "CREATE TABLE marks(path TEXT PRIMARY KEY, sha256 TEXT, mark TEXT NOT NULL,"
      " note TEXT NOT NULL, changed_utc TEXT NOT NULL);"
      "CREATE TABLE log(seq INTEGER PRIMARY KEY, utc TEXT NOT NULL, actor TEXT NOT NULL,"
      " action TEXT NOT NULL, detail TEXT NOT NULL, previous_hash TEXT NOT NULL,"
      " hash TEXT NOT NULL);";

Error badCase(const QString &path, const QString &what)
{
    QString message = QStringLiteral("%1 is not a usable ForgeLens case: %2.").arg(path, what);
    const QFileInfo backup(CaseFile::backupPathFor(path));
    if (backup.isFile())
        message += QStringLiteral(" The copy saved the last time it opened intact is %1 (%2 UTC); "
                                  "open that, and keep this file as it is for examination.")
                       .arg(backup.fileName(), backup.lastModified().toUTC().toString(Qt::ISODate));
    return Error{ ErrorCode::BadCase, message };
}

Error writeFailed(const QString &path, const QString &what, sqlite3 *db)
{
    return Error{ ErrorCode::CaseWriteFailed,
        QStringLiteral("cannot write to the case %1: %2 (%3); it holds what it held before")
            .arg(path, what, sqliteMessage(db)) };
}

bool isHex(const QString &text, int length)
{
    if (text.size() != length)
        return false;
    return std::all_of(text.begin(), text.end(),
        [](QChar c) { return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'); });
}

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString utcText(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime utcFrom(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

QString actorName()
{
    QString name = qEnvironmentVariable("USER");
    if (name.isEmpty())
        name = qEnvironmentVariable("LOGNAME");
    if (name.isEmpty() || !isPlainText(name) || name.size() > 200)
        name = QStringLiteral("unknown");
    return name;
}

bool isOneLine(const QString &text)
{
    return text.size() <= 500 && isPlainText(text);
}

// A run's environment and results as the log entry that added them hashes them.
QString runContentSha256(const QString &environment, const QString &results)
{
    return sha256Of(environment.toUtf8() + '\n' + results.toUtf8());
}

} // namespace

QString CaseHeader::validate() const
{
    const std::pair<const QString *, const char *> fields[]{ { &number, "case number" },
        { &title, "title" }, { &examiner, "examiner" }, { &organisation, "organisation" },
        { &timeZone, "time zone" } };
    for (const auto &[value, name] : fields) {
        if (!isOneLine(*value))
            return QStringLiteral("the %1 must be one line of at most 500 characters")
                .arg(QLatin1String(name));
    }
    if (number.trimmed().isEmpty())
        return QStringLiteral("a case needs its number (the organisation's reference)");
    if (!QTimeZone(timeZone.toUtf8()).isValid())
        return QStringLiteral("the time zone %1 is not one this system knows (use an IANA name "
                              "such as Europe/London, or UTC)")
            .arg(timeZone);
    return QString();
}

struct CaseFile::Impl {
    QString path;
    sqlite3 *db = nullptr;
    mutable std::mutex mutex;
    QString uid;
    CaseHeader header;
    QDateTime createdUtc;
    CaseChainStatus chain;
    bool backedUp = false;

    ~Impl() { sqlite3_close_v2(db); }

    static Result<sqlite3 *> connect(const QString &path, bool create);
    std::optional<QString> checkSchema() const;
    std::optional<QString> readMeta();
    std::optional<QString> readLog(std::vector<CaseLogEntry> &entries) const;
    void verify();
    std::optional<QString> metaValue(const char *key) const;
    std::optional<Error> backupOnce();
    std::optional<Error> copyTo(const QString &target) const;
    // One change: `body` inside a transaction, then its log entry; all or nothing.
    template <typename Body>
    std::optional<Error> change(const QString &action, QJsonObject detail, Body &&body);
    std::vector<CaseEvidence> readEvidence(
        const char *where = nullptr, const QString &value = {}) const;
};

Result<sqlite3 *> CaseFile::Impl::connect(const QString &path, bool create)
{
    sqlite3 *db = nullptr;
    const QByteArray native = QFile::encodeName(path);
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(native.constData(), &db, flags, nullptr) != SQLITE_OK) {
        const QString message = sqliteMessage(db);
        sqlite3_close_v2(db);
        return Error{ create ? ErrorCode::CaseWriteFailed : ErrorCode::BadCase,
            QStringLiteral("SQLite cannot open %1 (%2)").arg(path, message) };
    }
    sqlite3_busy_timeout(db, 5000);
    if (!hardenSqlite(db, kMaxValueBytes) || !executeSql(db, "PRAGMA journal_mode=DELETE")
        || !executeSql(db, "PRAGMA synchronous=FULL")) {
        const QString message = sqliteMessage(db);
        sqlite3_close_v2(db);
        return Error{ ErrorCode::BadCase,
            QStringLiteral("SQLite refuses the safe settings for %1 (%2)").arg(path, message) };
    }
    return db;
}

std::optional<QString> CaseFile::Impl::checkSchema() const
{
    std::set<std::pair<QString, QString>> required;
    for (const auto &table : kTables)
        required.insert({ QStringLiteral("table"), table.first });
    std::set<std::pair<QString, QString>> allowed = required;
    for (const char *index :
        { "sqlite_autoindex_meta_1", "sqlite_autoindex_evidence_1", "sqlite_autoindex_marks_1" })
        allowed.insert({ QStringLiteral("index"), QString::fromLatin1(index) });
    if (std::optional<QString> problem = sqliteSchemaProblem(db, allowed, required))
        return problem;
    for (const auto &[table, columns] : kTables) {
        const QByteArray sql = "PRAGMA table_info(" + table.toLatin1() + ")";
        SqliteStatement info(db, sql.constData());
        size_t index = 0;
        while (info.ok() && info.step() == SQLITE_ROW) {
            const std::optional<QString> name = info.text(1, false, 64);
            const std::optional<QString> type = info.text(2, true, 64);
            if (index >= columns.size() || !name || !type
                || *name != QLatin1String(columns[index].name)
                || *type != QLatin1String(columns[index].type))
                return QStringLiteral("its table %1 is not laid out as a case's is").arg(table);
            ++index;
        }
        if (index != columns.size())
            return QStringLiteral("its table %1 is not laid out as a case's is").arg(table);
    }
    return std::nullopt;
}

std::optional<QString> CaseFile::Impl::metaValue(const char *key) const
{
    SqliteStatement row(db, "SELECT value FROM meta WHERE key = ?");
    row.bindText(1, QString::fromLatin1(key));
    if (row.step() != SQLITE_ROW)
        return std::nullopt;
    return row.text(0, false, kMaxFieldBytes);
}

std::optional<QString> CaseFile::Impl::readMeta()
{
    const std::optional<QString> format = metaValue("format");
    if (!format)
        return QStringLiteral("it does not say which case format it is in");
    if (*format != QString::number(kFormat))
        return QStringLiteral("it is in case format %1; this ForgeLens reads format %2")
            .arg(format->left(20))
            .arg(kFormat);
    const std::optional<QString> id = metaValue("uid");
    if (!id || !isHex(*id, 32))
        return QStringLiteral("its unique id is missing or malformed");
    uid = *id;
    const std::pair<QString *, const char *> fields[]{ { &header.number, "number" },
        { &header.title, "title" }, { &header.examiner, "examiner" },
        { &header.organisation, "organisation" }, { &header.timeZone, "time_zone" } };
    for (const auto &[value, key] : fields) {
        const std::optional<QString> text = metaValue(key);
        if (!text)
            return QStringLiteral("its %1 is missing or not plain text").arg(QLatin1String(key));
        *value = *text;
    }
    if (const QString problem = header.validate(); !problem.isEmpty())
        return QStringLiteral("its header is not valid: %1").arg(problem);
    createdUtc = utcFrom(metaValue("created_utc").value_or(QString()));
    if (!createdUtc.isValid())
        return QStringLiteral("its creation time is missing or malformed");
    return std::nullopt;
}

std::optional<QString> CaseFile::Impl::readLog(std::vector<CaseLogEntry> &entries) const
{
    SqliteStatement rows(
        db, "SELECT seq, utc, actor, action, detail, previous_hash, hash FROM log ORDER BY seq");
    int step = SQLITE_ROW;
    while (rows.ok() && (step = rows.step()) == SQLITE_ROW) {
        CaseLogEntry entry;
        if (rows.type(0) != SQLITE_INTEGER)
            return QStringLiteral("a log entry's number is not a number");
        entry.seq = rows.integer(0);
        const std::optional<QString> utc = rows.text(1, false, 64);
        const std::optional<QString> actor = rows.text(2, false, kMaxFieldBytes);
        const std::optional<QString> action = rows.text(3, false, 64);
        const std::optional<QString> detail = rows.text(4, false, 1 << 20);
        const std::optional<QString> previous = rows.text(5, false, 64);
        const std::optional<QString> hash = rows.text(6, false, 64);
        if (!utc || !actor || !action || !detail || !previous || !hash)
            return QStringLiteral("log entry %1 holds a value that is not plain text of the "
                                  "size a log entry has")
                .arg(entry.seq);
        entry.utc = utcFrom(*utc);
        entry.actor = *actor;
        entry.action = *action;
        entry.detail = *detail;
        entry.previousHash = *previous;
        entry.hash = *hash;
        entries.push_back(std::move(entry));
    }
    if (!rows.ok() || step != SQLITE_DONE)
        return QStringLiteral("its log cannot be read (%1)").arg(sqliteMessage(db));
    return std::nullopt;
}

std::vector<CaseEvidence> CaseFile::Impl::readEvidence(
    const char *where, const QString &value) const
{
    QByteArray sql = "SELECT id, path, size, sha256, sha1, md5, intake_utc, write_protected, "
                     "stable_during_intake FROM evidence";
    if (where)
        sql += QByteArray(" WHERE ") + where + " = ?";
    sql += " ORDER BY id";
    SqliteStatement rows(db, sql.constData());
    if (where)
        rows.bindText(1, value);
    std::vector<CaseEvidence> items;
    while (rows.ok() && rows.step() == SQLITE_ROW) {
        CaseEvidence item;
        item.id = rows.integer(0);
        item.intake.path = rows.text(1, false, 1 << 16).value_or(QString());
        item.intake.size = rows.integer(2);
        item.intake.sha256 = rows.text(3, false, 64).value_or(QString());
        item.intake.sha1 = rows.text(4, false, 64).value_or(QString());
        item.intake.md5 = rows.text(5, false, 64).value_or(QString());
        item.intake.intakeUtc = utcFrom(rows.text(6, false, 64).value_or(QString()));
        item.intake.writeProtected = rows.integer(7) != 0;
        item.intake.stableDuringIntake = rows.integer(8) != 0;
        items.push_back(std::move(item));
    }
    return items;
}

// The log's chain, then every row that a log entry vouches for against what the entry recorded.
void CaseFile::Impl::verify()
{
    std::vector<CaseLogEntry> entries;
    if (std::optional<QString> problem = readLog(entries)) {
        chain = CaseChainStatus{};
        chain.intact = false;
        chain.problems << *problem;
        return;
    }
    bool countOk = false;
    const qint64 recordedCount = metaValue("log_count").value_or(QString()).toLongLong(&countOk);
    chain = verifyCaseLog(entries, caseLogAnchor(uid), metaValue("log_head").value_or(QString()),
        countOk ? recordedCount : -2);
    if (!countOk)
        chain.problems << QStringLiteral("the case does not record how long its log is");

    std::map<qint64, QJsonObject> evidenceEntries, runEntries, noteEntries;
    std::map<QString, QJsonObject> markEntries; // the last entry per path
    for (const CaseLogEntry &entry : entries) {
        const QJsonObject detail = QJsonDocument::fromJson(entry.detail.toUtf8()).object();
        if (entry.action == QLatin1String("evidence-added"))
            evidenceEntries[detail.value(QStringLiteral("evidence")).toInteger()] = detail;
        else if (entry.action == QLatin1String("run-added"))
            runEntries[detail.value(QStringLiteral("run")).toInteger()] = detail;
        else if (entry.action == QLatin1String("note-added"))
            noteEntries[detail.value(QStringLiteral("note")).toInteger()] = detail;
        else if (entry.action == QLatin1String("mark-set"))
            markEntries[detail.value(QStringLiteral("path")).toString()] = detail;
    }
    for (const CaseEvidence &item : readEvidence()) {
        const auto found = evidenceEntries.find(item.id);
        if (found == evidenceEntries.end()
            || found->second.value(QStringLiteral("sha256")).toString() != item.intake.sha256
            || found->second.value(QStringLiteral("size")).toInteger() != item.intake.size
            || found->second.value(QStringLiteral("path")).toString() != item.intake.path)
            chain.problems << QStringLiteral("evidence item %1 is not as its intake was logged: "
                                             "it was added or edited outside ForgeLens")
                                  .arg(item.id);
        else
            evidenceEntries.erase(found);
    }
    for (const auto &[id, detail] : evidenceEntries)
        chain.problems
            << QStringLiteral("evidence item %1 was logged at intake but is gone").arg(id);
    {
        SqliteStatement rows(db, "SELECT id, environment, results FROM runs ORDER BY id");
        while (rows.ok() && rows.step() == SQLITE_ROW) {
            const qint64 id = rows.integer(0);
            const QString content = runContentSha256(
                rows.text(1, false, kMaxValueBytes).value_or(QStringLiteral("?")),
                rows.text(2, false, kMaxValueBytes).value_or(QStringLiteral("?")));
            const auto found = runEntries.find(id);
            if (found == runEntries.end()
                || found->second.value(QStringLiteral("content_sha256")).toString() != content)
                chain.problems << QStringLiteral("run %1's results are not as they were logged: "
                                                 "they were added or edited outside ForgeLens")
                                      .arg(id);
            else
                runEntries.erase(found);
        }
        for (const auto &[id, detail] : runEntries)
            chain.problems << QStringLiteral("run %1 was logged but is gone").arg(id);
    }
    {
        SqliteStatement rows(db, "SELECT id, text FROM notes ORDER BY id");
        while (rows.ok() && rows.step() == SQLITE_ROW) {
            const qint64 id = rows.integer(0);
            const QString text
                = rows.text(1, false, kMaxValueBytes, true).value_or(QStringLiteral("\x01"));
            const auto found = noteEntries.find(id);
            if (found == noteEntries.end()
                || found->second.value(QStringLiteral("text_sha256")).toString()
                    != sha256Of(text.toUtf8()))
                chain.problems << QStringLiteral("note %1 is not as it was logged: it was added "
                                                 "or edited outside ForgeLens")
                                      .arg(id);
            else
                noteEntries.erase(found);
        }
        for (const auto &[id, detail] : noteEntries)
            chain.problems << QStringLiteral("note %1 was logged but is gone").arg(id);
    }
    {
        SqliteStatement rows(db, "SELECT path, mark, note FROM marks ORDER BY path");
        while (rows.ok() && rows.step() == SQLITE_ROW) {
            const QString path = rows.text(0, false, 1 << 16).value_or(QString());
            const QString mark = rows.text(1, false, 64).value_or(QString());
            const QString note = rows.text(2, false, kMaxValueBytes, true).value_or(QString());
            const auto found = markEntries.find(path);
            if (found == markEntries.end()
                || found->second.value(QStringLiteral("mark")).toString() != mark
                || found->second.value(QStringLiteral("note_sha256")).toString()
                    != sha256Of(note.toUtf8()))
                chain.problems << QStringLiteral("the mark on %1 is not as it was logged: it was "
                                                 "set or edited outside ForgeLens")
                                      .arg(path);
            else
                markEntries.erase(found);
        }
        for (const auto &[path, detail] : markEntries) {
            if (!detail.value(QStringLiteral("mark")).toString().isEmpty()
                || !detail.value(QStringLiteral("removed")).toBool())
                chain.problems << QStringLiteral("the mark on %1 was logged but is gone").arg(path);
        }
    }
    chain.intact = chain.problems.isEmpty();
}

std::optional<Error> CaseFile::Impl::copyTo(const QString &target) const
{
    const QString temporary = target + QStringLiteral(".part");
    QFile::remove(temporary);
    sqlite3 *copy = nullptr;
    const QByteArray native = QFile::encodeName(temporary);
    const auto failed = [&](const QString &what) {
        const Error error{ ErrorCode::CaseWriteFailed,
            QStringLiteral("cannot write %1: %2 (%3)").arg(target, what, sqliteMessage(copy)) };
        sqlite3_close_v2(copy);
        QFile::remove(temporary);
        QFile::remove(temporary + QStringLiteral("-journal"));
        return error;
    };
    if (sqlite3_open_v2(native.constData(), &copy,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK)
        return failed(QStringLiteral("the copy cannot be made"));
    sqlite3_backup *backup = sqlite3_backup_init(copy, "main", db, "main");
    if (!backup)
        return failed(QStringLiteral("the copy cannot start"));
    const int stepped = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE)
        return failed(QStringLiteral("the copy is incomplete"));
    if (!executeSql(copy, "PRAGMA journal_mode=DELETE"))
        return failed(QStringLiteral("the copy's journal mode cannot be set"));
    sqlite3_close_v2(copy);
    copy = nullptr;
    // rename(2) replaces the target in one step: a reader sees the old file or the new one.
    if (std::rename(native.constData(), QFile::encodeName(target).constData()) != 0)
        return failed(QStringLiteral("the finished copy cannot be renamed into place"));
    return std::nullopt;
}

std::optional<Error> CaseFile::Impl::backupOnce()
{
    if (backedUp || !chain.intact)
        return std::nullopt;
    if (std::optional<Error> error = copyTo(backupPathFor(path)))
        return error;
    backedUp = true;
    return std::nullopt;
}

template <typename Body>
std::optional<Error> CaseFile::Impl::change(const QString &action, QJsonObject detail, Body &&body)
{
    if (!chain.intact)
        return Error{ ErrorCode::CaseWriteFailed,
            QStringLiteral("the case %1 is kept as it is, for examination: its log does not "
                           "verify (%2). ForgeLens adds nothing to it; start a new case to go on")
                .arg(path, chain.problems.value(0)) };
    if (std::optional<Error> error = backupOnce())
        return error;
    if (!executeSql(db, "BEGIN IMMEDIATE"))
        return writeFailed(path, QStringLiteral("the case is busy or read-only"), db);
    const auto rollback = [&](const QString &what) {
        Error error = writeFailed(path, what, db);
        executeSql(db, "ROLLBACK");
        return error;
    };
    if (std::optional<QString> problem = body(detail))
        return rollback(*problem);
    CaseLogEntry entry;
    {
        SqliteStatement last(db, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
        const int step = last.step();
        if (step == SQLITE_ROW) {
            entry.seq = last.integer(0) + 1;
            entry.previousHash = last.text(1, false, 64).value_or(QString());
        } else if (step == SQLITE_DONE) {
            entry.seq = 1;
            entry.previousHash = caseLogAnchor(uid);
        } else {
            return rollback(QStringLiteral("its log cannot be read"));
        }
    }
    entry.utc = QDateTime::currentDateTimeUtc();
    entry.actor = actorName();
    entry.action = action;
    entry.detail = compact(detail);
    entry.hash = caseLogEntryHash(entry);
    SqliteStatement insert(db,
        "INSERT INTO log(seq, utc, actor, action, detail, previous_hash, hash) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!insert.bindInt(1, entry.seq) || !insert.bindText(2, utcText(entry.utc))
        || !insert.bindText(3, entry.actor) || !insert.bindText(4, entry.action)
        || !insert.bindText(5, entry.detail) || !insert.bindText(6, entry.previousHash)
        || !insert.bindText(7, entry.hash) || insert.step() != SQLITE_DONE)
        return rollback(QStringLiteral("its log entry cannot be written"));
    SqliteStatement meta(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    for (const auto &[key, value] : { std::pair{ QStringLiteral("log_head"), entry.hash },
             std::pair{ QStringLiteral("log_count"), QString::number(entry.seq) } }) {
        meta.reset();
        if (!meta.bindText(1, key) || !meta.bindText(2, value) || meta.step() != SQLITE_DONE)
            return rollback(QStringLiteral("the log's head cannot be recorded"));
    }
    if (!executeSql(db, "COMMIT"))
        return rollback(QStringLiteral("the change cannot be committed"));
    chain.entries = entry.seq;
    chain.head = entry.hash;
    return std::nullopt;
}

CaseFile::CaseFile(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
}
CaseFile::~CaseFile() = default;

Result<std::unique_ptr<CaseFile>> CaseFile::create(const QString &path, const CaseHeader &header)
{
    if (const QString problem = header.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };
    if (QFileInfo::exists(path))
        return Error{ ErrorCode::OutputExists,
            QStringLiteral("%1 already exists; choose another name, or open it").arg(path) };
    // Made under a temporary name and renamed into place: no half-made case is ever at `path`.
    const QString temporary = path + QStringLiteral(".part");
    QFile::remove(temporary);
    Result<sqlite3 *> db = Impl::connect(temporary, true);
    if (!db)
        return Error{ ErrorCode::CaseWriteFailed, db.error().message };
    auto impl = std::make_unique<Impl>();
    impl->db = *db;
    impl->path = temporary;
    impl->header = header;
    impl->uid = QUuid::createUuid().toString(QUuid::Id128);
    impl->createdUtc = QDateTime::currentDateTimeUtc();
    impl->backedUp = true; // nothing to keep a copy of yet
    const auto failed = [&](const QString &what) {
        Error error = writeFailed(path, what, impl->db);
        impl.reset();
        QFile::remove(temporary);
        return error;
    };
    if (!executeSql(impl->db, "BEGIN IMMEDIATE") || !executeSql(impl->db, kCreateSchema))
        return failed(QStringLiteral("the tables cannot be made"));
    SqliteStatement meta(impl->db, "INSERT INTO meta(key, value) VALUES(?, ?)");
    const std::vector<std::pair<QString, QString>> entries{
        { QStringLiteral("format"), QString::number(kFormat) },
        { QStringLiteral("uid"), impl->uid },
        { QStringLiteral("created_utc"), utcText(impl->createdUtc) },
        { QStringLiteral("tool"),
            QStringLiteral("ForgeLens %1").arg(QStringLiteral(FORGELENS_VERSION)) },
        { QStringLiteral("number"), header.number },
        { QStringLiteral("title"), header.title },
        { QStringLiteral("examiner"), header.examiner },
        { QStringLiteral("organisation"), header.organisation },
        { QStringLiteral("time_zone"), header.timeZone },
        { QStringLiteral("log_head"), caseLogAnchor(impl->uid) },
        { QStringLiteral("log_count"), QStringLiteral("0") },
    };
    for (const auto &[key, value] : entries) {
        meta.reset();
        // An empty field is stored as empty text: a null QString would bind NULL.
        if (!meta.bindText(1, key) || !meta.bindText(2, value.isNull() ? QStringLiteral("") : value)
            || meta.step() != SQLITE_DONE)
            return failed(QStringLiteral("its header cannot be written"));
    }
    if (!executeSql(impl->db, "COMMIT"))
        return failed(QStringLiteral("the new case cannot be committed"));
    impl->chain = verifyCaseLog({}, caseLogAnchor(impl->uid));
    const QJsonObject detail{ { QStringLiteral("number"), header.number },
        { QStringLiteral("title"), header.title }, { QStringLiteral("examiner"), header.examiner },
        { QStringLiteral("organisation"), header.organisation },
        { QStringLiteral("time_zone"), header.timeZone },
        { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) } };
    if (std::optional<Error> error = impl->change(QStringLiteral("case-created"), detail,
            [](QJsonObject &) { return std::optional<QString>(); }))
        return failed(error->message);
    sqlite3_close_v2(impl->db);
    impl->db = nullptr;
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData())
        != 0) {
        QFile::remove(temporary);
        return Error{ ErrorCode::CaseWriteFailed,
            QStringLiteral("cannot put the new case in place at %1").arg(path) };
    }
    return open(path);
}

Result<std::unique_ptr<CaseFile>> CaseFile::open(const QString &path)
{
    bool notFound = false;
    if (std::optional<QString> problem = sqliteFileProblem(path, &notFound))
        return notFound
            ? Error{ ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(path) }
            : badCase(path, *problem);
    Result<sqlite3 *> db = Impl::connect(path, false);
    if (!db)
        return badCase(path, db.error().message);
    auto impl = std::make_unique<Impl>();
    impl->db = *db;
    impl->path = QFileInfo(path).absoluteFilePath();
    if (std::optional<QString> problem = impl->checkSchema())
        return badCase(path, *problem);
    if (std::optional<QString> problem = impl->readMeta())
        return badCase(path, *problem);
    impl->verify();
    return std::unique_ptr<CaseFile>(new CaseFile(std::move(impl)));
}

QString CaseFile::path() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->path;
}

QString CaseFile::uid() const
{
    return m_impl->uid;
}

CaseHeader CaseFile::header() const
{
    return m_impl->header;
}

QDateTime CaseFile::createdUtc() const
{
    return m_impl->createdUtc;
}

CaseChainStatus CaseFile::chainStatus() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->chain;
}

Result<CaseEvidence> CaseFile::addEvidence(const QString &path, const std::atomic_bool *cancel)
{
    Result<EvidenceIntake> intake = intakeEvidence(path, cancel);
    if (!intake)
        return intake.error();
    return addEvidence(*intake);
}

Result<CaseEvidence> CaseFile::addEvidence(const EvidenceIntake &intake)
{
    if (!isHex(intake.sha256, 64) || !isHex(intake.sha1, 40) || !isHex(intake.md5, 32)
        || intake.size < 0 || !isPlainText(intake.path) || !intake.intakeUtc.isValid())
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("an evidence item needs its path, size, three hashes and intake time") };
    std::lock_guard lock(m_impl->mutex);
    for (const CaseEvidence &item : m_impl->readEvidence("sha256", intake.sha256)) {
        if (item.intake.path == intake.path)
            return item;
    }
    CaseEvidence item{ 0, intake };
    const QJsonObject detail{ { QStringLiteral("path"), intake.path },
        { QStringLiteral("size"), intake.size }, { QStringLiteral("sha256"), intake.sha256 },
        { QStringLiteral("sha1"), intake.sha1 }, { QStringLiteral("md5"), intake.md5 },
        { QStringLiteral("write_protected"), intake.writeProtected },
        { QStringLiteral("stable_during_intake"), intake.stableDuringIntake } };
    sqlite3 *db = m_impl->db;
    std::optional<Error> error = m_impl->change(
        QStringLiteral("evidence-added"), detail, [&](QJsonObject &logged) {
            SqliteStatement insert(db,
                "INSERT INTO evidence(path, size, sha256, sha1, md5, intake_utc, "
                "write_protected, stable_during_intake) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
            if (!insert.bindText(1, intake.path) || !insert.bindInt(2, intake.size)
                || !insert.bindText(3, intake.sha256) || !insert.bindText(4, intake.sha1)
                || !insert.bindText(5, intake.md5) || !insert.bindText(6, utcText(intake.intakeUtc))
                || !insert.bindInt(7, intake.writeProtected ? 1 : 0)
                || !insert.bindInt(8, intake.stableDuringIntake ? 1 : 0)
                || insert.step() != SQLITE_DONE)
                return std::optional<QString>(QStringLiteral("the evidence item cannot be added"));
            item.id = sqlite3_last_insert_rowid(db);
            logged.insert(QStringLiteral("evidence"), item.id);
            return std::optional<QString>();
        });
    if (error)
        return *error;
    return item;
}

std::vector<CaseEvidence> CaseFile::evidence() const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->readEvidence();
}

std::optional<CaseEvidence> CaseFile::evidenceBySha256(const QString &sha256) const
{
    std::lock_guard lock(m_impl->mutex);
    std::vector<CaseEvidence> items = m_impl->readEvidence("sha256", sha256);
    if (items.empty())
        return std::nullopt;
    return items.front();
}

Result<qint64> CaseFile::addRun(const CaseRun &run)
{
    if (!isOneLine(run.kind) || run.kind.isEmpty())
        return Error{ ErrorCode::BadSettings, QStringLiteral("a run needs its kind") };
    const QString environment = compact(run.environment);
    const QString results = compact(run.results);
    // A run without its times gets the time it was recorded (the columns are NOT NULL).
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime started = run.startedUtc.isValid() ? run.startedUtc : now;
    const QDateTime finished = run.finishedUtc.isValid() ? run.finishedUtc : started;
    std::lock_guard lock(m_impl->mutex);
    qint64 id = 0;
    sqlite3 *db = m_impl->db;
    const QJsonObject detail{ { QStringLiteral("kind"), run.kind },
        { QStringLiteral("content_sha256"), runContentSha256(environment, results) } };
    std::optional<Error> error
        = m_impl->change(QStringLiteral("run-added"), detail, [&](QJsonObject &logged) {
              SqliteStatement insert(db,
                  "INSERT INTO runs(kind, started_utc, finished_utc, environment, results) "
                  "VALUES(?, ?, ?, ?, ?)");
              if (!insert.bindText(1, run.kind) || !insert.bindText(2, utcText(started))
                  || !insert.bindText(3, utcText(finished)) || !insert.bindText(4, environment)
                  || !insert.bindText(5, results) || insert.step() != SQLITE_DONE)
                  return std::optional<QString>(QStringLiteral("the run cannot be added"));
              id = sqlite3_last_insert_rowid(db);
              logged.insert(QStringLiteral("run"), id);
              return std::optional<QString>();
          });
    if (error)
        return *error;
    return id;
}

std::vector<CaseRun> CaseFile::runs() const
{
    std::lock_guard lock(m_impl->mutex);
    SqliteStatement rows(m_impl->db,
        "SELECT id, kind, started_utc, finished_utc, environment, results FROM runs ORDER BY id");
    std::vector<CaseRun> runs;
    while (rows.ok() && rows.step() == SQLITE_ROW) {
        CaseRun run;
        run.id = rows.integer(0);
        run.kind = rows.text(1, false, 64).value_or(QString());
        run.startedUtc = utcFrom(rows.text(2, false, 64).value_or(QString()));
        run.finishedUtc = utcFrom(rows.text(3, false, 64).value_or(QString()));
        run.environment = QJsonDocument::fromJson(
            rows.text(4, false, kMaxValueBytes).value_or(QString()).toUtf8())
                              .object();
        run.results = QJsonDocument::fromJson(
            rows.text(5, false, kMaxValueBytes).value_or(QString()).toUtf8())
                          .object();
        runs.push_back(std::move(run));
    }
    return runs;
}

Result<qint64> CaseFile::addNote(const QString &text, const QString &evidenceSha256)
{
    if (text.trimmed().isEmpty() || text.size() > TriageEntry::kMaxNoteChars
        || !isPlainText(text, true))
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("a note is text of 1 to %1 characters, without control characters "
                           "other than line breaks and tabs")
                .arg(TriageEntry::kMaxNoteChars) };
    if (!evidenceSha256.isEmpty() && !isHex(evidenceSha256, 64))
        return Error{ ErrorCode::BadSettings, QStringLiteral("a note's evidence is its SHA-256") };
    std::lock_guard lock(m_impl->mutex);
    qint64 id = 0;
    sqlite3 *db = m_impl->db;
    const QJsonObject detail{ { QStringLiteral("evidence_sha256"), evidenceSha256 },
        { QStringLiteral("text_sha256"), sha256Of(text.toUtf8()) } };
    std::optional<Error> error
        = m_impl->change(QStringLiteral("note-added"), detail, [&](QJsonObject &logged) {
              SqliteStatement insert(db,
                  "INSERT INTO notes(evidence_sha256, text, author, created_utc) "
                  "VALUES(?, ?, ?, ?)");
              if (!insert.bindText(1, evidenceSha256.isEmpty() ? QString() : evidenceSha256)
                  || !insert.bindText(2, text) || !insert.bindText(3, actorName())
                  || !insert.bindText(4, utcText(QDateTime::currentDateTimeUtc()))
                  || insert.step() != SQLITE_DONE)
                  return std::optional<QString>(QStringLiteral("the note cannot be added"));
              id = sqlite3_last_insert_rowid(db);
              logged.insert(QStringLiteral("note"), id);
              return std::optional<QString>();
          });
    if (error)
        return *error;
    return id;
}

std::vector<CaseNote> CaseFile::notes() const
{
    std::lock_guard lock(m_impl->mutex);
    SqliteStatement rows(
        m_impl->db, "SELECT id, evidence_sha256, text, author, created_utc FROM notes ORDER BY id");
    std::vector<CaseNote> notes;
    while (rows.ok() && rows.step() == SQLITE_ROW) {
        CaseNote note;
        note.id = rows.integer(0);
        note.evidenceSha256 = rows.text(1, true, 64).value_or(QString());
        note.text = rows.text(2, false, kMaxValueBytes, true).value_or(QString());
        note.author = rows.text(3, false, kMaxFieldBytes).value_or(QString());
        note.createdUtc = utcFrom(rows.text(4, false, 64).value_or(QString()));
        notes.push_back(std::move(note));
    }
    return notes;
}

std::optional<Error> CaseFile::setMark(const CaseMark &mark)
{
    if (mark.path.isEmpty() || !isPlainText(mark.path)
        || mark.note.size() > TriageEntry::kMaxNoteChars || !isPlainText(mark.note, true)
        || (!mark.sha256.isEmpty() && !isHex(mark.sha256, 64)))
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("a mark needs a path of plain text and a note of at most %1 "
                           "characters")
                .arg(TriageEntry::kMaxNoteChars) };
    const bool remove = mark.mark == TriageMark::None && mark.note.isEmpty();
    const QDateTime changed
        = mark.changedUtc.isValid() ? mark.changedUtc : QDateTime::currentDateTimeUtc();
    std::lock_guard lock(m_impl->mutex);
    sqlite3 *db = m_impl->db;
    const QJsonObject detail{ { QStringLiteral("path"), mark.path },
        { QStringLiteral("sha256"), mark.sha256 },
        { QStringLiteral("mark"), remove ? QString() : triageMarkName(mark.mark) },
        { QStringLiteral("note_sha256"), sha256Of(mark.note.toUtf8()) },
        { QStringLiteral("removed"), remove } };
    return m_impl->change(QStringLiteral("mark-set"), detail, [&](QJsonObject &) {
        if (remove) {
            SqliteStatement erase(db, "DELETE FROM marks WHERE path = ?");
            if (!erase.bindText(1, mark.path) || erase.step() != SQLITE_DONE)
                return std::optional<QString>(QStringLiteral("the mark cannot be removed"));
            return std::optional<QString>();
        }
        SqliteStatement upsert(db,
            "INSERT OR REPLACE INTO marks(path, sha256, mark, note, changed_utc) "
            "VALUES(?, ?, ?, ?, ?)");
        if (!upsert.bindText(1, mark.path)
            || !upsert.bindText(2, mark.sha256.isEmpty() ? QString() : mark.sha256)
            || !upsert.bindText(3, triageMarkName(mark.mark))
            || !upsert.bindText(4, mark.note.isNull() ? QStringLiteral("") : mark.note)
            || !upsert.bindText(5, utcText(changed)) || upsert.step() != SQLITE_DONE)
            return std::optional<QString>(QStringLiteral("the mark cannot be written"));
        return std::optional<QString>();
    });
}

std::vector<CaseMark> CaseFile::marks() const
{
    std::lock_guard lock(m_impl->mutex);
    SqliteStatement rows(
        m_impl->db, "SELECT path, sha256, mark, note, changed_utc FROM marks ORDER BY path");
    std::vector<CaseMark> marks;
    while (rows.ok() && rows.step() == SQLITE_ROW) {
        CaseMark mark;
        mark.path = rows.text(0, false, 1 << 16).value_or(QString());
        mark.sha256 = rows.text(1, true, 64).value_or(QString());
        mark.mark = triageMarkFromName(rows.text(2, false, 64).value_or(QString()))
                        .value_or(TriageMark::None);
        mark.note = rows.text(3, false, kMaxValueBytes, true).value_or(QString());
        mark.changedUtc = utcFrom(rows.text(4, false, 64).value_or(QString()));
        marks.push_back(std::move(mark));
    }
    return marks;
}

Result<int> CaseFile::importTriage(const QString &reportCsv)
{
    Result<TriageMarks> triage = TriageMarks::load(reportCsv);
    if (!triage)
        return triage.error();
    int taken = 0;
    for (const auto &[path, entry] : triage->entries()) {
        if (std::optional<Error> error
            = setMark(CaseMark{ path, entry.sha256, entry.mark, entry.note, entry.changedUtc }))
            return *error;
        ++taken;
    }
    if (std::optional<Error> error = logAction(QStringLiteral("marks-imported"),
            QJsonObject{ { QStringLiteral("report"), QFileInfo(reportCsv).absoluteFilePath() },
                { QStringLiteral("marks"), taken } }))
        return *error;
    return taken;
}

std::optional<Error> CaseFile::logAction(const QString &action, const QJsonObject &detail)
{
    if (action.isEmpty() || action.size() > 64 || !isPlainText(action))
        return Error{ ErrorCode::BadSettings, QStringLiteral("an action is a short name") };
    std::lock_guard lock(m_impl->mutex);
    return m_impl->change(action, detail, [](QJsonObject &) { return std::optional<QString>(); });
}

std::vector<CaseLogEntry> CaseFile::log() const
{
    std::lock_guard lock(m_impl->mutex);
    std::vector<CaseLogEntry> entries;
    m_impl->readLog(entries);
    return entries;
}

std::optional<Error> CaseFile::saveAs(const QString &path)
{
    const QString target = QFileInfo(path).absoluteFilePath();
    {
        std::lock_guard lock(m_impl->mutex);
        if (target == m_impl->path)
            return std::nullopt;
        if (std::optional<Error> error = m_impl->copyTo(target))
            return error;
        Result<sqlite3 *> db = Impl::connect(target, false);
        if (!db)
            return Error{ ErrorCode::CaseWriteFailed, db.error().message };
        const QString from = m_impl->path;
        sqlite3_close_v2(m_impl->db);
        m_impl->db = *db;
        m_impl->path = target;
        m_impl->backedUp = true; // the case it was copied from is the good copy
        if (std::optional<Error> error = m_impl->change(QStringLiteral("saved-as"),
                QJsonObject{ { QStringLiteral("from"), from }, { QStringLiteral("to"), target } },
                [](QJsonObject &) { return std::optional<QString>(); }))
            return error;
    }
    return std::nullopt;
}

} // namespace forgelens
