#include "forgelens/exemplars/bank_build.h"
#include "forgelens/exemplars/exemplar_bank.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>
#include <zlib.h>

#include <cmath>

using namespace forgelens;

namespace {

const QString kBundle = QString(64, QLatin1Char('a'));
constexpr int kDimension = 8;

QString sha(const QByteArray &seed)
{
    return QString::fromLatin1(QCryptographicHash::hash(seed, QCryptographicHash::Sha256).toHex());
}

Exemplar makeExemplar(int i, const QString &label)
{
    Exemplar e;
    e.path = QStringLiteral("%1/image-%2.png").arg(label).arg(i);
    e.label = label;
    e.generator = label == QStringLiteral("synthetic") ? QStringLiteral("sdxl") : QString();
    e.source = QStringLiteral("ForgeLens tests");
    e.licence = QStringLiteral("CC0-1.0");
    e.attribution = QStringLiteral("the ForgeLens authors");
    e.sha256 = sha(e.path.toUtf8());
    e.width = 64 + i;
    e.height = 48;
    e.embedding.resize(kDimension);
    for (int d = 0; d < kDimension; ++d)
        e.embedding[size_t(d)] = float((i + 1) * (d % 3 == 0 ? 2.0 : -0.5) + d);
    std::vector<unsigned char> rgb(size_t(e.width) * e.height * 3);
    for (size_t p = 0; p < rgb.size(); ++p)
        rgb[p] = static_cast<unsigned char>((p * 7 + size_t(i) * 13) % 251);
    ExemplarBank::setThumbnail(e, rgb.data(), e.width, e.height, 32);
    return e;
}

// Runs SQL on a bank as an attacker (or a damaged disk) would: behind ForgeLens' back.
void tamper(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
    char *message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    const QString text = QString::fromUtf8(message ? message : "");
    sqlite3_free(message);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, qPrintable(text));
}

} // namespace

class TestExemplarBank : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void aBankKeepsWhatWasPutIn();
    void aBankForAnotherBundleIsRefused();
    void insertRefusesWhatABankCannotHold();
    void openingWritesNothing();
    void damagedFilesGiveClearErrors_data();
    void damagedFilesGiveClearErrors();
    void tamperedContentIsRefused_data();
    void tamperedContentIsRefused();
    void randomlyDamagedBanksNeverCrash();
    void folderLayoutsGiveLabels_data();
    void folderLayoutsGiveLabels();
    void theShippedBankIsTheReferenceDetectorsAndAttributed();

private:
    QString makeBank(int real = 3, int synthetic = 2);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestExemplarBank::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestExemplarBank::makeBank(int real, int synthetic)
{
    const QString path = m_dir->filePath(QStringLiteral("bank.sqlite"));
    auto bank = ExemplarBank::create(
        path, BankIdentity{ kBundle, QStringLiteral("test-bundle"), kDimension });
    if (!bank.ok())
        return {};
    for (int i = 0; i < real; ++i)
        (*bank)->insert(makeExemplar(i, QStringLiteral("real")));
    for (int i = 0; i < synthetic; ++i)
        (*bank)->insert(makeExemplar(i, QStringLiteral("synthetic")));
    if ((*bank)->commit())
        return {};
    return path;
}

void TestExemplarBank::aBankKeepsWhatWasPutIn()
{
    const QString path = makeBank(3, 2);
    QVERIFY(!path.isEmpty());
    // The same path again replaces its exemplar.
    {
        auto bank = ExemplarBank::openForWriting(path);
        QVERIFY2(bank.ok(), qPrintable(bank.ok() ? QString() : bank.error().message));
        Exemplar changed = makeExemplar(0, QStringLiteral("real"));
        changed.attribution = QStringLiteral("someone else");
        QVERIFY(!(*bank)->insert(changed));
        QVERIFY(!(*bank)->commit());
    }
    auto bank = ExemplarBank::open(path);
    QVERIFY2(bank.ok(), qPrintable(bank.ok() ? QString() : bank.error().message));
    QCOMPARE((*bank)->identity().bundleSha256, kBundle);
    QCOMPARE((*bank)->identity().dimension, kDimension);
    QVERIFY((*bank)->contains(QStringLiteral("real/image-1.png")));
    QVERIFY(!(*bank)->contains(QStringLiteral("real/image-9.png")));

    const Result<BankInfo> info = (*bank)->info();
    QVERIFY(info.ok());
    QCOMPARE(info->count, qint64(5));
    QCOMPARE(info->labelCounts.at(QStringLiteral("real")), qint64(3));
    QCOMPARE(info->labelCounts.at(QStringLiteral("synthetic")), qint64(2));
    QCOMPARE(info->generatorCounts.at(QStringLiteral("sdxl")), qint64(2));
    QCOMPARE(info->licenceCounts.at(QStringLiteral("CC0-1.0")), qint64(5));
    QVERIFY(info->createdUtc.isValid());
    QVERIFY(info->tool.startsWith(QStringLiteral("ForgeLens ")));

    const Result<BankEmbeddings> embeddings = (*bank)->embeddings();
    QVERIFY(embeddings.ok());
    QCOMPARE(embeddings->ids.size(), size_t(5));
    QCOMPARE(embeddings->vectors.size(), size_t(5 * kDimension));
    QCOMPARE(int(std::count(embeddings->synthetic.begin(), embeddings->synthetic.end(), true)), 2);
    for (size_t r = 0; r < embeddings->ids.size(); ++r) {
        double norm = 0;
        for (int d = 0; d < kDimension; ++d)
            norm += std::pow(embeddings->vectors[r * kDimension + size_t(d)], 2);
        QVERIFY(std::abs(norm - 1.0) < 1e-5); // stored of unit length
    }

    const Exemplar expected = makeExemplar(1, QStringLiteral("synthetic"));
    qint64 id = 0;
    for (size_t r = 0; r < embeddings->ids.size(); ++r) {
        const Result<Exemplar> e = (*bank)->exemplar(embeddings->ids[r]);
        QVERIFY(e.ok());
        if (e->path == expected.path)
            id = e->id;
        if (e->path == QStringLiteral("real/image-0.png"))
            QCOMPARE(e->attribution, QStringLiteral("someone else"));
    }
    const Result<Exemplar> stored = (*bank)->exemplar(id);
    QVERIFY(stored.ok());
    QCOMPARE(stored->label, expected.label);
    QCOMPARE(stored->generator, expected.generator);
    QCOMPARE(stored->sha256, expected.sha256);
    QCOMPARE(stored->width, expected.width);
    QCOMPARE(stored->thumbWidth, 32);
    QCOMPARE(stored->thumbHeight, expected.thumbHeight);
    QCOMPARE(stored->thumbnailRgb, expected.thumbnailRgb);
    QCOMPARE((*bank)->exemplar(999).error().code, ErrorCode::NotFound);
}

void TestExemplarBank::aBankForAnotherBundleIsRefused()
{
    const QString path = makeBank();
    auto bank = ExemplarBank::open(path);
    QVERIFY(bank.ok());
    QVERIFY(!(*bank)->checkBundle(kBundle, kDimension));
    const std::optional<Error> other
        = (*bank)->checkBundle(QString(64, QLatin1Char('b')), kDimension);
    QVERIFY(other);
    QCOMPARE(other->code, ErrorCode::BankMismatch);
    QVERIFY(other->message.contains(QStringLiteral("test-bundle")));
    const std::optional<Error> size = (*bank)->checkBundle(kBundle, kDimension * 2);
    QVERIFY(size);
    QCOMPARE(size->code, ErrorCode::BankMismatch);
}

void TestExemplarBank::insertRefusesWhatABankCannotHold()
{
    const QString path = m_dir->filePath(QStringLiteral("bank.sqlite"));
    auto bank
        = ExemplarBank::create(path, BankIdentity{ kBundle, QStringLiteral("b"), kDimension });
    QVERIFY(bank.ok());
    QCOMPARE(ExemplarBank::create(path, BankIdentity{ kBundle, QStringLiteral("b"), kDimension })
                 .error()
                 .code,
        ErrorCode::OutputExists);
    QCOMPARE(ExemplarBank::create(m_dir->filePath(QStringLiteral("x.sqlite")),
                 BankIdentity{ QStringLiteral("abc"), QStringLiteral("b"), kDimension })
                 .error()
                 .code,
        ErrorCode::BadSettings);
    const auto refused = [&](const std::function<void(Exemplar &)> &change) {
        Exemplar e = makeExemplar(0, QStringLiteral("real"));
        change(e);
        const std::optional<Error> error = (*bank)->insert(e);
        return error && error->code == ErrorCode::BadSettings;
    };
    QVERIFY(refused([](Exemplar &e) { e.label = QStringLiteral("fake"); }));
    QVERIFY(refused([](Exemplar &e) { e.sha256 = QStringLiteral("ABC"); }));
    QVERIFY(refused([](Exemplar &e) { e.embedding.pop_back(); }));
    QVERIFY(refused([](Exemplar &e) { std::fill(e.embedding.begin(), e.embedding.end(), 0.0f); }));
    QVERIFY(refused([](Exemplar &e) { e.embedding[0] = std::nanf(""); }));
    QVERIFY(refused([](Exemplar &e) { e.source = QStringLiteral("a\x1b[2Jb"); }));
    QVERIFY(refused([](Exemplar &e) { e.path.clear(); }));
    QVERIFY(refused([](Exemplar &e) { e.thumbnailRgb.chop(1); }));
    QVERIFY(!(*bank)->commit());
    QCOMPARE((*bank)->info()->count, qint64(0));
}

void TestExemplarBank::openingWritesNothing()
{
    const QString path = makeBank();
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();
    const QStringList listing = QDir(m_dir->path()).entryList(QDir::AllEntries | QDir::Hidden);
    QFile::setPermissions(path, QFile::ReadOwner); // as evidence on a read-only medium
    {
        auto bank = ExemplarBank::open(path);
        QVERIFY2(bank.ok(), qPrintable(bank.ok() ? QString() : bank.error().message));
        QVERIFY((*bank)->info().ok());
        QVERIFY((*bank)->embeddings().ok());
    }
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::AllEntries | QDir::Hidden), listing);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
}

void TestExemplarBank::damagedFilesGiveClearErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("code");
    QTest::newRow("missing") << "missing" << int(ErrorCode::NotFound);
    QTest::newRow("empty") << "empty" << int(ErrorCode::BadBank);
    QTest::newRow("not sqlite") << "text" << int(ErrorCode::BadBank);
    QTest::newRow("a folder") << "folder" << int(ErrorCode::BadBank);
    QTest::newRow("header only") << "header" << int(ErrorCode::BadBank);
    QTest::newRow("truncated to half") << "half" << int(ErrorCode::BadBank);
    QTest::newRow("truncated to one page") << "page" << int(ErrorCode::BadBank);
    QTest::newRow("write-ahead log") << "wal" << int(ErrorCode::BadBank);
    QTest::newRow("another sqlite database") << "other" << int(ErrorCode::BadBank);
}

void TestExemplarBank::damagedFilesGiveClearErrors()
{
    QFETCH(QString, kind);
    QFETCH(int, code);
    // Enough exemplars for several pages, so that cutting the file loses some.
    const QString good = makeBank(40, 40);
    QFile source(good);
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QByteArray bytes = source.readAll();
    source.close();
    QVERIFY(bytes.size() > 8192);
    const QString path = m_dir->filePath(QStringLiteral("damaged.sqlite"));
    const auto write = [&](const QByteArray &content) {
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(content);
    };
    if (kind == QStringLiteral("empty"))
        write({});
    else if (kind == QStringLiteral("text"))
        write(QByteArray(4096, 'x'));
    else if (kind == QStringLiteral("folder"))
        QVERIFY(QDir().mkpath(path));
    else if (kind == QStringLiteral("header"))
        write(bytes.left(100));
    else if (kind == QStringLiteral("half"))
        write(bytes.left(bytes.size() / 2));
    else if (kind == QStringLiteral("page"))
        write(bytes.left(4096));
    else if (kind == QStringLiteral("wal")) {
        QVERIFY(QFile::copy(good, path));
        tamper(path, "PRAGMA journal_mode=WAL; CREATE TABLE x(y); DROP TABLE x;");
    } else if (kind == QStringLiteral("other")) {
        tamper(path, "CREATE TABLE notes(a TEXT); INSERT INTO notes VALUES('x');");
    }
    Result<std::unique_ptr<ExemplarBank>> bank = ExemplarBank::open(path);
    // A truncated file may still open when SQLite finds what it reads intact; it must then
    // fail on reading what is missing, never crash.
    if (bank.ok()) {
        QVERIFY(kind == QStringLiteral("half"));
        QVERIFY(!(*bank)->info().ok() || !(*bank)->embeddings().ok());
        QCOMPARE((*bank)->embeddings().error().code, ErrorCode::BadBank);
        return;
    }
    QCOMPARE(int(bank.error().code), code);
    QVERIFY(bank.error().message.contains(path));
}

void TestExemplarBank::tamperedContentIsRefused_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>(
        "stage"); // where it must be refused: open, info, embeddings, exemplar
    QTest::newRow("a view") << "CREATE VIEW v AS SELECT * FROM exemplars"
                            << "open";
    QTest::newRow("a trigger")
        << "CREATE TRIGGER t AFTER INSERT ON exemplars BEGIN DELETE FROM meta; END"
        << "open";
    QTest::newRow("an index") << "CREATE INDEX i ON exemplars(label)"
                              << "open";
    QTest::newRow("another column") << "ALTER TABLE exemplars ADD COLUMN extra TEXT"
                                    << "open";
    QTest::newRow("another format") << "UPDATE meta SET value = '2' WHERE key = 'format'"
                                    << "open";
    QTest::newRow("no bundle") << "DELETE FROM meta WHERE key = 'bundle_sha256'"
                               << "open";
    QTest::newRow("huge dimension") << "UPDATE meta SET value = '100000' WHERE key = 'dimension'"
                                    << "open";
    QTest::newRow("unknown label") << "UPDATE exemplars SET label = 'maybe' WHERE id = 1"
                                   << "info";
    QTest::newRow("escape sequence in source")
        << "UPDATE exemplars SET source = 'x' || char(27) || '[2J' WHERE id = 2"
        << "info";
    QTest::newRow("bad sha-256") << "UPDATE exemplars SET sha256 = 'zz' WHERE id = 1"
                                 << "info";
    QTest::newRow("text where a number goes") << "UPDATE exemplars SET width = 'wide' WHERE id = 1"
                                              << "info";
    QTest::newRow("short embedding") << "UPDATE exemplars SET embedding = zeroblob(12) WHERE id = 1"
                                     << "embeddings";
    QTest::newRow("embedding not of unit length")
        << "UPDATE exemplars SET embedding = zeroblob(32) WHERE id = 1"
        << "embeddings";
    QTest::newRow("embedding as text")
        << "UPDATE exemplars SET embedding = '12345678901234567890123456789012' WHERE id = 1"
        << "embeddings";
    QTest::newRow("thumbnail not deflate")
        << "UPDATE exemplars SET thumbnail = x'0102030405' WHERE id = 1"
        << "exemplar";
    QTest::newRow("thumbnail size out of range")
        << "UPDATE exemplars SET thumb_width = 100000 WHERE id = 1"
        << "exemplar";
    QTest::newRow("thumbnail larger than declared")
        << "UPDATE exemplars SET thumb_width = 2, thumb_height = 2 WHERE id = 1"
        << "exemplar";
}

void TestExemplarBank::tamperedContentIsRefused()
{
    QFETCH(QString, sql);
    QFETCH(QString, stage);
    const QString path = makeBank();
    tamper(path, sql.toUtf8().constData());
    Result<std::unique_ptr<ExemplarBank>> bank = ExemplarBank::open(path);
    if (stage == QStringLiteral("open")) {
        QVERIFY(!bank.ok());
        QCOMPARE(bank.error().code, ErrorCode::BadBank);
        return;
    }
    QVERIFY2(bank.ok(), qPrintable(bank.ok() ? QString() : bank.error().message));
    if (stage == QStringLiteral("info")) {
        QCOMPARE((*bank)->info().error().code, ErrorCode::BadBank);
        QCOMPARE((*bank)->embeddings().error().code, ErrorCode::BadBank);
    } else if (stage == QStringLiteral("embeddings")) {
        QVERIFY((*bank)->info().ok()); // the listing does not read embeddings
        QCOMPARE((*bank)->embeddings().error().code, ErrorCode::BadBank);
    } else {
        QVERIFY((*bank)->embeddings().ok());
        QCOMPARE((*bank)->exemplar(1).error().code, ErrorCode::BadBank);
        QVERIFY((*bank)->exemplar(2).ok());
    }
}

// 300 copies of a bank, each with 1 to 16 bytes overwritten at random: every call answers with
// a value or bad-bank.
void TestExemplarBank::randomlyDamagedBanksNeverCrash()
{
    const QString good = makeBank(20, 20);
    QFile source(good);
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QByteArray bytes = source.readAll();
    QRandomGenerator random(2026);
    const QString path = m_dir->filePath(QStringLiteral("flipped.sqlite"));
    int opened = 0;
    for (int round = 0; round < 300; ++round) {
        QByteArray damaged = bytes;
        const int flips = 1 + int(random.bounded(16));
        for (int f = 0; f < flips; ++f)
            damaged[qsizetype(random.bounded(quint32(damaged.size())))] = char(random.bounded(256));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(damaged);
        out.close();
        Result<std::unique_ptr<ExemplarBank>> bank = ExemplarBank::open(path);
        if (!bank.ok()) {
            QCOMPARE(bank.error().code, ErrorCode::BadBank);
            continue;
        }
        ++opened;
        const Result<BankInfo> info = (*bank)->info();
        QVERIFY(info.ok() || info.error().code == ErrorCode::BadBank);
        const Result<BankEmbeddings> embeddings = (*bank)->embeddings();
        QVERIFY(embeddings.ok() || embeddings.error().code == ErrorCode::BadBank);
        for (qint64 id = 1; id <= 40; ++id) {
            const Result<Exemplar> e = (*bank)->exemplar(id);
            QVERIFY(e.ok() || e.error().code == ErrorCode::BadBank
                || e.error().code == ErrorCode::NotFound);
        }
    }
    qInfo("%d of 300 damaged copies still opened", opened);
}

void TestExemplarBank::folderLayoutsGiveLabels_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("label"); // empty: no label
    QTest::addColumn<QString>("generator");
    QTest::newRow("real/") << "real/a.jpg"
                           << "real"
                           << "";
    QTest::newRow("Fake/") << "Fake/a.jpg"
                           << "synthetic"
                           << "";
    QTest::newRow("generator/") << "sdxl/a.png"
                                << "synthetic"
                                << "sdxl";
    QTest::newRow("generator/deeper/") << "sdxl/batch1/a.png"
                                       << "synthetic"
                                       << "sdxl";
    QTest::newRow("gen/1_fake/") << "sd14/1_fake/a.png"
                                 << "synthetic"
                                 << "sd14";
    QTest::newRow("gen/0_real/") << "sd14/0_real/a.png"
                                 << "real"
                                 << "";
    QTest::newRow("0_real/") << "0_real/a.png"
                             << "real"
                             << "";
    QTest::newRow("1_fake/ at the top") << "1_fake/a.png"
                                        << "synthetic"
                                        << "";
    QTest::newRow("real/ under a set") << "set-a/real/x/a.png"
                                       << "real"
                                       << "";
    QTest::newRow("no folder") << "a.png"
                               << ""
                               << "";
}

void TestExemplarBank::folderLayoutsGiveLabels()
{
    QFETCH(QString, path);
    QFETCH(QString, label);
    QFETCH(QString, generator);
    const std::optional<ExemplarLabel> given = labelFromFolders(path);
    QCOMPARE(given.has_value(), !label.isEmpty());
    if (given) {
        QCOMPARE(given->label, label);
        QCOMPARE(given->generator, generator);
    }
}

// The bank shipped beside the reference detector: made with that very bundle, both classes
// present, and every exemplar with its source, a licence and whom to credit (a thumbnail of it
// is redistributed).
void TestExemplarBank::theShippedBankIsTheReferenceDetectorsAndAttributed()
{
    QFile bundle(QStringLiteral(FORGELENS_REFERENCE_DIR "/reference.pt"));
    QVERIFY(bundle.open(QIODevice::ReadOnly));
    const QString bundleSha = QString::fromLatin1(
        QCryptographicHash::hash(bundle.readAll(), QCryptographicHash::Sha256).toHex());
    auto bank
        = ExemplarBank::open(QStringLiteral(FORGELENS_REFERENCE_DIR "/reference.bank.sqlite"));
    QVERIFY2(bank.ok(), qPrintable(bank.ok() ? QString() : bank.error().message));
    QVERIFY(!(*bank)->checkBundle(bundleSha, (*bank)->identity().dimension));
    const Result<BankInfo> info = (*bank)->info();
    QVERIFY(info.ok());
    QVERIFY(info->labelCounts.at(QStringLiteral("real")) > 0);
    QVERIFY(info->labelCounts.at(QStringLiteral("synthetic")) > 0);
    const Result<BankEmbeddings> all = (*bank)->embeddings();
    QVERIFY(all.ok());
    for (qint64 id : all->ids) {
        const Result<Exemplar> e = (*bank)->exemplar(id);
        QVERIFY(e.ok());
        QVERIFY2(!e->licence.isEmpty() && !e->attribution.isEmpty() && !e->source.isEmpty(),
            qPrintable(e->path));
        QVERIFY(!e->licence.contains(QStringLiteral("none stated")));
        QVERIFY(!e->thumbnailRgb.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestExemplarBank)
#include "tst_exemplar_bank.moc"
