// The evaluation's figures against scikit-learn's on the same scores (make_metric_cases.py):
// ROC points, AUC, the precision-recall curve and average precision with ties, imbalance and a
// class of one sample; confusion counts; Cohen's kappa of two detectors' calls; the reliability
// bins; the operating point at an FPR bound and the calibration error against the
// script's plain reference; one-class sets refused with a sentence.
#include "forgelens/eval/binary_metrics.h"
#include "forgelens/eval/detector_evaluation.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace forgelens;

namespace {

LabelledScores scoresOf(const QJsonObject &c)
{
    LabelledScores data;
    for (const QJsonValue &v : c.value(QStringLiteral("scores")).toArray())
        data.scores.push_back(v.toDouble());
    for (const QJsonValue &v : c.value(QStringLiteral("labels")).toArray())
        data.synthetic.push_back(v.toInt() == 1);
    return data;
}

std::vector<double> numbers(const QJsonObject &c, const char *key)
{
    std::vector<double> out;
    for (const QJsonValue &v : c.value(QLatin1String(key)).toArray())
        out.push_back(v.toDouble());
    return out;
}

} // namespace

class TestBinaryMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matchesScikitLearn_data();
    void matchesScikitLearn();
    void kappaIsUndefinedWhenBothCallEverythingAlike();
    void oneClassIsRefused();
    void theChosenThresholdHoldsItsFpr();
    void delongMatchesItsDefinition();
    void theBootstrapIntervalHoldsTheEstimate();

private:
    QJsonArray m_cases;
};

void TestBinaryMetrics::initTestCase()
{
    QFile file(
        qEnvironmentVariable("FORGELENS_METRIC_CASES") + QStringLiteral("/metric-cases.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), "run make_metric_cases.py first (ctest does)");
    m_cases = QJsonDocument::fromJson(file.readAll()).array();
    QVERIFY(m_cases.size() >= 6);
}

void TestBinaryMetrics::matchesScikitLearn_data()
{
    QTest::addColumn<int>("index");
    for (int i = 0; i < m_cases.size(); ++i)
        QTest::newRow(qPrintable(m_cases[i].toObject().value(QStringLiteral("name")).toString()))
            << i;
}

void TestBinaryMetrics::matchesScikitLearn()
{
    QFETCH(int, index);
    const QJsonObject c = m_cases[index].toObject();
    const LabelledScores data = scoresOf(c);

    const Result<RocCurve> curve = rocCurve(data);
    QVERIFY(curve.ok());
    const std::vector<double> fpr = numbers(c, "fpr"), tpr = numbers(c, "tpr");
    const std::vector<double> thresholds = numbers(c, "thresholds");
    QCOMPARE(curve->fpr.size(), fpr.size());
    for (size_t i = 0; i < fpr.size(); ++i) {
        QVERIFY(std::abs(curve->fpr[i] - fpr[i]) < 1e-12);
        QVERIFY(std::abs(curve->tpr[i] - tpr[i]) < 1e-12);
        if (i > 0)
            QCOMPARE(curve->thresholds[i], thresholds[i - 1]);
    }
    QVERIFY(std::isinf(curve->thresholds[0]));

    const Result<double> auc = rocAuc(data);
    QVERIFY(auc.ok());
    QVERIFY2(std::abs(*auc - c.value(QStringLiteral("auc")).toDouble()) < 1e-12,
        qPrintable(QString::number(*auc, 'g', 17)));
    const Result<double> ap = averagePrecision(data);
    QVERIFY(ap.ok());
    QVERIFY2(std::abs(*ap - c.value(QStringLiteral("ap")).toDouble()) < 1e-12,
        qPrintable(QString::number(*ap, 'g', 17)));

    const QJsonObject confusion = c.value(QStringLiteral("confusion")).toObject();
    const Result<ConfusionCounts> counts = confusionAt(data, 0.5);
    QVERIFY(counts.ok());
    QCOMPARE(counts->truePositives, qint64(confusion.value(QStringLiteral("tp")).toInt()));
    QCOMPARE(counts->falsePositives, qint64(confusion.value(QStringLiteral("fp")).toInt()));
    QCOMPARE(counts->trueNegatives, qint64(confusion.value(QStringLiteral("tn")).toInt()));
    QCOMPARE(counts->falseNegatives, qint64(confusion.value(QStringLiteral("fn")).toInt()));

    const QJsonObject points = c.value(QStringLiteral("points")).toObject();
    for (const QString &bound : points.keys()) {
        const QJsonObject expected = points.value(bound).toObject();
        const Result<OperatingPoint> point = operatingPointAtFpr(data, bound.toDouble());
        QVERIFY(point.ok());
        QVERIFY(std::abs(point->fpr - expected.value(QStringLiteral("fpr")).toDouble()) < 1e-12);
        QVERIFY(std::abs(point->tpr - expected.value(QStringLiteral("tpr")).toDouble()) < 1e-12);
        if (expected.value(QStringLiteral("threshold")).isNull())
            QVERIFY(point->threshold > *std::max_element(data.scores.begin(), data.scores.end()));
        else
            QCOMPARE(point->threshold, expected.value(QStringLiteral("threshold")).toDouble());
    }

    const Result<double> ece = expectedCalibrationError(data, 15);
    QVERIFY(ece.ok());
    QVERIFY(std::abs(*ece - c.value(QStringLiteral("ece15")).toDouble()) < 1e-12);

    const QJsonObject pr = c.value(QStringLiteral("pr")).toObject();
    const Result<PrecisionRecallCurve> prCurve = precisionRecallCurve(data);
    QVERIFY(prCurve.ok());
    const std::vector<double> precision = numbers(pr, "precision"), recall = numbers(pr, "recall");
    const std::vector<double> prThresholds = numbers(pr, "thresholds");
    QCOMPARE(prCurve->precision.size(), precision.size());
    for (size_t i = 0; i < precision.size(); ++i) {
        QVERIFY(std::abs(prCurve->precision[i] - precision[i]) < 1e-12);
        QVERIFY(std::abs(prCurve->recall[i] - recall[i]) < 1e-12);
        QCOMPARE(prCurve->thresholds[i], prThresholds[i]);
    }

    const QJsonArray bins = c.value(QStringLiteral("reliability15")).toArray();
    const Result<std::vector<ReliabilityBin>> reliability = reliabilityBins(data, 15);
    QVERIFY(reliability.ok());
    QCOMPARE(qsizetype(reliability->size()), bins.size());
    for (qsizetype b = 0; b < bins.size(); ++b) {
        const QJsonObject expected = bins[b].toObject();
        const ReliabilityBin &bin = (*reliability)[size_t(b)];
        QCOMPARE(bin.count, qint64(expected.value(QStringLiteral("count")).toInt()));
        QVERIFY(std::abs(bin.meanScore - expected.value(QStringLiteral("mean_score")).toDouble())
            < 1e-12);
        QVERIFY(std::abs(bin.syntheticShare
                    - expected.value(QStringLiteral("synthetic_share")).toDouble())
            < 1e-12);
    }

    // Cohen's kappa of two detectors' calls at 0.5 (the case's scores and a noisier copy).
    std::vector<bool> callsA, callsB;
    for (size_t i = 0; i < data.scores.size(); ++i)
        callsA.push_back(data.scores[i] >= 0.5);
    for (const double other : numbers(c, "other"))
        callsB.push_back(other >= 0.5);
    const double kappa = cohenKappa(callsA, callsB);
    if (c.value(QStringLiteral("kappa_at_half")).isNull())
        QVERIFY(std::isnan(kappa));
    else
        QVERIFY2(std::abs(kappa - c.value(QStringLiteral("kappa_at_half")).toDouble()) < 1e-12,
            qPrintable(QString::number(kappa, 'g', 17)));
}

void TestBinaryMetrics::kappaIsUndefinedWhenBothCallEverythingAlike()
{
    // scikit-learn's cohen_kappa_score gives nan here (0 / 0): no agreement beyond chance can be
    // measured when the expected agreement is already 1.
    QVERIFY(std::isnan(cohenKappa({ true, true, true }, { true, true, true })));
    QCOMPARE(cohenKappa({ true, false, true, false }, { true, false, true, false }), 1.0);
    QCOMPARE(cohenKappa({ true, false }, { false, true }), -1.0);
}

void TestBinaryMetrics::oneClassIsRefused()
{
    const LabelledScores realOnly{ { 0.1, 0.4, 0.9 }, { false, false, false } };
    const Result<double> auc = rocAuc(realOnly);
    QVERIFY(!auc.ok());
    QCOMPARE(auc.error().code, ErrorCode::BadSettings);
    QVERIFY(auc.error().message.contains(QStringLiteral("only real")));
    QVERIFY(!averagePrecision(LabelledScores{ { 0.3 }, { true } }).ok());
    QVERIFY(!rocAuc(LabelledScores{ { 0.3, std::nan("") }, { true, false } }).ok());
    QVERIFY(!rocAuc(LabelledScores{ { 0.3, 0.4 }, { true } }).ok());
    QVERIFY(!expectedCalibrationError(LabelledScores{ { 1.5, 0.2 }, { true, false } }).ok());
}

// A threshold re-chosen for a stated FPR gives at most that FPR on the data it was chosen on.
void TestBinaryMetrics::theChosenThresholdHoldsItsFpr()
{
    for (int i = 0; i < m_cases.size(); ++i) {
        const LabelledScores data = scoresOf(m_cases[i].toObject());
        for (double bound : { 0.0, 0.01, 0.05, 0.2 }) {
            const Result<OperatingPoint> point = operatingPointAtFpr(data, bound);
            QVERIFY(point.ok());
            const Result<ConfusionCounts> counts = confusionAt(data, point->threshold);
            QVERIFY(counts.ok());
            QVERIFY(1.0 - counts->realAccuracy() <= bound + 1e-12);
            QVERIFY(std::abs(counts->syntheticAccuracy() - point->tpr) < 1e-12);
        }
    }
}

void TestBinaryMetrics::delongMatchesItsDefinition()
{
    for (int i = 0; i < m_cases.size(); ++i) {
        const QJsonObject c = m_cases[i].toObject();
        const LabelledScores data = scoresOf(c);
        const Result<AucEstimate> estimate = delongAuc(data);
        QVERIFY(estimate.ok());
        const QJsonObject expected = c.value(QStringLiteral("delong")).toObject();
        QVERIFY(std::abs(estimate->auc - expected.value(QStringLiteral("auc")).toDouble()) < 1e-12);
        QVERIFY(std::abs(estimate->variance - expected.value(QStringLiteral("variance")).toDouble())
            < 1e-12);
        QVERIFY(estimate->ciLow <= estimate->auc && estimate->auc <= estimate->ciHigh);

        LabelledScores other = data;
        other.scores = numbers(c, "other");
        const Result<AucComparison> test = delongTest(data, other);
        QVERIFY(test.ok());
        const QJsonObject reference = c.value(QStringLiteral("delong_test")).toObject();
        QVERIFY(
            std::abs(test->difference - reference.value(QStringLiteral("difference")).toDouble())
            < 1e-12);
        QVERIFY2(std::abs(test->z - reference.value(QStringLiteral("z")).toDouble()) < 1e-9,
            qPrintable(QStringLiteral("%1 %2").arg(test->z).arg(
                reference.value(QStringLiteral("z")).toDouble())));
        QVERIFY(std::abs(test->p - reference.value(QStringLiteral("p")).toDouble()) < 1e-9);
    }
    // Labels that differ between the two are refused.
    QVERIFY(!delongTest(LabelledScores{ { 0.1, 0.9 }, { false, true } },
        LabelledScores{ { 0.1, 0.9 }, { true, false } })
                 .ok());
}

// The bootstrap interval contains the point estimate, is the same for the same seed, and on 400
// images lies close to DeLong's normal interval.
void TestBinaryMetrics::theBootstrapIntervalHoldsTheEstimate()
{
    for (int i = 0; i < m_cases.size(); ++i) {
        const QJsonObject c = m_cases[i].toObject();
        const LabelledScores data = scoresOf(c);
        const Result<BootstrapInterval> interval = bootstrapAucInterval(data, 1000, 7);
        QVERIFY(interval.ok());
        const double auc = c.value(QStringLiteral("auc")).toDouble();
        QVERIFY2(interval->low <= auc && auc <= interval->high,
            qPrintable(QStringLiteral("%1: %2 not in [%3, %4]")
                           .arg(c.value(QStringLiteral("name")).toString())
                           .arg(auc)
                           .arg(interval->low)
                           .arg(interval->high)));
        const Result<BootstrapInterval> again = bootstrapAucInterval(data, 1000, 7);
        QCOMPARE(again->low, interval->low);
        QCOMPARE(again->high, interval->high);
        if (data.scores.size() == 400) {
            const Result<AucEstimate> normal = delongAuc(data);
            QVERIFY(std::abs(normal->ciLow - interval->low) < 0.02);
            QVERIFY(std::abs(normal->ciHigh - interval->high) < 0.02);
        }
    }
}

QTEST_GUILESS_MAIN(TestBinaryMetrics)
#include "tst_binary_metrics.moc"
