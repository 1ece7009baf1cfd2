// forgelens-cli evaluate as a user runs it: a labelled folder gives the figures, the per-file
// CSV and every plot as PNG and SVG; a second run refuses to overwrite, --report re-evaluates
// without scanning; folder names that are terminal escapes or formulas stay inert; a threshold
// override is written, used by `scan` and refused unpinned under --model-sha256; the evidence
// folder is never written.
#include "cli_run.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
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
const QString kHostile = QStringLiteral("=HYPERLINK(\"x\")\x1b[31m");

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object()
                                          : QJsonObject();
}

QByteArray readBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every file under `folder` with its SHA-256: what "never written" is checked against.
QStringList listing(const QString &folder)
{
    QStringList entries;
    QDirIterator it(
        folder, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        entries << path + QLatin1Char(' ')
                + QString::fromLatin1(
                    QCryptographicHash::hash(readBytes(path), QCryptographicHash::Sha256).toHex());
    }
    entries.sort();
    return entries;
}

} // namespace

class TestCliEvaluate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void figuresCsvAndPlots();
    void aSecondRunRefusesAndAReportNeedsNoScan();
    void hostileFolderNamesStayInert();
    void aThresholdOverrideIsWrittenAndUsed();
    void theEvidenceFolderIsNeverWritten();

private:
    QTemporaryDir m_dir;
    QString m_images;
    QStringList m_before;
};

void TestCliEvaluate::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_images = m_dir.filePath(QStringLiteral("images"));
    QRandomGenerator random(29);
    const auto write = [&](const QString &folder, int i, int level) {
        QImage image(64, 48, QImage::Format_RGB888);
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const int v = std::clamp(level + int(random.bounded(60)) - 30, 0, 255);
                image.setPixelColor(x, y, QColor(v, 255 - v, (x * y + i) % 256));
            }
        return QDir().mkpath(m_images + QLatin1Char('/') + folder)
            && image.save(QStringLiteral("%1/%2/%3.png").arg(m_images, folder).arg(i));
    };
    for (int i = 0; i < 8; ++i) {
        QVERIFY(write(QStringLiteral("real"), i, 30 * i));
        QVERIFY(write(QStringLiteral("sdxl"), i, 200 - 20 * i));
    }
    for (int i = 0; i < 3; ++i)
        QVERIFY(write(kHostile, i, 90 + i));
    m_before = listing(m_images);
}

void TestCliEvaluate::figuresCsvAndPlots()
{
    const QString out = m_dir.filePath(QStringLiteral("eval"));
    const CliRun run = runProgram(kCli,
        { QStringLiteral("evaluate"), m_images, QStringLiteral("--model"), kModel,
            QStringLiteral("-o"), out, QStringLiteral("--bootstrap"), QStringLiteral("200"),
            QStringLiteral("--progress"), QStringLiteral("none") });
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("AUC")), qPrintable(run.out));
    QVERIFY(run.out.contains(QStringLiteral("19 labelled images (8 real, 11 synthetic)")));
    QVERIFY(run.out.contains(QStringLiteral("not any one image"))); // the base-rate caveat

    const QJsonObject document = readJson(out + QStringLiteral("/evaluation.json"));
    QCOMPARE(document.value(QStringLiteral("format")).toString(),
        QStringLiteral("forgelens-evaluation"));
    const QJsonObject detector
        = document.value(QStringLiteral("detectors")).toArray()[0].toObject();
    QCOMPARE(detector.value(QStringLiteral("bundle_sha256")).toString().size(), 64);
    const QJsonObject overall = detector.value(QStringLiteral("overall")).toObject();
    const double auc = overall.value(QStringLiteral("auc")).toDouble(-1);
    const QJsonArray ci = overall.value(QStringLiteral("auc_ci95_bootstrap")).toArray();
    QVERIFY(auc >= 0.0 && auc <= 1.0);
    QVERIFY(ci.size() == 2 && ci[0].toDouble() <= auc && auc <= ci[1].toDouble());
    QCOMPARE(document.value(QStringLiteral("dataset"))
                 .toObject()
                 .value(QStringLiteral("file_list_sha256"))
                 .toString()
                 .size(),
        64);
    // The untrained test model is named as such wherever its figures are.
    QCOMPARE(detector.value(QStringLiteral("caveat")).toString(), QStringLiteral("untrained"));

    for (const char *name : { "roc", "precision-recall", "reliability", "generator-auc",
             "histogram.forgelens-untrained-test" }) {
        const QString stem = out + QLatin1Char('/') + QLatin1String(name);
        const QImage png(stem + QStringLiteral(".png"));
        QVERIFY2(!png.isNull(), name);
        QCOMPARE(png.size(), QSize(1200, 800));
        const QByteArray svg = readBytes(stem + QStringLiteral(".svg"));
        QVERIFY2(svg.startsWith("<?xml") && svg.contains("<svg") && svg.contains("</svg>"), name);
    }
    const QList<QByteArray> scores = readBytes(out + QStringLiteral("/scores.csv")).split('\n');
    QCOMPARE(scores.size(), 1 + 19 + 1); // header, one row per labelled file, the final CRLF
}

void TestCliEvaluate::aSecondRunRefusesAndAReportNeedsNoScan()
{
    const QString out = m_dir.filePath(QStringLiteral("eval"));
    const CliRun again = runProgram(kCli,
        { QStringLiteral("evaluate"), m_images, QStringLiteral("--model"), kModel,
            QStringLiteral("-o"), out, QStringLiteral("--progress"), QStringLiteral("none") });
    QCOMPARE(again.exitCode, 2);
    QVERIFY2(again.err.contains(QStringLiteral("--overwrite")), qPrintable(again.err));

    const QString fromReport = m_dir.filePath(QStringLiteral("from-report"));
    const CliRun run = runProgram(kCli,
        { QStringLiteral("evaluate"), QStringLiteral("--report"), out + QStringLiteral("/scan.csv"),
            QStringLiteral("-o"), fromReport, QStringLiteral("--bootstrap"), QStringLiteral("200"),
            QStringLiteral("--no-plots") });
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(fromReport + QStringLiteral("/scan.csv")));
    QVERIFY(!QFileInfo::exists(fromReport + QStringLiteral("/roc.png")));
    const QJsonObject a = readJson(out + QStringLiteral("/evaluation.json"));
    const QJsonObject b = readJson(fromReport + QStringLiteral("/evaluation.json"));
    QCOMPARE(b.value(QStringLiteral("detectors")), a.value(QStringLiteral("detectors")));
}

void TestCliEvaluate::hostileFolderNamesStayInert()
{
    const QString out = m_dir.filePath(QStringLiteral("eval"));
    const CliRun run = runProgram(kCli,
        { QStringLiteral("evaluate"), QStringLiteral("--report"), out + QStringLiteral("/scan.csv"),
            QStringLiteral("-o"), m_dir.filePath(QStringLiteral("hostile")),
            QStringLiteral("--bootstrap"), QStringLiteral("0") });
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(!run.out.contains(QChar(0x1b)));
    QVERIFY(run.out.contains(QStringLiteral("\\u001b"))); // shown, escaped
    const QByteArray scores = readBytes(m_dir.filePath(QStringLiteral("hostile/scores.csv")));
    QVERIFY(!scores.contains("\n=HYPERLINK"));
    QVERIFY(scores.contains("'=HYPERLINK")); // neutralised as a formula
}

void TestCliEvaluate::aThresholdOverrideIsWrittenAndUsed()
{
    const QString out = m_dir.filePath(QStringLiteral("eval"));
    const QString report = out + QStringLiteral("/scan.csv");
    const QString override = m_dir.filePath(QStringLiteral("mine.threshold.json"));
    // Eight real images cannot place a 1 % rate: refused with a sentence, nothing written.
    const CliRun tooFew = runProgram(kCli,
        { QStringLiteral("evaluate"), QStringLiteral("--report"), report, QStringLiteral("-o"),
            m_dir.filePath(QStringLiteral("t1")), QStringLiteral("--no-plots"),
            QStringLiteral("--write-threshold"),
            QStringLiteral("forgelens-untrained-test=") + override });
    QCOMPARE(tooFew.exitCode, 2);
    QVERIFY2(tooFew.err.contains(QStringLiteral("needs at least")), qPrintable(tooFew.err));
    QVERIFY(!QFileInfo::exists(override));

    const CliRun chosen = runProgram(kCli,
        { QStringLiteral("evaluate"), QStringLiteral("--report"), report, QStringLiteral("-o"),
            m_dir.filePath(QStringLiteral("t2")), QStringLiteral("--no-plots"),
            QStringLiteral("--fpr"), QStringLiteral("0.25"), QStringLiteral("--band-fpr"),
            QStringLiteral("none"), QStringLiteral("--write-threshold"),
            QStringLiteral("forgelens-untrained-test=") + override });
    QVERIFY2(chosen.exitCode == 0, qPrintable(chosen.err));
    const QJsonObject document = readJson(override);
    QCOMPARE(document.value(QStringLiteral("format")).toString(),
        QStringLiteral("forgelens-threshold-override"));
    QVERIFY(
        document.value(QStringLiteral("chosen")).toObject().value(QStringLiteral("fpr")).toDouble()
        <= 0.25);

    const QString scanned = m_dir.filePath(QStringLiteral("with-override.csv"));
    const CliRun scan = runProgram(kCli,
        { QStringLiteral("scan"), m_images, QStringLiteral("--model"), kModel, QStringLiteral("-o"),
            scanned, QStringLiteral("--threshold-override"), override, QStringLiteral("--progress"),
            QStringLiteral("none") });
    QVERIFY2(scan.exitCode == 0, qPrintable(scan.err));
    const QJsonObject sidecar = readJson(scanned + QStringLiteral(".json"));
    const QJsonObject model = sidecar.value(QStringLiteral("models")).toArray()[0].toObject();
    QCOMPARE(
        model.value(QStringLiteral("threshold_override")).toObject().value(QStringLiteral("path")),
        QJsonValue(override));
    QCOMPARE(model.value(QStringLiteral("threshold")).toDouble(),
        document.value(QStringLiteral("manifest"))
            .toObject()
            .value(QStringLiteral("threshold"))
            .toObject()
            .value(QStringLiteral("value"))
            .toDouble());

    const CliRun pinned = runProgram(kCli,
        { QStringLiteral("scan"), m_images, QStringLiteral("--model"), kModel, QStringLiteral("-o"),
            m_dir.filePath(QStringLiteral("pinned.csv")), QStringLiteral("--model-sha256"),
            model.value(QStringLiteral("bundle_sha256")).toString(),
            QStringLiteral("--threshold-override"), override });
    QCOMPARE(pinned.exitCode, 2);
    QVERIFY2(pinned.err.contains(QStringLiteral("pinned too")), qPrintable(pinned.err));
}

void TestCliEvaluate::theEvidenceFolderIsNeverWritten()
{
    QCOMPARE(listing(m_images), m_before);
    const CliRun inside = runProgram(kCli,
        { QStringLiteral("evaluate"), m_images, QStringLiteral("--model"), kModel,
            QStringLiteral("-o"), m_images + QStringLiteral("/eval") });
    QCOMPARE(inside.exitCode, 2);
    QVERIFY(!QFileInfo::exists(m_images + QStringLiteral("/eval")));
}

QTEST_GUILESS_MAIN(TestCliEvaluate)
#include "tst_cli_evaluate.moc"
