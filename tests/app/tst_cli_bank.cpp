// forgelens-cli bank build, info and query as a user runs them: a folder per class to a bank,
// the image's own exemplar found first, a bank refused for another bundle, a killed build
// resumed to the same bank, and the evidence folder left untouched.
#include "cli_run.h"
#include "test_model_factory.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>

using forgelens::testing::CliRun;
using forgelens::testing::runProgram;

namespace {

const QString kCli = QStringLiteral(FORGELENS_CLI);
const QString kModel = QStringLiteral(FORGELENS_TEST_MODEL);

// A picture that differs from every other one the tests make: its embedding does too.
void writePicture(const QString &path, int seed, int size = 96)
{
    QImage image(size, size * 3 / 4, QImage::Format_RGB888);
    QRandomGenerator random{ quint32(seed) };
    image.fill(QColor::fromRgb(random.generate()));
    QPainter painter(&image);
    for (int i = 0; i < 6; ++i) {
        painter.setBrush(QColor::fromRgb(random.generate()));
        painter.drawEllipse(QPoint(random.bounded(size), random.bounded(size)),
            random.bounded(5, 40), random.bounded(5, 40));
    }
    painter.end();
    QVERIFY(image.save(path));
}

// Every file under `root`, with its bytes' SHA-256.
QMap<QString, QByteArray> snapshot(const QString &root)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        file.open(QIODevice::ReadOnly);
        out.insert(path, QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256));
    }
    return out;
}

QJsonObject json(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class TestCliBank : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void buildInfoAndQuery();
    void anotherBundlesBankIsRefused();
    void labelsFromACsv();
    void aKilledBuildResumesToTheSameBank();

private:
    QTemporaryDir m_dir;
    QString m_folder;
};

void TestCliBank::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_folder = m_dir.filePath(QStringLiteral("images"));
    for (const char *sub : { "real", "sdxl" })
        QVERIFY(QDir().mkpath(m_folder + QLatin1Char('/') + QLatin1String(sub)));
    for (int i = 0; i < 6; ++i)
        writePicture(m_folder + QStringLiteral("/real/photo-%1.png").arg(i), i);
    for (int i = 0; i < 4; ++i)
        writePicture(m_folder + QStringLiteral("/sdxl/render-%1.jpg").arg(i), 100 + i);
    writePicture(m_folder + QStringLiteral("/unsorted.png"), 200); // no label
    QFile broken(m_folder + QStringLiteral("/real/broken.png"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write(QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(40, '\0'));
    // A name with an escape sequence: analysed, but kept out of the bank (text from a bank is
    // shown in terminals and reports).
    writePicture(m_folder + QStringLiteral("/real/evil\x1b[2J.png"), 300);
}

void TestCliBank::buildInfoAndQuery()
{
    const QMap<QString, QByteArray> before = snapshot(m_folder);
    const QString bank = m_dir.filePath(QStringLiteral("bank.sqlite"));
    const CliRun build = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("build"), m_folder, QStringLiteral("--model"),
            kModel, QStringLiteral("-o"), bank, QStringLiteral("--licence"),
            QStringLiteral("CC0-1.0"), QStringLiteral("--progress"), QStringLiteral("none") });
    // One file without a label, one that does not decode and one whose name a bank cannot
    // hold: exit 1, the rest in the bank.
    QVERIFY2(build.exitCode == 1, qPrintable(build.err));
    QVERIFY(build.err.contains(QStringLiteral("10 exemplars added, 1 files without a label left "
                                              "out, 2 files could not be analysed or stored")));
    QCOMPARE(snapshot(m_folder), before); // nothing written into the evidence folder
    QVERIFY(QFile::exists(bank + QStringLiteral(".build.csv")));

    const CliRun info = runProgram(
        kCli, { QStringLiteral("bank"), QStringLiteral("info"), bank, QStringLiteral("--json") });
    QCOMPARE(info.exitCode, 0);
    const QJsonObject described = json(info.out);
    QCOMPARE(described.value(QStringLiteral("exemplars")).toInt(), 10);
    QCOMPARE(
        described.value(QStringLiteral("labels")).toObject().value(QStringLiteral("real")).toInt(),
        6);
    QCOMPARE(described.value(QStringLiteral("generators"))
                 .toObject()
                 .value(QStringLiteral("sdxl"))
                 .toInt(),
        4);
    QCOMPARE(described.value(QStringLiteral("licences"))
                 .toObject()
                 .value(QStringLiteral("CC0-1.0"))
                 .toInt(),
        10);
    QCOMPARE(described.value(QStringLiteral("dimension")).toInt(), 8);

    // An image that is in the bank finds itself first, at similarity 1.
    const QString image = m_folder + QStringLiteral("/sdxl/render-2.jpg");
    const CliRun query = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("query"), image, QStringLiteral("--bank"), bank,
            QStringLiteral("--model"), kModel, QStringLiteral("--k"), QStringLiteral("3"),
            QStringLiteral("--json") });
    QVERIFY2(query.exitCode == 0, qPrintable(query.err));
    const QJsonObject result
        = json(query.out).value(QStringLiteral("results")).toArray().first().toObject();
    const QJsonArray neighbours = result.value(QStringLiteral("neighbours")).toArray();
    QCOMPARE(neighbours.size(), 3);
    const QJsonObject first = neighbours.first().toObject();
    QCOMPARE(first.value(QStringLiteral("path")).toString(), QStringLiteral("sdxl/render-2.jpg"));
    QCOMPARE(first.value(QStringLiteral("label")).toString(), QStringLiteral("synthetic"));
    QCOMPARE(first.value(QStringLiteral("generator")).toString(), QStringLiteral("sdxl"));
    QVERIFY(first.value(QStringLiteral("similarity")).toDouble() > 0.9999);
    QVERIFY(neighbours.at(1).toObject().value(QStringLiteral("similarity")).toDouble()
        <= first.value(QStringLiteral("similarity")).toDouble());
    QVERIFY(result.value(QStringLiteral("neighbours_note"))
                .toString()
                .contains(QStringLiteral("not a probability")));

    const CliRun text = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("query"), image, QStringLiteral("--bank"), bank,
            QStringLiteral("--model"), kModel, QStringLiteral("--k"), QStringLiteral("2") });
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains(QStringLiteral("sdxl/render-2.jpg")));
    QVERIFY(text.out.contains(QStringLiteral("of the 2 nearest exemplars are synthetic")));

    // A second build into the same bank without --resume is refused; nothing changes.
    const CliRun again = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("build"), m_folder, QStringLiteral("--model"),
            kModel, QStringLiteral("-o"), bank, QStringLiteral("--progress"),
            QStringLiteral("none") });
    QCOMPARE(again.exitCode, 2);
    QVERIFY(again.err.contains(QStringLiteral("--resume")));
}

void TestCliBank::anotherBundlesBankIsRefused()
{
    const QString other = m_dir.filePath(QStringLiteral("other-model.pt"));
    QVERIFY(forgelens::testing::saveTestBundle(other, forgelens::testing::makeTestModule(1, 99),
        forgelens::testing::testManifest({ { QStringLiteral("id"), QStringLiteral("other") } })));
    const QString bank = m_dir.filePath(QStringLiteral("bank.sqlite"));
    QVERIFY(QFile::exists(bank));
    const CliRun query = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("query"),
            m_folder + QStringLiteral("/real/photo-0.png"), QStringLiteral("--bank"), bank,
            QStringLiteral("--model"), other });
    QCOMPARE(query.exitCode, 2);
    QVERIFY(query.err.contains(QStringLiteral("[bank-mismatch]")));

    // A file that is not a bank at all.
    const QString fake = m_dir.filePath(QStringLiteral("fake.sqlite"));
    QFile file(fake);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray("SQLite format 3\0", 16) + QByteArray(5000, '\x55'));
    file.close();
    const CliRun info = runProgram(kCli, { QStringLiteral("bank"), QStringLiteral("info"), fake });
    QCOMPARE(info.exitCode, 1);
    QVERIFY(info.err.contains(QStringLiteral("[bad-bank]")));
}

void TestCliBank::labelsFromACsv()
{
    const QString labels = m_dir.filePath(QStringLiteral("labels.csv"));
    QFile file(labels);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("path,label,generator,source,license,attribution\r\n"
               "unsorted.png,fake,dall-e-3,openai-labs,proprietary,\r\n"
               "real/photo-1.png,real,,camera roll,CC-BY-4.0,A. Photographer");
    file.close();
    const QString bank = m_dir.filePath(QStringLiteral("labelled.sqlite"));
    const CliRun build = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("build"), m_folder, QStringLiteral("--model"),
            kModel, QStringLiteral("-o"), bank, QStringLiteral("--labels"), labels,
            QStringLiteral("--progress"), QStringLiteral("none") });
    QVERIFY2(build.exitCode == 1, qPrintable(build.err)); // the others have no label here
    const QJsonObject described = json(runProgram(
        kCli, { QStringLiteral("bank"), QStringLiteral("info"), bank, QStringLiteral("--json") })
                                           .out);
    QCOMPARE(described.value(QStringLiteral("exemplars")).toInt(), 2);
    QCOMPARE(described.value(QStringLiteral("generators"))
                 .toObject()
                 .value(QStringLiteral("dall-e-3"))
                 .toInt(),
        1);
    QCOMPARE(described.value(QStringLiteral("licences"))
                 .toObject()
                 .value(QStringLiteral("CC-BY-4.0"))
                 .toInt(),
        1);

    // A label file with an escape sequence in a cell is refused before anything is read.
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("path,label,source\nreal/photo-1.png,real,\x1b[2Jgone\n");
    file.close();
    const CliRun refused = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("build"), m_folder, QStringLiteral("--model"),
            kModel, QStringLiteral("-o"), m_dir.filePath(QStringLiteral("refused.sqlite")),
            QStringLiteral("--labels"), labels, QStringLiteral("--progress"),
            QStringLiteral("none") });
    QCOMPARE(refused.exitCode, 2);
    QVERIFY(refused.err.contains(QStringLiteral("[bad-csv]")));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("refused.sqlite"))));
}

// A build killed with SIGKILL part-way, then resumed, gives a bank with every exemplar once,
// as a build that was never interrupted does.
void TestCliBank::aKilledBuildResumesToTheSameBank()
{
    const QString folder = m_dir.filePath(QStringLiteral("many"));
    QVERIFY(QDir().mkpath(folder + QStringLiteral("/real")));
    QVERIFY(QDir().mkpath(folder + QStringLiteral("/synthetic")));
    for (int i = 0; i < 600; ++i)
        writePicture(folder
                + QStringLiteral("/%1/%2.png")
                      .arg(i % 2 ? QStringLiteral("real") : QStringLiteral("synthetic"))
                      .arg(i, 3, 10, QLatin1Char('0')),
            1000 + i, 64);
    const QString bank = m_dir.filePath(QStringLiteral("resumed.sqlite"));
    const QStringList arguments{ QStringLiteral("bank"), QStringLiteral("build"), folder,
        QStringLiteral("--model"), kModel, QStringLiteral("-o"), bank, QStringLiteral("--progress"),
        QStringLiteral("none"), QStringLiteral("--decode-threads"), QStringLiteral("1") };
    QProcess first;
    first.start(kCli, arguments);
    QVERIFY(first.waitForStarted());
    // Killed as soon as the first rows are vouched for (a flush every 256 rows or 2 s).
    const QString partial = bank + QStringLiteral(".build.csv.partial");
    for (int waited = 0; waited < 1200; ++waited) {
        QFile report(partial);
        if (report.open(QIODevice::ReadOnly) && report.readAll().count('\n') > 20)
            break;
        if (first.state() == QProcess::NotRunning)
            break;
        QThread::msleep(25);
    }
    ::kill(pid_t(first.processId()), SIGKILL);
    first.waitForFinished();
    QVERIFY2(QFile::exists(partial), "the build finished before it could be killed");
    // What a killed build leaves is not a bank to read yet...
    const CliRun early = runProgram(kCli, { QStringLiteral("bank"), QStringLiteral("info"), bank });
    QVERIFY(early.exitCode == 0 || early.err.contains(QStringLiteral("[bad-bank]")));

    const CliRun resumed = runProgram(kCli, arguments + QStringList{ QStringLiteral("--resume") });
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    const QJsonObject described = json(runProgram(
        kCli, { QStringLiteral("bank"), QStringLiteral("info"), bank, QStringLiteral("--json") })
                                           .out);
    QCOMPARE(described.value(QStringLiteral("exemplars")).toInt(), 600);
    QCOMPARE(
        described.value(QStringLiteral("labels")).toObject().value(QStringLiteral("real")).toInt(),
        300);
    QVERIFY(QFile::exists(bank + QStringLiteral(".build.csv")));
}

QTEST_GUILESS_MAIN(TestCliBank)
#include "tst_cli_bank.moc"
