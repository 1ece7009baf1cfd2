#include "forgelens/exemplars/exemplar_bank.h"

#include "sqlite/sqlite_hardening.h"
#include "sqlite/sqlite_statement.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <sqlite3.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <set>

static_assert(std::endian::native == std::endian::little,
    "bank embeddings are stored little-endian and read without swapping");

namespace forgelens {
namespace {

constexpr qint64 kMaxEmbeddingRows = 50'000'000;
constexpr int kMaxImageSide = 1'000'000;

// The schema a bank must have, column by column (name, declared type), as create() writes it.
const std::vector<std::pair<const char *, const char *>> kExemplarColumns{ { "id", "INTEGER" },
    { "path", "TEXT" }, { "label", "TEXT" }, { "generator", "TEXT" }, { "source", "TEXT" },
    { "licence", "TEXT" }, { "attribution", "TEXT" }, { "sha256", "TEXT" }, { "width", "INTEGER" },
    { "height", "INTEGER" }, { "thumb_width", "INTEGER" }, { "thumb_height", "INTEGER" },
    { "thumbnail", "BLOB" }, { "embedding", "BLOB" } };

constexpr char kCreateSchema[] = "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                                 "CREATE TABLE exemplars(id INTEGER PRIMARY KEY,"
                                 " path TEXT UNIQUE NOT NULL, label TEXT NOT NULL,"
                                 " generator TEXT, source TEXT, licence TEXT, attribution TEXT,"
                                 " sha256 TEXT NOT NULL, width INTEGER, height INTEGER,"
                                 " thumb_width INTEGER, thumb_height INTEGER, thumbnail BLOB,"
                                 " embedding BLOB NOT NULL);";

Error badBank(const QString &path, const QString &what)
{
    return Error{ ErrorCode::BadBank,
        QStringLiteral("%1 is not a usable exemplar bank: %2").arg(path, what) };
}

bool isHex64(const QString &text)
{
    if (text.size() != 64)
        return false;
    return std::all_of(text.begin(), text.end(),
        [](QChar c) { return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'); });
}

std::optional<Error> checkFile(const QString &path)
{
    bool notFound = false;
    if (const std::optional<QString> problem = sqliteFileProblem(path, &notFound))
        return notFound
            ? Error{ ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(path) }
            : badBank(path, *problem);
    return std::nullopt;
}

} // namespace

struct ExemplarBank::Impl {
    QString path;
    sqlite3 *db = nullptr;
    bool writable = false;
    bool inTransaction = false;
    BankIdentity identity;

    ~Impl()
    {
        if (db && inTransaction)
            executeSql(db, "COMMIT");
        sqlite3_close_v2(db);
    }

    std::optional<Error> checkSchema();
    std::optional<Error> readMeta();
    std::optional<Error> begin();
    // Reads the row `statement` is on (columns in kExemplarColumns order), checked.
    std::optional<Error> readRow(const SqliteStatement &statement, Exemplar &out,
        bool withThumbnail, bool withEmbedding) const;
};

std::optional<Error> ExemplarBank::Impl::checkSchema()
{
    const std::set<std::pair<QString, QString>> required{
        { QStringLiteral("table"), QStringLiteral("meta") },
        { QStringLiteral("table"), QStringLiteral("exemplars") },
    };
    std::set<std::pair<QString, QString>> allowed = required;
    allowed.insert({ QStringLiteral("index"), QStringLiteral("sqlite_autoindex_meta_1") });
    allowed.insert({ QStringLiteral("index"), QStringLiteral("sqlite_autoindex_exemplars_1") });
    if (const std::optional<QString> problem = sqliteSchemaProblem(db, allowed, required))
        return badBank(path, *problem);
    SqliteStatement columns(db, "PRAGMA table_info(exemplars)");
    size_t index = 0;
    while (columns.ok() && columns.step() == SQLITE_ROW) {
        const std::optional<QString> name = columns.text(1, false, 64);
        const std::optional<QString> type = columns.text(2, true, 64);
        if (index >= kExemplarColumns.size() || !name || !type
            || *name != QLatin1String(kExemplarColumns[index].first)
            || *type != QLatin1String(kExemplarColumns[index].second))
            return badBank(
                path, QStringLiteral("its exemplar table has other columns than a bank's"));
        ++index;
    }
    if (index != kExemplarColumns.size())
        return badBank(path, QStringLiteral("its exemplar table has other columns than a bank's"));
    return std::nullopt;
}

std::optional<Error> ExemplarBank::Impl::readMeta()
{
    std::map<QString, QString> meta;
    SqliteStatement rows(db, "SELECT key, value FROM meta");
    int step = SQLITE_ROW;
    while (rows.ok() && (step = rows.step()) == SQLITE_ROW) {
        const std::optional<QString> key = rows.text(0, false, 64);
        const std::optional<QString> value = rows.text(1, false, kMaxTextBytes);
        if (!key || !value)
            return badBank(path, QStringLiteral("its description holds a malformed entry"));
        meta[*key] = *value;
    }
    if (!rows.ok() || step != SQLITE_DONE)
        return badBank(
            path, QStringLiteral("its description cannot be read (%1)").arg(sqliteMessage(db)));
    if (meta[QStringLiteral("format")] != QString::number(kFormat))
        return badBank(path,
            QStringLiteral("its format is \"%1\"; this ForgeLens reads format %2")
                .arg(meta[QStringLiteral("format")].left(16))
                .arg(kFormat));
    identity.bundleSha256 = meta[QStringLiteral("bundle_sha256")];
    identity.bundleId = meta[QStringLiteral("bundle_id")];
    bool numeric = false;
    identity.dimension = meta[QStringLiteral("dimension")].toInt(&numeric);
    if (!isHex64(identity.bundleSha256))
        return badBank(path, QStringLiteral("it does not name the bundle it was made with"));
    if (!numeric || identity.dimension < 1 || identity.dimension > kMaxDimension)
        return badBank(path, QStringLiteral("its embedding size is missing or out of range"));
    return std::nullopt;
}

std::optional<Error> ExemplarBank::Impl::begin()
{
    if (inTransaction)
        return std::nullopt;
    if (!executeSql(db, "BEGIN IMMEDIATE"))
        return Error{ ErrorCode::BankWriteFailed,
            QStringLiteral("cannot write to %1: %2").arg(path, sqliteMessage(db)) };
    inTransaction = true;
    return std::nullopt;
}

std::optional<Error> ExemplarBank::Impl::readRow(
    const SqliteStatement &row, Exemplar &out, bool withThumbnail, bool withEmbedding) const
{
    const auto bad = [&](const QString &what) {
        return badBank(path, QStringLiteral("exemplar %1: %2").arg(row.integer(0)).arg(what));
    };
    out.id = row.integer(0);
    const std::optional<QString> relative = row.text(1, false, kMaxTextBytes);
    const std::optional<QString> label = row.text(2, false, 16);
    const std::optional<QString> generator = row.text(3, true, 256);
    const std::optional<QString> source = row.text(4, true, kMaxTextBytes);
    const std::optional<QString> licence = row.text(5, true, kMaxTextBytes);
    const std::optional<QString> attribution = row.text(6, true, kMaxTextBytes);
    const std::optional<QString> sha256 = row.text(7, false, 64);
    if (!relative || relative->isEmpty() || !label || !generator || !source || !licence
        || !attribution || !sha256)
        return bad(QStringLiteral("a text field is missing, too long, or holds control "
                                  "characters"));
    if (*label != QStringLiteral("real") && *label != QStringLiteral("synthetic"))
        return bad(QStringLiteral("its label is neither \"real\" nor \"synthetic\""));
    if (!isHex64(*sha256))
        return bad(QStringLiteral("its SHA-256 is not 64 lowercase hex digits"));
    out.path = *relative;
    out.label = *label;
    out.generator = *generator;
    out.source = *source;
    out.licence = *licence;
    out.attribution = *attribution;
    out.sha256 = *sha256;
    for (int column : { 8, 9, 10, 11 }) {
        if (row.type(column) != SQLITE_INTEGER && row.type(column) != SQLITE_NULL)
            return bad(QStringLiteral("a size is not a number"));
    }
    const qint64 width = row.integer(8), height = row.integer(9);
    const qint64 thumbWidth = row.integer(10), thumbHeight = row.integer(11);
    if (width < 0 || height < 0 || width > kMaxImageSide || height > kMaxImageSide)
        return bad(QStringLiteral("its image size is out of range"));
    out.width = int(width);
    out.height = int(height);
    if (withThumbnail) {
        const bool none = row.isNull(12);
        if (!none && row.type(12) != SQLITE_BLOB)
            return bad(QStringLiteral("its thumbnail is not binary data"));
        if (!none) {
            if (thumbWidth < 1 || thumbHeight < 1 || thumbWidth > kMaxThumbnailSide
                || thumbHeight > kMaxThumbnailSide)
                return bad(QStringLiteral("its thumbnail size is out of range"));
            const QByteArray deflated = row.blob(12);
            // Inflated into exactly the bytes its size declares: a stream that would make more
            // (or less) is refused, however it is built.
            QByteArray pixels(qsizetype(thumbWidth * thumbHeight * 3), Qt::Uninitialized);
            uLongf produced = uLongf(pixels.size());
            if (::uncompress(reinterpret_cast<Bytef *>(pixels.data()), &produced,
                    reinterpret_cast<const Bytef *>(deflated.constData()), uLong(deflated.size()))
                    != Z_OK
                || produced != uLongf(pixels.size()))
                return bad(QStringLiteral("its thumbnail does not inflate to its declared size"));
            out.thumbWidth = int(thumbWidth);
            out.thumbHeight = int(thumbHeight);
            out.thumbnailRgb = pixels;
        }
    }
    if (withEmbedding) {
        if (row.type(13) != SQLITE_BLOB
            || sqlite3_column_bytes(row.get(), 13) != identity.dimension * int(sizeof(float)))
            return bad(
                QStringLiteral("its embedding does not have %1 values").arg(identity.dimension));
        out.embedding.resize(size_t(identity.dimension));
        std::memcpy(out.embedding.data(), sqlite3_column_blob(row.get(), 13),
            out.embedding.size() * sizeof(float));
        double norm = 0.0;
        for (float v : out.embedding) {
            if (!std::isfinite(v))
                return bad(QStringLiteral("its embedding holds a value that is not a number"));
            norm += double(v) * v;
        }
        if (std::abs(std::sqrt(norm) - 1.0) > 1e-3)
            return bad(QStringLiteral("its embedding is not of unit length"));
    }
    return std::nullopt;
}

ExemplarBank::ExemplarBank(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
}
ExemplarBank::~ExemplarBank() = default;

namespace {

QByteArray readOnlyUri(const QString &path)
{
    // immutable=1: SQLite takes no lock and creates no journal, so opening a bank writes nothing
    // anywhere. Every byte but unreserved ones and '/' is percent-encoded ('?', '#', '%').
    return QByteArray("file:")
        + QFile::encodeName(QFileInfo(path).absoluteFilePath()).toPercentEncoding("/")
        + QByteArray("?mode=ro&immutable=1");
}

} // namespace

Result<std::unique_ptr<ExemplarBank>> ExemplarBank::open(const QString &path)
{
    if (std::optional<Error> error = checkFile(path))
        return *error;
    // A write that was cut short leaves its journal beside the bank; read without it (as an
    // immutable read is), the file may hold half of that write.
    if (QFileInfo::exists(path + QStringLiteral("-journal")))
        return badBank(path,
            QStringLiteral("a write to it was interrupted (%1-journal is beside it); resume its "
                           "build, which completes or undoes that write, before using it")
                .arg(QFileInfo(path).fileName()));
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    const QByteArray uri = readOnlyUri(path);
    if (sqlite3_open_v2(uri.constData(), &impl->db,
            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
            nullptr)
        != SQLITE_OK)
        return badBank(
            path, QStringLiteral("SQLite cannot open it (%1)").arg(sqliteMessage(impl->db)));
    if (!hardenSqlite(impl->db))
        return badBank(path,
            QStringLiteral("SQLite refuses the safe settings (%1)").arg(sqliteMessage(impl->db)));
    if (std::optional<Error> error = impl->checkSchema())
        return *error;
    if (std::optional<Error> error = impl->readMeta())
        return *error;
    return std::unique_ptr<ExemplarBank>(new ExemplarBank(std::move(impl)));
}

Result<std::unique_ptr<ExemplarBank>> ExemplarBank::openForWriting(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    // A build killed in the middle of a write leaves its journal beside the bank, and the bank
    // may be shorter than its header says until SQLite rolls the journal back, which it does on
    // the first read. Let it, before the file's size is checked: otherwise the build that
    // should complete or undo the write could never resume.
    if (QFileInfo::exists(path + QStringLiteral("-journal"))) {
        sqlite3 *recovery = nullptr;
        if (sqlite3_open_v2(
                native.constData(), &recovery, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr)
                == SQLITE_OK
            && hardenSqlite(recovery))
            sqlite3_exec(recovery, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
        sqlite3_close(recovery);
    }
    if (std::optional<Error> error = checkFile(path))
        return *error;
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->writable = true;
    if (sqlite3_open_v2(native.constData(), &impl->db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nullptr)
        != SQLITE_OK)
        return Error{ ErrorCode::BankWriteFailed,
            QStringLiteral("cannot open %1 for writing: %2").arg(path, sqliteMessage(impl->db)) };
    if (!hardenSqlite(impl->db))
        return badBank(path,
            QStringLiteral("SQLite refuses the safe settings (%1)").arg(sqliteMessage(impl->db)));
    if (std::optional<Error> error = impl->checkSchema())
        return *error;
    if (std::optional<Error> error = impl->readMeta())
        return *error;
    return std::unique_ptr<ExemplarBank>(new ExemplarBank(std::move(impl)));
}

Result<std::unique_ptr<ExemplarBank>> ExemplarBank::create(
    const QString &path, const BankIdentity &identity)
{
    if (!isHex64(identity.bundleSha256) || identity.dimension < 1
        || identity.dimension > kMaxDimension || identity.bundleId.size() > 256
        || !isPlainText(identity.bundleId))
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("a bank needs the bundle's SHA-256 and an embedding size of 1 to %1")
                .arg(kMaxDimension) };
    if (QFileInfo::exists(path))
        return Error{
            ErrorCode::OutputExists,
            QStringLiteral("%1 already exists; choose another name, or remove it first").arg(path)
        };
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->writable = true;
    impl->identity = identity;
    const QByteArray native = QFile::encodeName(path);
    const auto failed = [&](const QString &what) {
        const Error error{ ErrorCode::BankWriteFailed,
            QStringLiteral("cannot create %1: %2 (%3)").arg(path, what, sqliteMessage(impl->db)) };
        sqlite3_close_v2(impl->db);
        impl->db = nullptr;
        QFile::remove(path);
        return error;
    };
    if (sqlite3_open_v2(native.constData(), &impl->db,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
                | SQLITE_OPEN_EXRESCODE,
            nullptr)
        != SQLITE_OK)
        return failed(QStringLiteral("SQLite cannot create the file"));
    if (!hardenSqlite(impl->db) || !executeSql(impl->db, "PRAGMA journal_mode=DELETE")
        || !executeSql(impl->db, "BEGIN IMMEDIATE") || !executeSql(impl->db, kCreateSchema))
        return failed(QStringLiteral("the tables cannot be made"));
    SqliteStatement meta(impl->db, "INSERT INTO meta(key, value) VALUES(?, ?)");
    const std::vector<std::pair<QString, QString>> entries{
        { QStringLiteral("format"), QString::number(kFormat) },
        { QStringLiteral("bundle_sha256"), identity.bundleSha256 },
        { QStringLiteral("bundle_id"), identity.bundleId },
        { QStringLiteral("dimension"), QString::number(identity.dimension) },
        { QStringLiteral("created_utc"),
            QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
        { QStringLiteral("tool"),
            QStringLiteral("ForgeLens %1").arg(QStringLiteral(FORGELENS_VERSION)) },
    };
    for (const auto &[key, value] : entries) {
        sqlite3_reset(meta.get());
        if (!meta.bindText(1, key) || !meta.bindText(2, value) || meta.step() != SQLITE_DONE)
            return failed(QStringLiteral("its description cannot be written"));
    }
    if (!executeSql(impl->db, "COMMIT"))
        return failed(QStringLiteral("the new bank cannot be committed"));
    return std::unique_ptr<ExemplarBank>(new ExemplarBank(std::move(impl)));
}

const BankIdentity &ExemplarBank::identity() const
{
    return m_impl->identity;
}

std::optional<Error> ExemplarBank::checkBundle(const QString &bundleSha256, int dimension) const
{
    if (bundleSha256 != m_impl->identity.bundleSha256)
        return Error{ ErrorCode::BankMismatch,
            QStringLiteral("%1 was made with the bundle %2 (%3), not with this one (%4); build a "
                           "bank with this bundle to use it")
                .arg(m_impl->path, m_impl->identity.bundleId,
                    m_impl->identity.bundleSha256.left(12), bundleSha256.left(12)) };
    if (dimension != m_impl->identity.dimension)
        return Error{ ErrorCode::BankMismatch,
            QStringLiteral("%1 holds %2-value embeddings; this detector makes %3")
                .arg(m_impl->path)
                .arg(m_impl->identity.dimension)
                .arg(dimension) };
    return std::nullopt;
}

Result<BankInfo> ExemplarBank::info() const
{
    BankInfo info;
    info.identity = m_impl->identity;
    info.format = kFormat;
    {
        SqliteStatement meta(
            m_impl->db, "SELECT key, value FROM meta WHERE key IN ('created_utc', 'tool')");
        while (meta.ok() && meta.step() == SQLITE_ROW) {
            const QString key = meta.text(0, false, 64).value_or(QString());
            const QString value = meta.text(1, false, kMaxTextBytes).value_or(QString());
            if (key == QStringLiteral("created_utc"))
                info.createdUtc = QDateTime::fromString(value, Qt::ISODateWithMs);
            else
                info.tool = value;
        }
    }
    SqliteStatement rows(m_impl->db,
        "SELECT id, path, label, generator, source, licence, attribution, sha256, width, height, "
        "thumb_width, thumb_height FROM exemplars ORDER BY id");
    int step = SQLITE_ROW;
    while (rows.ok() && (step = rows.step()) == SQLITE_ROW) {
        Exemplar exemplar;
        if (std::optional<Error> error = m_impl->readRow(rows, exemplar, false, false))
            return *error;
        ++info.count;
        ++info.labelCounts[exemplar.label];
        if (exemplar.label == QStringLiteral("synthetic"))
            ++info.generatorCounts[exemplar.generator];
        ++info.licenceCounts[exemplar.licence];
    }
    if (!rows.ok() || step != SQLITE_DONE)
        return badBank(m_impl->path,
            QStringLiteral("its exemplars cannot be read (%1)").arg(sqliteMessage(m_impl->db)));
    return info;
}

Result<BankEmbeddings> ExemplarBank::embeddings() const
{
    qint64 count = 0;
    {
        SqliteStatement counting(m_impl->db, "SELECT count(*) FROM exemplars");
        if (!counting.ok() || counting.step() != SQLITE_ROW)
            return badBank(m_impl->path,
                QStringLiteral("its exemplars cannot be counted (%1)")
                    .arg(sqliteMessage(m_impl->db)));
        count = counting.integer(0);
    }
    if (count < 0 || count > kMaxEmbeddingRows)
        return badBank(m_impl->path, QStringLiteral("it claims %1 exemplars").arg(count));
    const int dimension = m_impl->identity.dimension;
    BankEmbeddings out;
    out.dimension = dimension;
    out.vectors.resize(size_t(count) * size_t(dimension));
    out.ids.reserve(size_t(count));
    out.synthetic.reserve(size_t(count));
    SqliteStatement rows(m_impl->db,
        "SELECT id, path, label, generator, source, licence, attribution, sha256, width, height, "
        "thumb_width, thumb_height, NULL, embedding FROM exemplars ORDER BY id");
    float *destination = out.vectors.data();
    qint64 row = 0;
    int step = SQLITE_ROW;
    while (rows.ok() && (step = rows.step()) == SQLITE_ROW) {
        if (row >= count)
            return badBank(m_impl->path, QStringLiteral("its exemplars changed while being read"));
        Exemplar exemplar;
        if (std::optional<Error> error = m_impl->readRow(rows, exemplar, false, true))
            return *error;
        std::memcpy(destination + row * dimension, exemplar.embedding.data(),
            size_t(dimension) * sizeof(float));
        out.ids.push_back(exemplar.id);
        out.synthetic.push_back(exemplar.label == QStringLiteral("synthetic"));
        ++row;
    }
    if (!rows.ok() || step != SQLITE_DONE || row != count)
        return badBank(m_impl->path,
            QStringLiteral("its exemplars cannot be read (%1)").arg(sqliteMessage(m_impl->db)));
    return out;
}

Result<Exemplar> ExemplarBank::exemplar(qint64 id) const
{
    SqliteStatement row(m_impl->db,
        "SELECT id, path, label, generator, source, licence, attribution, sha256, width, height, "
        "thumb_width, thumb_height, thumbnail, embedding FROM exemplars WHERE id = ?");
    if (!row.ok() || !row.bindInt(1, id))
        return badBank(m_impl->path,
            QStringLiteral("its exemplars cannot be read (%1)").arg(sqliteMessage(m_impl->db)));
    const int step = row.step();
    if (step == SQLITE_DONE)
        return Error{ ErrorCode::NotFound,
            QStringLiteral("%1 has no exemplar %2").arg(m_impl->path).arg(id) };
    if (step != SQLITE_ROW)
        return badBank(m_impl->path,
            QStringLiteral("its exemplars cannot be read (%1)").arg(sqliteMessage(m_impl->db)));
    Exemplar out;
    if (std::optional<Error> error = m_impl->readRow(row, out, true, true))
        return *error;
    return out;
}

bool ExemplarBank::contains(const QString &path) const
{
    SqliteStatement row(m_impl->db, "SELECT 1 FROM exemplars WHERE path = ?");
    return row.ok() && row.bindText(1, path) && row.step() == SQLITE_ROW;
}

std::optional<Error> ExemplarBank::insert(const Exemplar &exemplar)
{
    if (!m_impl->writable)
        return Error{ ErrorCode::BankWriteFailed,
            QStringLiteral("%1 was opened for reading only").arg(m_impl->path) };
    const auto refuse = [&](const QString &what) {
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("%1 cannot go into the bank: %2").arg(exemplar.path, what) };
    };
    const QStringList texts{ exemplar.path, exemplar.generator, exemplar.source, exemplar.licence,
        exemplar.attribution };
    for (const QString &text : texts) {
        if (text.toUtf8().size() > kMaxTextBytes || !isPlainText(text))
            return refuse(QStringLiteral("a text field is too long or holds control characters"));
    }
    if (exemplar.path.isEmpty())
        return refuse(QStringLiteral("it has no path"));
    if (exemplar.label != QStringLiteral("real") && exemplar.label != QStringLiteral("synthetic"))
        return refuse(QStringLiteral("its label is neither \"real\" nor \"synthetic\""));
    if (!isHex64(exemplar.sha256))
        return refuse(QStringLiteral("its SHA-256 is not 64 lowercase hex digits"));
    if (int(exemplar.embedding.size()) != m_impl->identity.dimension)
        return refuse(QStringLiteral("its embedding has %1 values, the bank %2")
                          .arg(exemplar.embedding.size())
                          .arg(m_impl->identity.dimension));
    double norm = 0.0;
    for (float v : exemplar.embedding)
        norm += double(v) * v;
    norm = std::sqrt(norm);
    if (!std::isfinite(norm) || norm <= 0.0)
        return refuse(QStringLiteral("its embedding is zero or not a number"));
    std::vector<float> unit(exemplar.embedding.size());
    for (size_t i = 0; i < unit.size(); ++i)
        unit[i] = float(double(exemplar.embedding[i]) / norm);
    QByteArray deflated;
    if (!exemplar.thumbnailRgb.isEmpty()) {
        if (exemplar.thumbWidth < 1 || exemplar.thumbHeight < 1
            || exemplar.thumbWidth > kMaxThumbnailSide || exemplar.thumbHeight > kMaxThumbnailSide
            || exemplar.thumbnailRgb.size()
                != qsizetype(exemplar.thumbWidth) * exemplar.thumbHeight * 3)
            return refuse(QStringLiteral("its thumbnail's size is wrong"));
        uLongf bound = ::compressBound(uLong(exemplar.thumbnailRgb.size()));
        deflated.resize(qsizetype(bound));
        if (::compress2(reinterpret_cast<Bytef *>(deflated.data()), &bound,
                reinterpret_cast<const Bytef *>(exemplar.thumbnailRgb.constData()),
                uLong(exemplar.thumbnailRgb.size()), 6)
            != Z_OK)
            return refuse(QStringLiteral("its thumbnail cannot be compressed"));
        deflated.resize(qsizetype(bound));
    }
    if (std::optional<Error> error = m_impl->begin())
        return error;
    SqliteStatement row(m_impl->db,
        "INSERT INTO exemplars(path, label, generator, source, licence, attribution, sha256, "
        "width, height, thumb_width, thumb_height, thumbnail, embedding) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(path) DO UPDATE SET label = excluded.label, generator = excluded.generator, "
        "source = excluded.source, licence = excluded.licence, attribution = "
        "excluded.attribution, sha256 = excluded.sha256, width = excluded.width, height = "
        "excluded.height, thumb_width = excluded.thumb_width, thumb_height = "
        "excluded.thumb_height, thumbnail = excluded.thumbnail, embedding = excluded.embedding");
    const bool thumb = !deflated.isEmpty();
    const bool bound = row.ok() && row.bindText(1, exemplar.path) && row.bindText(2, exemplar.label)
        && row.bindText(3, exemplar.generator) && row.bindText(4, exemplar.source)
        && row.bindText(5, exemplar.licence) && row.bindText(6, exemplar.attribution)
        && row.bindText(7, exemplar.sha256) && row.bindInt(8, exemplar.width)
        && row.bindInt(9, exemplar.height) && row.bindInt(10, thumb ? exemplar.thumbWidth : 0)
        && row.bindInt(11, thumb ? exemplar.thumbHeight : 0)
        && row.bindBlob(12, deflated.constData(), deflated.size())
        && row.bindBlob(13, unit.data(), qint64(unit.size() * sizeof(float)));
    if (!bound || row.step() != SQLITE_DONE)
        return Error{ ErrorCode::BankWriteFailed,
            QStringLiteral("cannot add %1 to %2: %3")
                .arg(exemplar.path, m_impl->path, sqliteMessage(m_impl->db)) };
    return std::nullopt;
}

std::optional<Error> ExemplarBank::commit()
{
    if (!m_impl->inTransaction)
        return std::nullopt;
    m_impl->inTransaction = false;
    if (!executeSql(m_impl->db, "COMMIT"))
        return Error{ ErrorCode::BankWriteFailed,
            QStringLiteral("cannot write to %1: %2").arg(m_impl->path, sqliteMessage(m_impl->db)) };
    return std::nullopt;
}

void ExemplarBank::setThumbnail(
    Exemplar &exemplar, const unsigned char *rgb, int width, int height, int side)
{
    exemplar.thumbnailRgb.clear();
    exemplar.thumbWidth = exemplar.thumbHeight = 0;
    side = std::clamp(side, 1, kMaxThumbnailSide);
    if (!rgb || width < 1 || height < 1)
        return;
    const double scale = std::min(1.0, double(side) / std::max(width, height));
    const int thumbWidth = std::max(1, int(std::lround(width * scale)));
    const int thumbHeight = std::max(1, int(std::lround(height * scale)));
    QByteArray pixels(qsizetype(thumbWidth) * thumbHeight * 3, Qt::Uninitialized);
    const cv::Mat source(height, width, CV_8UC3, const_cast<unsigned char *>(rgb));
    cv::Mat target(thumbHeight, thumbWidth, CV_8UC3, pixels.data());
    cv::resize(source, target, target.size(), 0, 0, cv::INTER_AREA);
    exemplar.thumbWidth = thumbWidth;
    exemplar.thumbHeight = thumbHeight;
    exemplar.thumbnailRgb = pixels;
}

} // namespace forgelens
