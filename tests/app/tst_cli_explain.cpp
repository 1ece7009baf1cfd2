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

QTEST_GUILESS_MAIN(TestCliExplain)
#include "tst_cli_explain.moc"
