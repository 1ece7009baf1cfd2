// Runs the real `forgelens-cli metadata` on files the test writes, as a user would.
#include "cli_run.h"
#include "metadata_fixtures.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace forgelens::testing;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

forgelens::testing::CliRun runCli(const QStringList &arguments)
{
    return forgelens::testing::runProgram(QStringLiteral(FORGELENS_CLI), arguments);
}

QString write(const QTemporaryDir &dir, const char *name, const QByteArray &bytes)
{
    const QString path = dir.filePath(QLatin1String(name));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(bytes);
    return path;
}

QStringList codes(const QJsonObject &result)
{
    QStringList out;
    for (const QJsonValue &finding : result.value(QStringLiteral("findings")).toArray())
        out.append(finding.toObject().value(QStringLiteral("code")).toString());
    return out;
}

} // namespace

class TestCliMetadata : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsFindingsForEachFile();
    void malformedFilesAreReportedAndTheRestShown();
};

void TestCliMetadata::showsFindingsForEachFile()
{
    QTemporaryDir dir;
    const QString webui = write(dir, "webui.png",
        pngWithChunks({ pngChunk("tEXt",
            QByteArray("parameters\0a fox\nSteps: 30, Sampler: DPM++ 2M Karras, "
                       "Model hash: abcdef1234",
                76)) }));
    const QString c2pa = write(dir, "c2pa.jpg",
        jpegWithApp11(
            readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")), c2paStore()));

    const forgelens::testing::CliRun text = runCli({ QStringLiteral("metadata"), webui, c2pa });
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains(
                 QStringLiteral("[warning] ai-generator-metadata: Stable Diffusion WebUI "
                                "(AUTOMATIC1111) settings in PNG tEXt \"parameters\": Model "
                                "hash abcdef1234, Steps 30, Sampler DPM++ 2M Karras")),
        qPrintable(text.out));
    QVERIFY(text.out.contains(QStringLiteral("[notice] c2pa-manifest")));
    QVERIFY(text.out.contains(QStringLiteral("signature NOT verified")));

    const forgelens::testing::CliRun json
        = runCli({ QStringLiteral("metadata"), QStringLiteral("--json"), webui, c2pa });
    QCOMPARE(json.exitCode, 0);
    const QJsonArray results = QJsonDocument::fromJson(json.out.toUtf8())
                                   .object()
                                   .value(QStringLiteral("results"))
                                   .toArray();
    QCOMPARE(results.size(), 2);
    QVERIFY(codes(results[0].toObject()).contains(QStringLiteral("ai-generator-metadata")));
    QVERIFY(codes(results[1].toObject()).contains(QStringLiteral("digital-source-type")));
    QVERIFY(codes(results[1].toObject()).contains(QStringLiteral("standard-quant-tables")));
    QCOMPARE(results[1].toObject().value(QStringLiteral("sha256")).toString().size(), 64);
}

void TestCliMetadata::malformedFilesAreReportedAndTheRestShown()
{
    QTemporaryDir dir;
    const QByteArray store = c2paStore();
    const QString cut = write(dir, "cut-jumbf.jpg",
        jpegWithApp11(readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")),
            store.left(store.size() / 2)));
    const forgelens::testing::CliRun run
        = runCli({ QStringLiteral("metadata"), cut, dir.filePath(QStringLiteral("missing.png")),
            kFixtures + QStringLiteral("text_renamed.png") });
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.out.contains(QStringLiteral("[malformed-c2pa]")));
    QVERIFY(run.out.contains(QStringLiteral("standard-quant-tables"))); // the rest was still read
    QVERIFY(run.err.contains(QStringLiteral("missing.png: error [not-found]")));
    QVERIFY(run.out.contains(QStringLiteral("[metadata-unreadable]")));
    QCOMPARE(runCli({ QStringLiteral("metadata") }).exitCode, 2);
}

QTEST_GUILESS_MAIN(TestCliMetadata)
#include "tst_cli_metadata.moc"
