// Architecture parity for the seed converters. models/convert/parity/run_parity_case.py wrote
// random weights laid out like a seed system's official release, converted them with the
// system's converter, and recorded what the seed's own inference path (eager PyTorch) says about
// fixture images. Here the C++ engine reads the same image files and runs the converted bundle:
// decoding, the manifest's preprocessing, the module and the heads must together reproduce the
// reference within its tolerance (1e-4).

#include "forgelens/analysis/file_analysis.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/models/model_bundle.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace forgelens;

namespace {

double maxAbsDifference(const std::vector<float> &actual, const QJsonArray &expected)
{
    if (actual.size() != size_t(expected.size()))
        return INFINITY;
    double worst = 0.0;
    for (size_t i = 0; i < actual.size(); ++i)
        worst = std::max(worst, std::abs(double(actual[i]) - expected.at(int(i)).toDouble()));
    return worst;
}

bool isSha256(const QString &text)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    return hex.match(text).hasMatch();
}

} // namespace

class TestSeedParity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void manifestsAreComplete();
    void engineMatchesTheSeedsInference();

private:
    QJsonObject m_expected;
};

void TestSeedParity::initTestCase()
{
    const QString dir = QString::fromLocal8Bit(qgetenv("FORGELENS_PARITY_CASE"));
    QVERIFY2(!dir.isEmpty(), "FORGELENS_PARITY_CASE must name the folder run_parity_case.py wrote");
    QFile file(dir + QStringLiteral("/expected.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    m_expected = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!m_expected.value(QStringLiteral("cases")).toArray().isEmpty());
}

void TestSeedParity::manifestsAreComplete()
{
    for (const QJsonValue &entry : m_expected.value(QStringLiteral("cases")).toArray()) {
        const QString bundle = entry.toObject().value(QStringLiteral("bundle")).toString();
        const Result<ModelBundle> loaded = loadModelBundle(bundle, {});
        QVERIFY2(loaded.ok(), loaded ? "" : qPrintable(loaded.error().message));
        const ModelManifest &manifest = loaded->manifest;
        const QJsonObject &json = manifest.json;
        QVERIFY2(!manifest.paper.isEmpty() && !manifest.license.isEmpty()
                && !manifest.source.isEmpty() && !manifest.trainedOn.isEmpty(),
            qPrintable(bundle));
        // The official files the bundle was made from, each identified by its SHA-256.
        QVERIFY2(isSha256(manifest.sourceSha256), qPrintable(bundle));
        const QJsonArray sources = json.value(QStringLiteral("sources")).toArray();
        QVERIFY2(!sources.isEmpty(), qPrintable(bundle));
        for (const QJsonValue &source : sources)
            QVERIFY(isSha256(source.toObject().value(QStringLiteral("sha256")).toString()));
        QVERIFY(json.value(QStringLiteral("reported")).isArray());
        QVERIFY(!manifest.thresholdChosenBy.isEmpty());
        QVERIFY(json.value(QStringLiteral("architecture")).isObject());
        QVERIFY(isSha256(json.value(QStringLiteral("converter"))
                             .toObject()
                             .value(QStringLiteral("sha256"))
                             .toString()));
    }
}

void TestSeedParity::engineMatchesTheSeedsInference()
{
    const double tolerance = m_expected.value(QStringLiteral("tolerance")).toDouble();
    QVERIFY(tolerance > 0.0 && tolerance <= 1e-4);
    for (const QJsonValue &entry : m_expected.value(QStringLiteral("cases")).toArray()) {
        const QJsonObject testCase = entry.toObject();
        const QString bundle = testCase.value(QStringLiteral("bundle")).toString();
        const QString head = testCase.value(QStringLiteral("head")).toString();
        Result<DetectorSet> detectors = DetectorSet::load({ bundle }, {});
        QVERIFY2(detectors.ok(), detectors ? "" : qPrintable(detectors.error().message));
        AnalysisRequest request;
        request.keepEmbeddings = true;
        // Parity is with the seed's own full decode: never the reduced JPEG decode a bundle
        // may allow a scan (README, "Reduced JPEG decode").
        request.reducedJpegDecode = false;
        // Random weights laid out like the release: the bundle must say so, and no verdict of
        // it may be read without "stand_in".
        const ModelManifest &manifest = detectors->model(0)->manifest;
        if (manifest.family != QLatin1String("reference"))
            QVERIFY2(manifest.standIn, qPrintable(bundle));

        double worstProbability = 0.0;
        double worstEmbedding = 0.0;
        double worstDecision = 0.0;
        for (const QJsonValue &imageValue : testCase.value(QStringLiteral("images")).toArray()) {
            const QJsonObject image = imageValue.toObject();
            const QString path = image.value(QStringLiteral("path")).toString();
            const AnalysisRecord record = analyzeFile(path, *detectors, request);
            QVERIFY2(record.ok(),
                qPrintable(path + QStringLiteral(": ")
                    + (record.firstError() ? record.firstError()->message : QString())));
            const Prediction &p = *record.detectors.at(0).prediction;

            if (image.contains(QStringLiteral("tiles")))
                QCOMPARE(p.tiles, image.value(QStringLiteral("tiles")).toInt());
            const QJsonArray probabilities = image.value(QStringLiteral("probabilities")).toArray();
            worstProbability
                = std::max(worstProbability, maxAbsDifference(p.classProbabilities, probabilities));
            if (image.value(QStringLiteral("embedding")).isArray())
                worstEmbedding = std::max(worstEmbedding,
                    maxAbsDifference(
                        p.embedding, image.value(QStringLiteral("embedding")).toArray()));

            // The head's own score, read by the C++ head from the bundle's buffers, against
            // scikit-learn's decision_function (linear, ocsvm) or kneighbors distance (knn).
            if (!head.isEmpty()) {
                const double expected
                    = image.value(QStringLiteral("decision")).toArray().at(0).toDouble();
                const double actual = head == QLatin1String("knn")
                    ? (p.head.neighbours.empty() ? INFINITY : p.head.neighbours.front().distance)
                    : p.head.decision.value_or(INFINITY);
                worstDecision = std::max(worstDecision, std::abs(actual - expected));
                // scikit-learn's predict: 1 fake for linear and knn, -1 outlier (fake) for ocsvm.
                const int predict = image.value(QStringLiteral("predict")).toInt();
                const bool fake = head == QLatin1String("ocsvm") ? predict == -1 : predict == 1;
                QCOMPARE(p.synthetic, fake);
            }
        }
        qInfo("%s: max |dP| %.3g, max |d embedding| %.3g, max |d head score| %.3g",
            qPrintable(QFileInfo(bundle).fileName()), worstProbability, worstEmbedding,
            worstDecision);
        QVERIFY2(worstProbability <= tolerance, qPrintable(bundle));
        QVERIFY2(worstEmbedding <= tolerance, qPrintable(bundle));
        QVERIFY2(worstDecision <= tolerance, qPrintable(bundle));
    }
}

QTEST_GUILESS_MAIN(TestSeedParity)
#include "tst_seed_parity.moc"
