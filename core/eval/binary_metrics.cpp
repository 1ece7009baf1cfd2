#include "forgelens/eval/binary_metrics.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace forgelens {
namespace {

std::optional<Error> refusal(const LabelledScores &data)
{
    const auto bad = [](const QString &message) {
        return Error{ ErrorCode::BadSettings, message };
    };
    if (data.scores.size() != data.synthetic.size())
        return bad(QStringLiteral("%1 scores but %2 labels")
                       .arg(data.scores.size())
                       .arg(data.synthetic.size()));
    const auto positives = std::count(data.synthetic.begin(), data.synthetic.end(), true);
    if (positives == 0 || positives == qsizetype(data.synthetic.size()))
        return bad(QStringLiteral("the set holds only %1 images: every figure here compares the "
                                  "two classes, so both are needed")
                       .arg(positives == 0 ? QStringLiteral("real") : QStringLiteral("synthetic")));
    for (size_t i = 0; i < data.scores.size(); ++i)
        if (!std::isfinite(data.scores[i]))
            return bad(QStringLiteral("score %1 is not a finite number").arg(qulonglong(i)));
    return std::nullopt;
}

// Per distinct score, highest first: the score and the counts at or above it.
struct Step {
    double threshold;
    qint64 truePositives;
    qint64 falsePositives;
};

std::vector<Step> steps(const LabelledScores &data)
{
    std::vector<size_t> order(data.scores.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(),
        [&](size_t a, size_t b) { return data.scores[a] > data.scores[b]; });
    std::vector<Step> out;
    qint64 tp = 0, fp = 0;
    for (size_t k = 0; k < order.size(); ++k) {
        (data.synthetic[order[k]] ? tp : fp) += 1;
        const bool last
            = k + 1 == order.size() || data.scores[order[k + 1]] != data.scores[order[k]];
        if (last)
            out.push_back(Step{ data.scores[order[k]], tp, fp });
    }
    return out;
}

// Midranks (1-based; tied values share the mean of their ranks) of `values`, in input order.
std::vector<double> midranks(const std::vector<double> &values)
{
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(
        order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]])
            ++j;
        const double rank = (double(i) + double(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k)
            ranks[order[k]] = rank;
        i = j + 1;
    }
    return ranks;
}

double sampleCovariance(const std::vector<double> &a, const std::vector<double> &b)
{
    const size_t n = a.size();
    if (n < 2)
        return 0.0;
    const double meanA = std::accumulate(a.begin(), a.end(), 0.0) / double(n);
    const double meanB = std::accumulate(b.begin(), b.end(), 0.0) / double(n);
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i)
        sum += (a[i] - meanA) * (b[i] - meanB);
    return sum / double(n - 1);
}

} // namespace

double ConfusionCounts::accuracy() const
{
    const qint64 n = truePositives + falsePositives + trueNegatives + falseNegatives;
    return n > 0 ? double(truePositives + trueNegatives) / double(n) : 0.0;
}

double ConfusionCounts::realAccuracy() const
{
    const qint64 n = trueNegatives + falsePositives;
    return n > 0 ? double(trueNegatives) / double(n) : 0.0;
}

double ConfusionCounts::syntheticAccuracy() const
{
    const qint64 n = truePositives + falseNegatives;
    return n > 0 ? double(truePositives) / double(n) : 0.0;
}

Result<RocCurve> rocCurve(const LabelledScores &data)
{
    if (std::optional<Error> error = refusal(data))
        return *error;
    const std::vector<Step> all = steps(data);
    const double positives = double(all.back().truePositives);
    const double negatives = double(all.back().falsePositives);
    RocCurve curve;
    curve.fpr.push_back(0.0);
    curve.tpr.push_back(0.0);
    curve.thresholds.push_back(std::numeric_limits<double>::infinity());
    for (const Step &step : all) {
        curve.fpr.push_back(double(step.falsePositives) / negatives);
        curve.tpr.push_back(double(step.truePositives) / positives);
        curve.thresholds.push_back(step.threshold);
    }
    return curve;
}

Result<double> rocAuc(const LabelledScores &data)
{
    Result<RocCurve> curve = rocCurve(data);
    if (!curve)
        return curve.error();
    double area = 0.0;
    for (size_t i = 1; i < curve->fpr.size(); ++i)
        area += (curve->fpr[i] - curve->fpr[i - 1]) * (curve->tpr[i] + curve->tpr[i - 1]) / 2.0;
    return area;
}

Result<PrecisionRecallCurve> precisionRecallCurve(const LabelledScores &data)
{
    if (std::optional<Error> error = refusal(data))
        return *error;
    const std::vector<Step> all = steps(data);
    const double positives = double(all.back().truePositives);
    PrecisionRecallCurve curve;
    curve.precision.reserve(all.size());
    curve.recall.reserve(all.size());
    curve.thresholds.reserve(all.size());
    for (const Step &step : all) {
        curve.recall.push_back(double(step.truePositives) / positives);
        curve.precision.push_back(
            double(step.truePositives) / double(step.truePositives + step.falsePositives));
        curve.thresholds.push_back(step.threshold);
    }
    return curve;
}

Result<double> averagePrecision(const LabelledScores &data)
{
    Result<PrecisionRecallCurve> curve = precisionRecallCurve(data);
    if (!curve)
        return curve.error();
    double ap = 0.0, previousRecall = 0.0;
    for (size_t i = 0; i < curve->recall.size(); ++i) {
        ap += (curve->recall[i] - previousRecall) * curve->precision[i];
        previousRecall = curve->recall[i];
    }
    return ap;
}

Result<ConfusionCounts> confusionAt(const LabelledScores &data, double threshold)
{
    if (std::optional<Error> error = refusal(data))
        return *error;
    ConfusionCounts counts;
    for (size_t i = 0; i < data.scores.size(); ++i) {
        const bool called = data.scores[i] >= threshold;
        if (data.synthetic[i])
            (called ? counts.truePositives : counts.falseNegatives) += 1;
        else
            (called ? counts.falsePositives : counts.trueNegatives) += 1;
    }
    return counts;
}

Result<OperatingPoint> operatingPointAtFpr(const LabelledScores &data, double maxFpr)
{
    if (!(maxFpr >= 0.0 && maxFpr <= 1.0))
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("a false-positive rate is 0 to 1, not %1").arg(maxFpr) };
    Result<RocCurve> curve = rocCurve(data);
    if (!curve)
        return curve.error();
    // FPR and TPR never fall along the curve: the last point within the bound has the most TPR.
    size_t chosen = 0;
    for (size_t i = 1; i < curve->fpr.size(); ++i)
        if (curve->fpr[i] <= maxFpr)
            chosen = i;
    OperatingPoint point;
    point.fpr = curve->fpr[chosen];
    point.tpr = curve->tpr[chosen];
    point.threshold = chosen > 0
        ? curve->thresholds[chosen]
        : std::nextafter(curve->thresholds[1], std::numeric_limits<double>::infinity());
    return point;
}

Result<std::vector<ReliabilityBin>> reliabilityBins(const LabelledScores &data, int bins)
{
    if (std::optional<Error> error = refusal(data))
        return *error;
    if (bins < 1 || bins > 1000)
        return Error{ ErrorCode::BadSettings, QStringLiteral("1 to 1,000 calibration bins") };
    std::vector<ReliabilityBin> result(static_cast<size_t>(bins));
    for (size_t b = 0; b < result.size(); ++b) {
        result[b].low = double(b) / bins;
        result[b].high = double(b + 1) / bins;
    }
    for (size_t i = 0; i < data.scores.size(); ++i) {
        const double p = data.scores[i];
        if (p < 0.0 || p > 1.0)
            return Error{ ErrorCode::BadSettings,
                QStringLiteral("score %1 (%2) is not a probability: calibration needs 0 to 1")
                    .arg(qulonglong(i))
                    .arg(p) };
        ReliabilityBin &bin = result[std::min(size_t(bins - 1), size_t(p * bins))];
        bin.meanScore += p;
        bin.syntheticShare += data.synthetic[i] ? 1.0 : 0.0;
        ++bin.count;
    }
    for (ReliabilityBin &bin : result) {
        if (bin.count > 0) {
            bin.meanScore /= double(bin.count);
            bin.syntheticShare /= double(bin.count);
        }
    }
    return result;
}

Result<double> expectedCalibrationError(const LabelledScores &data, int bins)
{
    Result<std::vector<ReliabilityBin>> binned = reliabilityBins(data, bins);
    if (!binned)
        return binned.error();
    double ece = 0.0;
    const double n = double(data.scores.size());
    for (const ReliabilityBin &bin : *binned)
        ece += double(bin.count) / n * std::abs(bin.syntheticShare - bin.meanScore);
    return ece;
}

Result<AucEstimate> delongAuc(const LabelledScores &data)
{
    if (std::optional<Error> error = refusal(data))
        return *error;
    std::vector<double> x, y;
    for (size_t i = 0; i < data.scores.size(); ++i)
        (data.synthetic[i] ? x : y).push_back(data.scores[i]);
    const double m = double(x.size()), n = double(y.size());
    std::vector<double> all = x;
    all.insert(all.end(), y.begin(), y.end());
    const std::vector<double> tz = midranks(all), tx = midranks(x), ty = midranks(y);
    AucEstimate estimate;
    // The midrank of X_i among all, less its midrank among X, counts the reals below it (ties
    // half): V10_i. Likewise for the reals, from above.
    for (size_t i = 0; i < x.size(); ++i)
        estimate.v10.push_back((tz[i] - tx[i]) / n);
    for (size_t j = 0; j < y.size(); ++j)
        estimate.v01.push_back(1.0 - (tz[x.size() + j] - ty[j]) / m);
    estimate.auc = std::accumulate(estimate.v10.begin(), estimate.v10.end(), 0.0) / m;
    estimate.variance = sampleCovariance(estimate.v10, estimate.v10) / m
        + sampleCovariance(estimate.v01, estimate.v01) / n;
    const double half = 1.959963984540054 * std::sqrt(estimate.variance);
    estimate.ciLow = std::max(0.0, estimate.auc - half);
    estimate.ciHigh = std::min(1.0, estimate.auc + half);
    return estimate;
}

Result<AucComparison> delongTest(const LabelledScores &a, const LabelledScores &b)
{
    if (a.synthetic != b.synthetic)
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("the two detectors were not scored on the same labelled images") };
    Result<AucEstimate> ea = delongAuc(a);
    if (!ea)
        return ea.error();
    Result<AucEstimate> eb = delongAuc(b);
    if (!eb)
        return eb.error();
    const double m = double(ea->v10.size()), n = double(ea->v01.size());
    const double covariance
        = sampleCovariance(ea->v10, eb->v10) / m + sampleCovariance(ea->v01, eb->v01) / n;
    AucComparison comparison;
    comparison.difference = ea->auc - eb->auc;
    const double variance = ea->variance + eb->variance - 2.0 * covariance;
    if (variance <= 0.0) {
        // Identical rankings (or no spread at all): no evidence of a difference.
        comparison.z = 0.0;
        comparison.p = comparison.difference == 0.0 ? 1.0 : 0.0;
        return comparison;
    }
    comparison.z = comparison.difference / std::sqrt(variance);
    comparison.p = std::erfc(std::abs(comparison.z) / std::sqrt(2.0));
    return comparison;
}

Result<BootstrapInterval> bootstrapAucInterval(const LabelledScores &data, int rounds, quint64 seed)
{
    if (std::optional<Error> error = refusal(data))
        return *error;
    if (rounds < 100 || rounds > 100000)
        return Error{ ErrorCode::BadSettings, QStringLiteral("100 to 100,000 bootstrap rounds") };
    std::vector<double> x, y;
    for (size_t i = 0; i < data.scores.size(); ++i)
        (data.synthetic[i] ? x : y).push_back(data.scores[i]);
    const quint32 seedWords[2] = { quint32(seed), quint32(seed >> 32) };
    QRandomGenerator random(seedWords, 2);
    std::vector<double> aucs;
    aucs.reserve(size_t(rounds));
    LabelledScores resample;
    resample.synthetic.assign(x.size(), true);
    resample.synthetic.insert(resample.synthetic.end(), y.size(), false);
    resample.scores.resize(x.size() + y.size());
    for (int r = 0; r < rounds; ++r) {
        for (size_t i = 0; i < x.size(); ++i)
            resample.scores[i] = x[random.bounded(quint32(x.size()))];
        for (size_t j = 0; j < y.size(); ++j)
            resample.scores[x.size() + j] = y[random.bounded(quint32(y.size()))];
        Result<AucEstimate> estimate = delongAuc(resample);
        aucs.push_back(estimate ? estimate->auc : 0.5);
    }
    std::sort(aucs.begin(), aucs.end());
    // Percentiles by linear interpolation between order statistics (numpy's default).
    const auto percentile = [&](double q) {
        const double position = q * double(aucs.size() - 1);
        const size_t lower = size_t(position);
        const size_t upper = std::min(lower + 1, aucs.size() - 1);
        return aucs[lower] + (position - double(lower)) * (aucs[upper] - aucs[lower]);
    };
    return BootstrapInterval{ percentile(0.025), percentile(0.975), rounds };
}

} // namespace forgelens
