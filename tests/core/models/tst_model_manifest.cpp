#include "forgelens/models/model_manifest.h"
#include "forgelens/models/verdict.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace forgelens;

namespace {

// A complete, valid manifest in the shape of a converted DeepFeatureX bundle.
QJsonObject validManifest()
{
    return QJsonObject{
        { QStringLiteral("id"), QStringLiteral("dfx-example") },
        { QStringLiteral("name"), QStringLiteral("DeepFeatureX (example)") },
        { QStringLiteral("version"), QStringLiteral("1") },
        { QStringLiteral("family"), QStringLiteral("dfx") },
        { QStringLiteral("license"), QStringLiteral("example") },
        { QStringLiteral("trained_on"), QStringLiteral("example data") },
        { QStringLiteral("task"), QStringLiteral("multiclass") },
        { QStringLiteral("classes"),
            QJsonArray{ QStringLiteral("dm_generated"), QStringLiteral("gan_generated"),
                QStringLiteral("real") } },
        { QStringLiteral("fake_classes"),
            QJsonArray{ QStringLiteral("dm_generated"), QStringLiteral("gan_generated") } },
        { QStringLiteral("input"),
            QJsonObject{ { QStringLiteral("value_range"), QJsonArray{ 0, 1 } },
                { QStringLiteral("channel_order"), QStringLiteral("rgb") },
                { QStringLiteral("mean"), QJsonArray{ 0.485, 0.456, 0.406 } },
                { QStringLiteral("std"), QJsonArray{ 0.229, 0.224, 0.225 } },
                { QStringLiteral("resize"),
                    QJsonObject{ { QStringLiteral("policy"), QStringLiteral("shorter_side") },
                        { QStringLiteral("size"), 256 },
                        { QStringLiteral("interpolation"), QStringLiteral("bilinear") },
                        { QStringLiteral("antialias"), true } } },
                { QStringLiteral("crop"),
                    QJsonObject{ { QStringLiteral("policy"), QStringLiteral("center") },
                        { QStringLiteral("size"), QJsonArray{ 224, 224 } } } } } },
        { QStringLiteral("threshold"),
            QJsonObject{ { QStringLiteral("value"), 0.5 },
                { QStringLiteral("chosen_by"), QStringLiteral("argmax") } } },
        { QStringLiteral("embedding"), false },
    };
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson();
}

// Sets `path` (dot-separated) in a copy of `object` to `value`, or removes it when undefined.
QJsonObject edited(QJsonObject object, const QStringList &path, const QJsonValue &value)
{
    if (path.size() == 1) {
        if (value.isUndefined())
            object.remove(path.first());
        else
            object.insert(path.first(), value);
        return object;
    }
    object.insert(path.first(), edited(object.value(path.first()).toObject(), path.mid(1), value));
    return object;
}

} // namespace

class TestModelManifest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesAValidManifest();
    void everyViolationIsNamed_data();
    void everyViolationIsNamed();
    void inconclusiveBandDecidesTheVerdict();
};

void TestModelManifest::parsesAValidManifest()
{
    const Result<ModelManifest> manifest = ModelManifest::fromJson(toJson(validManifest()));
    QVERIFY2(manifest.ok(), qPrintable(manifest.ok() ? QString() : manifest.error().message));
    QCOMPARE(manifest->task, ModelManifest::Task::Multiclass);
    QCOMPARE(manifest->classes.size(), 3);
    QVERIFY(manifest->acceptsLogitCount(3));
    QVERIFY(!manifest->acceptsLogitCount(1));
    QCOMPARE(manifest->input.resize, InputSpec::Resize::ShorterSide);
    QCOMPARE(manifest->input.resizeHeight, 256);
    QVERIFY(manifest->input.antialias);
    QCOMPARE(manifest->input.crop, InputSpec::Crop::Center);
    QCOMPARE(manifest->input.cropWidth, 224);
    QCOMPARE(manifest->input.mean[1], 0.456f);
    QCOMPARE(manifest->json.value(QStringLiteral("id")).toString(), QStringLiteral("dfx-example"));
    QVERIFY(!manifest->isUntrainedTestModel());
}

void TestModelManifest::everyViolationIsNamed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("wording");
    const QJsonObject v = validManifest();
    const auto row = [](const char *name, const QJsonObject &object, const char *wording) {
        QTest::newRow(name) << toJson(object) << QString::fromUtf8(wording);
    };
    QTest::newRow("not json") << QByteArray("{\"id\": ") << "not valid JSON";
    QTest::newRow("not an object") << QByteArray("[1, 2]") << "JSON object";
    row("unknown task", edited(v, { QStringLiteral("task") }, QStringLiteral("regression")),
        "task \"regression\" is unknown");
    row("missing mean", edited(v, { QStringLiteral("input"), QStringLiteral("mean") }, {}),
        "input.mean and input.std are required");
    row("missing std", edited(v, { QStringLiteral("input"), QStringLiteral("std") }, {}),
        "input.mean and input.std are required");
    row("std of zero",
        edited(v, { QStringLiteral("input"), QStringLiteral("std") }, QJsonArray{ 0.2, 0, 0.2 }),
        "input.std must be three positive numbers");
    row("binary with three classes",
        edited(v, { QStringLiteral("task") }, QStringLiteral("binary")),
        "a binary model names exactly two classes");
    row("fake class not in classes",
        edited(v, { QStringLiteral("fake_classes") }, QJsonArray{ QStringLiteral("midjourney") }),
        "\"midjourney\", which is not in classes");
    row("every class fake",
        edited(v, { QStringLiteral("fake_classes") }, v.value(QStringLiteral("classes"))),
        "cannot be every class");
    row("duplicate classes",
        edited(v, { QStringLiteral("classes") },
            QJsonArray{
                QStringLiteral("real"), QStringLiteral("real"), QStringLiteral("dm_generated") }),
        "distinct");
    row("threshold of 1", edited(v, { QStringLiteral("threshold"), QStringLiteral("value") }, 1.0),
        "strictly between 0 and 1");
    row("threshold without provenance",
        edited(v, { QStringLiteral("threshold"), QStringLiteral("chosen_by") }, {}),
        "how the threshold was chosen");
    row("no licence", edited(v, { QStringLiteral("license") }, {}), "license and trained_on");
    row("unknown resize policy",
        edited(v, { QStringLiteral("input"), QStringLiteral("resize"), QStringLiteral("policy") },
            QStringLiteral("stretch")),
        "input.resize.policy \"stretch\" is unknown");
    row("antialias unspecified",
        edited(v,
            { QStringLiteral("input"), QStringLiteral("resize"), QStringLiteral("antialias") }, {}),
        "antialias must be true or false");
    row("antialias with nearest",
        edited(v,
            { QStringLiteral("input"), QStringLiteral("resize"), QStringLiteral("interpolation") },
            QStringLiteral("nearest")),
        "antialias needs bilinear or bicubic");
    row("unknown crop policy",
        edited(v, { QStringLiteral("input"), QStringLiteral("crop"), QStringLiteral("policy") },
            QStringLiteral("random")),
        "input.crop.policy \"random\" is unknown");
    row("step named twice",
        edited(v, { QStringLiteral("input"), QStringLiteral("order") },
            QJsonArray{
                QStringLiteral("resize"), QStringLiteral("resize"), QStringLiteral("normalize") }),
        "names \"resize\" twice");
    row("value range 0..2",
        edited(v, { QStringLiteral("input"), QStringLiteral("value_range") }, QJsonArray{ 0, 2 }),
        "value_range must be [0, 1] or [0, 255]");
    row("unknown head",
        edited(v, { QStringLiteral("head") },
            QJsonObject{ { QStringLiteral("type"), QStringLiteral("svm") } }),
        "head.type \"svm\" is unknown");
    const auto band = [](double low, double high, const char *chosenBy) {
        QJsonObject object{ { QStringLiteral("low"), low }, { QStringLiteral("high"), high } };
        if (chosenBy)
            object.insert(QStringLiteral("chosen_by"), QString::fromUtf8(chosenBy));
        return object;
    };
    const QStringList bandPath{ QStringLiteral("threshold"), QStringLiteral("inconclusive") };
    row("band upside down", edited(v, bandPath, band(0.7, 0.3, "x")), "0 < low < high < 1");
    row("band reaching 1", edited(v, bandPath, band(0.3, 1.0, "x")), "0 < low < high < 1");
    row("band beside the threshold", edited(v, bandPath, band(0.6, 0.8, "x")),
        "must contain threshold.value");
    row("band without provenance", edited(v, bandPath, band(0.3, 0.7, nullptr)),
        "how the band was chosen");
    row("band without numbers",
        edited(v, bandPath, QJsonObject{ { QStringLiteral("low"), QStringLiteral("0.3") } }),
        "numbers \"low\" and \"high\"");
    row("knn head without embedding",
        edited(v, { QStringLiteral("head") },
            QJsonObject{ { QStringLiteral("type"), QStringLiteral("knn") } }),
        "needs \"embedding\": true");
}

void TestModelManifest::everyViolationIsNamed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, wording);
    const Result<ModelManifest> manifest = ModelManifest::fromJson(json);
    QVERIFY(!manifest.ok());
    QCOMPARE(manifest.error().codeName(), QStringLiteral("bad-manifest"));
    QVERIFY2(manifest.error().message.contains(wording), qPrintable(manifest.error().message));
}

// The band turns one threshold into three answers: at or above its top "synthetic", inside it
// "inconclusive", below it "not flagged". Without a band the threshold alone decides.
void TestModelManifest::inconclusiveBandDecidesTheVerdict()
{
    Result<ModelManifest> plain = ModelManifest::fromJson(toJson(validManifest()));
    QVERIFY(plain.ok());
    QVERIFY(!plain->inconclusive);
    QCOMPARE(verdictFor(0.5, *plain), Verdict::Synthetic);
    QCOMPARE(verdictFor(0.4999, *plain), Verdict::NotFlagged);

    const QJsonObject withBand
        = edited(validManifest(), { QStringLiteral("threshold"), QStringLiteral("inconclusive") },
            QJsonObject{ { QStringLiteral("low"), 0.3 }, { QStringLiteral("high"), 0.8 },
                { QStringLiteral("chosen_by"), QStringLiteral("10 % to 1 % FPR") } });
    Result<ModelManifest> banded = ModelManifest::fromJson(toJson(withBand));
    QVERIFY2(banded.ok(), banded ? "" : qPrintable(banded.error().message));
    QVERIFY(banded->inconclusive);
    QCOMPARE(banded->inconclusive->low, 0.3);
    QCOMPARE(banded->inconclusive->high, 0.8);
    QCOMPARE(banded->inconclusive->chosenBy, QStringLiteral("10 % to 1 % FPR"));
    QCOMPARE(verdictFor(0.2999, *banded), Verdict::NotFlagged);
    QCOMPARE(verdictFor(0.3, *banded), Verdict::Inconclusive);
    QCOMPARE(verdictFor(0.5, *banded), Verdict::Inconclusive); // at the threshold: no call
    QCOMPARE(verdictFor(0.7999, *banded), Verdict::Inconclusive);
    QCOMPARE(verdictFor(0.8, *banded), Verdict::Synthetic);
    QCOMPARE(verdictCode(Verdict::Inconclusive), QStringLiteral("inconclusive"));
    QCOMPARE(verdictCode(Verdict::NotFlagged), QStringLiteral("not_flagged"));
    QCOMPARE(verdictCode(Verdict::Synthetic), QStringLiteral("synthetic"));
}

QTEST_GUILESS_MAIN(TestModelManifest)
#include "tst_model_manifest.moc"
