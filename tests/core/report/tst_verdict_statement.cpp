// The report model: verdicts, labels and caveats worded once for every renderer.
#include "forgelens/analysis/analysis_record.h"
#include "forgelens/report/json_text.h"
#include "forgelens/report/verdict_statement.h"

#include <QJsonObject>

#include <QTest>

using namespace forgelens;

namespace {

ModelManifest banded()
{
    ModelManifest manifest;
    manifest.id = QStringLiteral("banded");
    manifest.threshold = 0.6;
    manifest.thresholdChosenBy = QStringLiteral("5% FPR\x1b[2J on photos");
    manifest.inconclusive = InconclusiveBand{ 0.5, 0.9, QStringLiteral("10% to 1% FPR") };
    return manifest;
}

Prediction predictionAt(double p, const ModelManifest &manifest)
{
    Prediction prediction;
    prediction.pSynthetic = float(p);
    prediction.threshold = manifest.threshold;
    prediction.verdict = verdictFor(p, manifest);
    return prediction;
}

DetectorResult result(const ModelManifest &manifest, double p)
{
    ModelInfo info;
    info.manifest = manifest;
    return DetectorResult{ std::make_shared<const ModelInfo>(info), predictionAt(p, manifest),
        std::nullopt, {} };
}

} // namespace

class TestVerdictStatement : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // JSON written for a terminal or a file someone may `cat`: a file name or a metadata value
    // with a bidirectional override, a C1 control, a line separator or a tag character keeps its
    // value, but its bytes hold only escapes.
    void jsonTextHoldsNoCharacterThatControlsADisplay()
    {
        const QString hostile = QStringLiteral("photo") + QChar(0x202E) + QStringLiteral("gpj.exe")
            + QChar(0x85) + QChar(0x2028) + QString::fromUcs4(U"\U000E0041", 1)
            + QStringLiteral("\x1b[2J é 写真");
        const QJsonDocument document(QJsonObject{ { QStringLiteral("path"), hostile } });
        const QByteArray text = terminalSafeJson(document);
        for (const char *raw :
            { "\xE2\x80\xAE", "\xC2\x85", "\xE2\x80\xA8", "\xF3\xA0\x81\x81", "\x1b" })
            QVERIFY2(!text.contains(raw), text.constData());
        QVERIFY(text.contains("\\u202e"));
        QVERIFY(text.contains("é 写真")); // ordinary text stays as it is
        QCOMPARE(QJsonDocument::fromJson(text).object().value(QStringLiteral("path")).toString(),
            hostile);
    }
    void labelsCarryTheModelsCaveat();
    void bandDecidesTheHeadline();
    void manifestTextIsMadeSafe();
    void agreementCountsOnlyWhatWasScored();
    void generatorMetadataIsNeverLeftBesideNotFlagged();
};

void TestVerdictStatement::labelsCarryTheModelsCaveat()
{
    ModelManifest manifest = banded();
    QCOMPARE(labelCode(Verdict::NotFlagged, manifest), QStringLiteral("not_flagged"));
    manifest.experimental = true;
    QCOMPARE(labelCode(Verdict::Synthetic, manifest), QStringLiteral("experimental_synthetic"));
    manifest.standIn = true; // stronger than experimental
    QCOMPARE(labelCode(Verdict::Inconclusive, manifest), QStringLiteral("stand_in_inconclusive"));
    manifest.family = QStringLiteral("test"); // strongest
    QCOMPARE(labelCode(Verdict::NotFlagged, manifest), QStringLiteral("untrained_not_flagged"));
    QCOMPARE(caveatMarker(modelCaveat(manifest)), QStringLiteral("[UNTRAINED TEST MODEL]"));
}

void TestVerdictStatement::bandDecidesTheHeadline()
{
    const ModelManifest manifest = banded();
    QCOMPARE(describeVerdict(predictionAt(0.95, manifest), manifest).headline,
        QStringLiteral("Flagged as synthetic"));
    const VerdictStatement middle = describeVerdict(predictionAt(0.7, manifest), manifest);
    QCOMPARE(middle.headline, QStringLiteral("Inconclusive"));
    QVERIFY(middle.reason.contains(QStringLiteral("0.500 to 0.900")));
    const VerdictStatement low = describeVerdict(predictionAt(0.1, manifest), manifest);
    QCOMPARE(low.headline, QStringLiteral("Not flagged"));
    QVERIFY(low.reason.contains(QStringLiteral("not proof of a camera")));
    QVERIFY(low.band.contains(QStringLiteral("10% to 1% FPR")));

    ModelManifest plain = banded();
    plain.inconclusive.reset();
    const VerdictStatement at = describeVerdict(predictionAt(0.6, plain), plain);
    QCOMPARE(at.headline, QStringLiteral("Flagged as synthetic")); // at the threshold counts
    QVERIFY(at.band.isEmpty());
}

void TestVerdictStatement::manifestTextIsMadeSafe()
{
    const ModelManifest manifest = banded();
    const VerdictStatement s = describeVerdict(predictionAt(0.1, manifest), manifest);
    QVERIFY(!s.threshold.contains(QChar(0x1b)));
    QVERIFY(s.threshold.contains(QStringLiteral("\\u001b")));
}

void TestVerdictStatement::agreementCountsOnlyWhatWasScored()
{
    AnalysisRecord record;
    QVERIFY(agreementSentence(record).isEmpty());
    record.detectors.push_back(result(banded(), 0.95));
    QCOMPARE(agreementSentence(record), QStringLiteral("The detector flags it as synthetic."));
    record.detectors.push_back(result(banded(), 0.7));
    record.detectors.push_back(result(banded(), 0.99));
    DetectorResult failed = result(banded(), 0.0);
    failed.prediction.reset();
    failed.error = Error{ ErrorCode::InferenceFailed, QStringLiteral("boom") };
    record.detectors.push_back(failed);
    QCOMPARE(agreementSentence(record),
        QStringLiteral(
            "2 of 3 detectors flag it as synthetic; 1 inconclusive. 1 could not score it."));
    QCOMPARE(agreementCounts(record).flagged, 2);
    QCOMPARE(agreementCounts(record).failed, 1);

    // A stand-in's verdict is left out of the count, and the sentence says so.
    ModelManifest standIn = banded();
    standIn.standIn = true;
    record.detectors.push_back(result(standIn, 0.99));
    QCOMPARE(agreementSentence(record),
        QStringLiteral("2 of 3 detectors flag it as synthetic; 1 inconclusive. Not counted: 1 "
                       "with untrained or stand-in weights. 1 could not score it."));
    AnalysisRecord onlyStandIn;
    onlyStandIn.detectors.push_back(result(standIn, 0.99));
    QVERIFY(
        agreementSentence(onlyStandIn).startsWith(QStringLiteral("No detector with meaningful")));
}

void TestVerdictStatement::generatorMetadataIsNeverLeftBesideNotFlagged()
{
    AnalysisRecord record;
    record.detectors.push_back(result(banded(), 0.1));
    QVERIFY(recordCaveats(record).isEmpty());
    MetadataReport metadata;
    metadata.findings.push_back(
        { MetadataFinding::Severity::Warning, QStringLiteral("ai-generator-metadata"),
            QStringLiteral("Stable Diffusion WebUI parameters"), QStringLiteral("PNG tEXt") });
    record.metadata = metadata;
    record.findingCodes << QStringLiteral("ai-generator-metadata");
    const QStringList caveats = recordCaveats(record);
    QCOMPARE(caveats.size(), 1);
    QVERIFY(caveats.first().contains(QStringLiteral("Stable Diffusion WebUI parameters")));
    QVERIFY(caveats.first().contains(QStringLiteral("does not outweigh")));
    // Without the whole report (a scan's record), the finding code alone still raises it.
    record.metadata.reset();
    QVERIFY(recordCaveats(record).first().contains(QStringLiteral("ai-generator-metadata")));

    // A model's caveat is a caution too, unless the renderer has already stated it.
    ModelManifest experimental = banded();
    experimental.experimental = true;
    AnalysisRecord withCaveat;
    withCaveat.detectors.push_back(result(experimental, 0.1));
    QCOMPARE(recordCaveats(withCaveat).size(), 1);
    QVERIFY(recordCaveats(withCaveat).first().contains(QStringLiteral("EXPERIMENTAL")));
    QVERIFY(recordCaveats(withCaveat, false).isEmpty());
}

QTEST_GUILESS_MAIN(TestVerdictStatement)
#include "tst_verdict_statement.moc"
