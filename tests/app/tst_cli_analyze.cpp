// Runs the real forgelens-cli binary, as a user would, on good and bad files.
#include "cli_run.h"
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

forgelens::testing::CliRun runCli(const QStringList &arguments)
{
    return forgelens::testing::runProgram(QStringLiteral(FORGELENS_CLI), arguments);
}

QByteArray sha256Of(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly)
        ? QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256)
        : QByteArray();
}

} // namespace

class TestCliAnalyze : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void badFilesFailAloneAndGoodOnesAreAnalysed();
    void jsonHasOneResultPerFile();
    void allGoodExitsZero();
    void usageAndModelErrorsHaveTheirOwnExitCodes();
    void defaultBundleIsFoundAndNamed();
    void severalDetectorsSideBySide();
    void referenceDetectorPrintsScoreBandAndStatus();
};

void TestCliAnalyze::badFilesFailAloneAndGoodOnesAreAnalysed()
{
    const QStringList files{ kFixtures + QStringLiteral("truncated.jpg"),
        kFixtures + QStringLiteral("empty.png"), kFixtures + QStringLiteral("text_renamed.png"),
        kFixtures + QStringLiteral("pattern_baseline.jpg") };
    QList<QByteArray> before;
    for (const QString &file : files)
        before.append(sha256Of(file));

    const forgelens::testing::CliRun run
        = runCli(QStringList{ QStringLiteral("analyze"), QStringLiteral("--model"),
                     QStringLiteral(FORGELENS_TEST_MODEL) }
            + files);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(
        run.err.contains(QStringLiteral("truncated.jpg: error [truncated]")), qPrintable(run.err));
    QVERIFY(run.err.contains(QStringLiteral("empty.png: error [empty-file]")));
    QVERIFY(run.err.contains(QStringLiteral("text_renamed.png: error [not-an-image]")));
    QVERIFY(run.err.contains(QStringLiteral("UNTRAINED TEST MODEL")));
    const qsizetype good = run.out.indexOf(QStringLiteral("pattern_baseline.jpg"));
    QVERIFY2(good >= 0, qPrintable(run.out));
    QVERIFY(run.out.indexOf(QStringLiteral("P(synthetic)"), good) > good);
    QVERIFY(run.out.indexOf(QStringLiteral("JPEG 48x32"), good) > good);

    for (int i = 0; i < files.size(); ++i)
        QCOMPARE(sha256Of(files[i]), before[i]); // evidence is never written
}

void TestCliAnalyze::jsonHasOneResultPerFile()
{
    const forgelens::testing::CliRun run = runCli({ QStringLiteral("analyze"),
        QStringLiteral("--json"), QStringLiteral("--model"), QStringLiteral(FORGELENS_TEST_MODEL),
        kFixtures + QStringLiteral("bomb.png"), kFixtures + QStringLiteral("pattern.webp.missing"),
        kFixtures + QStringLiteral("pattern_lossless.webp") });
    QCOMPARE(run.exitCode, 1);
    const QJsonObject document = QJsonDocument::fromJson(run.out.toUtf8()).object();
    const QJsonObject model = document.value(QStringLiteral("models")).toArray().at(0).toObject();
    QCOMPARE(model.value(QStringLiteral("id")), QStringLiteral("forgelens-untrained-test"));
    QVERIFY(model.value(QStringLiteral("untrained_test_model")).toBool());
    QCOMPARE(model.value(QStringLiteral("caveat")), QStringLiteral("untrained"));
    const QJsonArray results = document.value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 3);
    QCOMPARE(results[0].toObject().value(QStringLiteral("status")),
        QStringLiteral("decompression-bomb"));
    QCOMPARE(results[1].toObject().value(QStringLiteral("status")), QStringLiteral("not-found"));
    const QJsonObject ok = results[2].toObject();
    QCOMPARE(ok.value(QStringLiteral("status")), QStringLiteral("ok"));
    QCOMPARE(ok.value(QStringLiteral("format")), QStringLiteral("webp"));
    QCOMPARE(ok.value(QStringLiteral("sha256")).toString().size(), 64);
    const QJsonObject detector = ok.value(QStringLiteral("detectors")).toArray().at(0).toObject();
    QCOMPARE(detector.value(QStringLiteral("model")), QStringLiteral("forgelens-untrained-test"));
    const double p = detector.value(QStringLiteral("p_synthetic")).toDouble(-1);
    QVERIFY(p >= 0.0 && p <= 1.0);
    // The label carries the model's caveat; the bare verdict is beside it.
    QCOMPARE(detector.value(QStringLiteral("label")).toString(),
        p >= 0.5 ? QStringLiteral("untrained_synthetic") : QStringLiteral("untrained_not_flagged"));
    QCOMPARE(detector.value(QStringLiteral("verdict")).toString(),
        p >= 0.5 ? QStringLiteral("synthetic") : QStringLiteral("not_flagged"));
}

void TestCliAnalyze::allGoodExitsZero()
{
    const forgelens::testing::CliRun run
        = runCli({ QStringLiteral("analyze"), QStringLiteral("--model"),
            QStringLiteral(FORGELENS_TEST_MODEL), kFixtures + QStringLiteral("pattern.png"),
            kFixtures + QStringLiteral("pattern_cmyk.jpg") });
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.count(QStringLiteral("P(synthetic)")), 2);
}

// Without --model, the bundle in $FORGELENS_MODELS (else the build tree's or install prefix's
// model folder) is used, and the program says which.
void TestCliAnalyze::defaultBundleIsFoundAndNamed()
{
    qputenv("FORGELENS_MODELS", QByteArray(FORGELENS_TEST_MODEL));
    const forgelens::testing::CliRun run
        = runCli({ QStringLiteral("analyze"), kFixtures + QStringLiteral("pattern.png") });
    qunsetenv("FORGELENS_MODELS");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(
        run.err.contains(QStringLiteral("using the default model bundle " FORGELENS_TEST_MODEL)),
        qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("forgelens-untrained-test")));

    // Nothing set: the build tree's copy of the reference detector.
    const forgelens::testing::CliRun built
        = runCli({ QStringLiteral("analyze"), kFixtures + QStringLiteral("pattern.png") });
    QCOMPARE(built.exitCode, 0);
    QVERIFY2(built.err.contains(QStringLiteral("reference/reference.pt")), qPrintable(built.err));
}

void TestCliAnalyze::severalDetectorsSideBySide()
{
    const QStringList arguments{ QStringLiteral("analyze"), QStringLiteral("--model"),
        QStringLiteral(FORGELENS_TEST_MODEL), QStringLiteral("--model"),
        QStringLiteral(FORGELENS_REFERENCE_BUNDLE), kFixtures + QStringLiteral("pattern.png") };
    const forgelens::testing::CliRun text = runCli(arguments);
    QCOMPARE(text.exitCode, 0);
    QCOMPARE(text.out.count(QStringLiteral("P(synthetic)")), 2);
    QVERIFY2(text.out.contains(QStringLiteral("agreement    ")), qPrintable(text.out));
    QVERIFY(text.out.indexOf(QStringLiteral("  forgelens-untrained-test\n"))
        < text.out.indexOf(QStringLiteral("  forgelens-reference\n")));

    const forgelens::testing::CliRun json
        = runCli(arguments + QStringList{ QStringLiteral("--json") });
    QCOMPARE(json.exitCode, 0);
    const QJsonObject document = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(document.value(QStringLiteral("models")).toArray().size(), 2);
    const QJsonObject result = document.value(QStringLiteral("results")).toArray().at(0).toObject();
    const QJsonArray detectors = result.value(QStringLiteral("detectors")).toArray();
    QCOMPARE(detectors.size(), 2);
    QCOMPARE(detectors[1].toObject().value(QStringLiteral("model")),
        QStringLiteral("forgelens-reference"));
    QVERIFY(!result.value(QStringLiteral("agreement")).toString().isEmpty());

    // The same id twice is a usage error: its results could not be told apart.
    QCOMPARE(runCli({ QStringLiteral("analyze"), QStringLiteral("--model"),
                        QStringLiteral(FORGELENS_TEST_MODEL), QStringLiteral("--model"),
                        QStringLiteral(FORGELENS_TEST_MODEL),
                        kFixtures + QStringLiteral("pattern.png") })
                 .exitCode,
        2);
}

void TestCliAnalyze::usageAndModelErrorsHaveTheirOwnExitCodes()
{
    QCOMPARE(runCli({}).exitCode, 2);
    QCOMPARE(runCli({ QStringLiteral("frobnicate") }).exitCode, 2);
    QCOMPARE(runCli({ QStringLiteral("analyze"), QStringLiteral("--model"),
                        QStringLiteral(FORGELENS_TEST_MODEL) })
                 .exitCode,
        2); // no image
    const forgelens::testing::CliRun help
        = runCli({ QStringLiteral("analyze"), QStringLiteral("--help") });
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains(QStringLiteral("Exit codes")));
    const forgelens::testing::CliRun missing
        = runCli({ QStringLiteral("analyze"), QStringLiteral("--model"),
            QStringLiteral("/nonexistent/model.pt"), kFixtures + QStringLiteral("pattern.png") });
    QCOMPARE(missing.exitCode, 3);
    QVERIFY(missing.err.contains(QStringLiteral("does not exist")));

    // The probe: --model-sha256 "" turned pinning off. It is a usage error now, and so is a pin
    // for a bundle that was not given, or a pin that is not a SHA-256.
    for (const QStringList &pins : { QStringList{ QString() }, QStringList{ QStringLiteral("abc") },
             QStringList{ QString(64, QLatin1Char('0')), QString(64, QLatin1Char('1')) } }) {
        QStringList arguments{ QStringLiteral("analyze"), QStringLiteral("--model"),
            QStringLiteral(FORGELENS_TEST_MODEL), kFixtures + QStringLiteral("pattern.png") };
        for (const QString &pin : pins)
            arguments << QStringLiteral("--model-sha256") << pin;
        const forgelens::testing::CliRun refused = runCli(arguments);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("--model-sha256")), qPrintable(refused.err));
    }
    const forgelens::testing::CliRun wrongPin
        = runCli({ QStringLiteral("analyze"), QStringLiteral("--model"),
            QStringLiteral(FORGELENS_TEST_MODEL), QStringLiteral("--model-sha256"),
            QString(64, QLatin1Char('0')), kFixtures + QStringLiteral("pattern.png") });
    QCOMPARE(wrongPin.exitCode, 3);
    QVERIFY(wrongPin.err.contains(QStringLiteral("hash-mismatch")));
}

// The shipped reference detector on the shipped sample photograph: the score, the band it falls
// in, and (when its manifest says so) that it is experimental, in text and in JSON, consistent
// with each other and with the manifest's band.
void TestCliAnalyze::referenceDetectorPrintsScoreBandAndStatus()
{
    const QStringList arguments{ QStringLiteral("analyze"), QStringLiteral("--model"),
        QStringLiteral(FORGELENS_REFERENCE_BUNDLE), QStringLiteral(FORGELENS_SAMPLE_IMAGE) };
    const forgelens::testing::CliRun json
        = runCli(arguments + QStringList{ QStringLiteral("--json") });
    QCOMPARE(json.exitCode, 0);
    const QJsonObject document = QJsonDocument::fromJson(json.out.toUtf8()).object();
    const QJsonObject model = document.value(QStringLiteral("models")).toArray().at(0).toObject();
    QCOMPARE(model.value(QStringLiteral("family")), QStringLiteral("reference"));
    const QJsonObject band = model.value(QStringLiteral("inconclusive_band")).toObject();
    const double low = band.value(QStringLiteral("low")).toDouble(-1);
    const double high = band.value(QStringLiteral("high")).toDouble(-1);
    QVERIFY2(0.0 < low && low < high && high < 1.0, qPrintable(json.out));
    const bool experimental = model.value(QStringLiteral("experimental")).toBool();

    const QJsonObject file = document.value(QStringLiteral("results")).toArray().at(0).toObject();
    QCOMPARE(file.value(QStringLiteral("status")), QStringLiteral("ok"));
    const QJsonObject result = file.value(QStringLiteral("detectors")).toArray().at(0).toObject();
    const double p = result.value(QStringLiteral("p_synthetic")).toDouble(-1);
    QVERIFY(p >= 0.0 && p <= 1.0);
    const QString verdict = p >= high ? QStringLiteral("synthetic")
        : p >= low                    ? QStringLiteral("inconclusive")
                                      : QStringLiteral("not_flagged");
    // One label vocabulary: the verdict, prefixed with the model's caveat.
    const QString label = (experimental ? QStringLiteral("experimental_") : QString()) + verdict;
    QCOMPARE(result.value(QStringLiteral("label")).toString(), label);
    QCOMPARE(result.value(QStringLiteral("verdict")).toString(), verdict);
    QCOMPARE(result.value(QStringLiteral("experimental")).toBool(), experimental);

    const forgelens::testing::CliRun text = runCli(arguments);
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains(QStringLiteral("label        ") + label), qPrintable(text.out));
    QVERIFY2(text.out.contains(QStringLiteral("P(synthetic) ") + QString::number(p, 'f', 4)),
        qPrintable(text.out));
    QVERIFY2(
        text.out.contains(QStringLiteral("band         inconclusive from %1 to %2")
                              .arg(QString::number(low, 'f', 4), QString::number(high, 'f', 4))),
        qPrintable(text.out));
    QCOMPARE(text.out.contains(QStringLiteral("[EXPERIMENTAL detector]")), experimental);
    QCOMPARE(text.out.contains(QStringLiteral("NOTE: EXPERIMENTAL detector")), experimental);
}
QTEST_GUILESS_MAIN(TestCliAnalyze)
#include "tst_cli_analyze.moc"
