// forgelens-cli explain as a user runs it: a plain picture with a square of noise pasted into it
// gives a tile-score and a self-consistency map, as PNG over the image and as JSON, with the
// pasted square's window the least consistent; the evidence folder is never written.
#include "cli_run.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using forgelens::testing::CliRun;
using forgelens::testing::runProgram;

namespace {

const QString kCli = QStringLiteral(FORGELENS_CLI);
const QString kModel = QStringLiteral(FORGELENS_TEST_MODEL);

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object()
                                          : QJsonObject();
}

} // namespace

class TestCliExplain : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mapsOfAPastedSquare();
    void theEvidenceFolderIsNeverWritten();
    void aBankGivesThePatchSimilarityMap();
};

void TestCliExplain::mapsOfAPastedSquare()
{
    QTemporaryDir dir;
    const QString evidence = dir.filePath(QStringLiteral("evidence"));
    QVERIFY(QDir().mkpath(evidence));
    QImage image(320, 256, QImage::Format_RGB888);
    image.fill(QColor(120, 110, 100));
    QRandomGenerator random(5);
    for (int y = 96; y < 160; ++y)
        for (int x = 128; x < 192; ++x)
            image.setPixelColor(x, y, QColor::fromRgb(random.generate()));
    const QString path = evidence + QStringLiteral("/composite.png");
    QVERIFY(image.save(path));

    const QString maps = dir.filePath(QStringLiteral("maps"));
    const CliRun run = runProgram(kCli,
        { QStringLiteral("explain"), path, QStringLiteral("--model"), kModel, QStringLiteral("-o"),
            maps });
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("tile-score: 9 x 7 windows of 64 px")));

    const QString stem = maps + QStringLiteral("/composite.forgelens-untrained-test.");
    const QJsonObject tiles = readJson(stem + QStringLiteral("tile-score.json"));
    QCOMPARE(tiles.value(QStringLiteral("kind")).toString(), QStringLiteral("tile-score"));
    QCOMPARE(tiles.value(QStringLiteral("rows")).toInt(), 7);
    QCOMPARE(tiles.value(QStringLiteral("cols")).toInt(), 9);
    QCOMPARE(tiles.value(QStringLiteral("image"))
                 .toObject()
                 .value(QStringLiteral("sha256"))
                 .toString()
                 .size(),
        64);

    // The least consistent window is the pasted square's.
    const QJsonObject consistency = readJson(stem + QStringLiteral("self-consistency.json"));
    const QJsonArray values = consistency.value(QStringLiteral("values")).toArray();
    const QJsonArray windows = consistency.value(QStringLiteral("windows")).toArray();
    QCOMPARE(values.size(), 7);
    double lowest = 2.0;
    QJsonArray lowestWindow;
    for (int r = 0; r < values.size(); ++r)
        for (int c = 0; c < values[r].toArray().size(); ++c)
            if (values[r].toArray()[c].toDouble() < lowest) {
                lowest = values[r].toArray()[c].toDouble();
                lowestWindow = windows[r].toArray()[c].toArray();
            }
    QCOMPARE(lowestWindow, (QJsonArray{ 128, 96, 64, 64 }));

    for (const char *kind : { "tile-score", "self-consistency" }) {
        const QImage drawn(stem + QLatin1String(kind) + QStringLiteral(".png"));
        QVERIFY(!drawn.isNull());
        QCOMPARE(drawn.width(), 320);
        QVERIFY(drawn.height() > 256); // the image, then its legend
    }
}

void TestCliExplain::theEvidenceFolderIsNeverWritten()
{
    QTemporaryDir dir;
    QImage image(80, 80, QImage::Format_RGB888);
    image.fill(Qt::darkCyan);
    const QString path = dir.filePath(QStringLiteral("photo.png"));
    QVERIFY(image.save(path));
    const QStringList before = QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden);
    const CliRun run = runProgram(kCli,
        { QStringLiteral("explain"), path, QStringLiteral("--model"), kModel, QStringLiteral("-o"),
            dir.path() });
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QStringLiteral("never written")));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden), before);
}

// A bank built with `bank build` from noise (synthetic/) and plain colours (real/): the pasted
// noise square's window leans synthetic on the patch-similarity map, a plain corner real. A file
// that is no bank is refused before anything is drawn.
void TestCliExplain::aBankGivesThePatchSimilarityMap()
{
    QTemporaryDir dir;
    QRandomGenerator random(21);
    for (const char *label : { "real", "synthetic" }) {
        const QString folder = dir.filePath(QStringLiteral("exemplars/") + QLatin1String(label));
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < 3; ++i) {
            QImage exemplar(64, 64, QImage::Format_RGB888);
            exemplar.fill(QColor(100 + 20 * i, 110, 100 - 10 * i));
            if (QLatin1String(label) == QLatin1String("synthetic"))
                for (int y = 0; y < 64; ++y)
                    for (int x = 0; x < 64; ++x)
                        exemplar.setPixelColor(x, y, QColor::fromRgb(random.generate()));
            QVERIFY(exemplar.save(folder + QStringLiteral("/%1.png").arg(i)));
        }
    }
    const QString bank = dir.filePath(QStringLiteral("bank.sqlite"));
    const CliRun built = runProgram(kCli,
        { QStringLiteral("bank"), QStringLiteral("build"),
            dir.filePath(QStringLiteral("exemplars")), QStringLiteral("--model"), kModel,
            QStringLiteral("-o"), bank });
    QVERIFY2(built.exitCode == 0, qPrintable(built.err));

    const QString evidence = dir.filePath(QStringLiteral("evidence"));
    QVERIFY(QDir().mkpath(evidence));
    QImage image(320, 256, QImage::Format_RGB888);
    image.fill(QColor(120, 110, 100));
    for (int y = 96; y < 160; ++y)
        for (int x = 128; x < 192; ++x)
            image.setPixelColor(x, y, QColor::fromRgb(random.generate()));
    const QString path = evidence + QStringLiteral("/composite.png");
    QVERIFY(image.save(path));
    const QString maps = dir.filePath(QStringLiteral("maps"));
    const CliRun run = runProgram(kCli,
        { QStringLiteral("explain"), path, QStringLiteral("--model"), kModel,
            QStringLiteral("--bank"), bank, QStringLiteral("-o"), maps });
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("patch-similarity: 9 x 7 windows")));
    const QJsonObject patch = readJson(
        maps + QStringLiteral("/composite.forgelens-untrained-test.patch-similarity.json"));
    QCOMPARE(patch.value(QStringLiteral("bank")).toObject().value(QStringLiteral("real_exemplars")),
        QJsonValue(3));
    const QJsonArray values = patch.value(QStringLiteral("values")).toArray();
    const double pasted = values[3].toArray()[4].toDouble(); // window (128, 96)
    const double corner = values[0].toArray()[0].toDouble();
    QVERIFY2(
        pasted > 0.0 && corner < 0.0, qPrintable(QStringLiteral("%1 %2").arg(pasted).arg(corner)));

    // Without a bank the output says why there is no such map.
    const CliRun without = runProgram(kCli,
        { QStringLiteral("explain"), path, QStringLiteral("--model"), kModel, QStringLiteral("-o"),
            dir.filePath(QStringLiteral("maps2")) });
    QVERIFY(without.out.contains(QStringLiteral("no exemplar bank is attached")));

    QFile notABank(dir.filePath(QStringLiteral("notes.sqlite")));
    QVERIFY(notABank.open(QIODevice::WriteOnly));
    notABank.write("SQLite format 3\0 but not really");
    notABank.close();
    const CliRun refused = runProgram(kCli,
        { QStringLiteral("explain"), path, QStringLiteral("--model"), kModel,
            QStringLiteral("--bank"), notABank.fileName(), QStringLiteral("-o"),
            dir.filePath(QStringLiteral("maps3")) });
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QStringLiteral("bad-bank")), qPrintable(refused.err));
    QVERIFY(!QDir(dir.filePath(QStringLiteral("maps3"))).exists()
        || QDir(dir.filePath(QStringLiteral("maps3"))).isEmpty());
}

QTEST_GUILESS_MAIN(TestCliExplain)
#include "tst_cli_explain.moc"
