#pragma once

#include "forgelens/result.h"

#include <vector>

namespace forgelens {

// Scores of one detector on labelled images: `scores[i]` is P(synthetic) (any real number does:
// only the order matters, except for calibration), `synthetic[i]` the truth.
struct LabelledScores {
    std::vector<double> scores;
    std::vector<bool> synthetic;
};

// The ROC curve at every distinct score, highest first, as scikit-learn's
// roc_curve(drop_intermediate=False) gives it: the first point is (0, 0) at a threshold above
// every score (+infinity here), then one point per distinct score t with
// fpr = #{real: s >= t} / #real and tpr = #{synthetic: s >= t} / #synthetic.
struct RocCurve {
    std::vector<double> fpr;
    std::vector<double> tpr;
    std::vector<double> thresholds;
};

// The counts at one threshold: a score at or above it is called synthetic.
struct ConfusionCounts {
    qint64 truePositives = 0; // synthetic called synthetic
    qint64 falsePositives = 0; // real called synthetic
    qint64 trueNegatives = 0;
    qint64 falseNegatives = 0;
    double accuracy() const;
    double realAccuracy() const; // TN / (TN + FP): the share of real images called real
    double syntheticAccuracy() const; // TP / (TP + FN)
};

// One point of the curve at a chosen false-positive rate.
struct OperatingPoint {
    double threshold = 0.0; // call synthetic at or above it
    double fpr = 0.0;
    double tpr = 0.0;
};

// Every figure needs both classes and finite scores: a set with one class, sizes that differ,
// or a NaN score is refused with error bad-settings and a sentence saying which.
Result<RocCurve> rocCurve(const LabelledScores &data);

// Area under the ROC curve by the trapezoidal rule over rocCurve(): ties count half, as
// scikit-learn's roc_auc_score does.
Result<double> rocAuc(const LabelledScores &data);

// Average precision as scikit-learn's average_precision_score defines it: sum over distinct
// thresholds, highest first, of (R_n - R_{n-1}) * P_n, with P_n and R_n the precision and recall
// at the n-th threshold (no interpolation).
Result<double> averagePrecision(const LabelledScores &data);

// The precision-recall curve behind averagePrecision(): one point per distinct score t,
// highest first, with recall = TP(t) / #synthetic and precision = TP(t) / (TP(t) + FP(t)) over
// the images scoring at or above t (scikit-learn's precision_recall_curve, read from its end,
// without the (recall 0, precision 1) point it appends).
struct PrecisionRecallCurve {
    std::vector<double> precision;
    std::vector<double> recall;
    std::vector<double> thresholds;
};
Result<PrecisionRecallCurve> precisionRecallCurve(const LabelledScores &data);

Result<ConfusionCounts> confusionAt(const LabelledScores &data, double threshold);

// The point of highest TPR whose FPR is at most `maxFpr` (0..1), and its threshold (a score of
// the data, so the FPR holds on the data it was chosen on); with none but (0, 0), the threshold
// is just above the highest score.
Result<OperatingPoint> operatingPointAtFpr(const LabelledScores &data, double maxFpr);

// Expected calibration error of P(synthetic) in `bins` equal-width bins over [0, 1] (a score of
// exactly 1 goes to the last bin): sum over bins b of |B_b| / n * |mean label in b - mean score
// in b|. Scores outside [0, 1] are refused (they are not probabilities).
Result<double> expectedCalibrationError(const LabelledScores &data, int bins = 15);

// The bins behind expectedCalibrationError() (a reliability diagram): [low, high), the last
// closed; meanScore and syntheticShare are 0 in an empty bin.
struct ReliabilityBin {
    double low = 0.0;
    double high = 0.0;
    qint64 count = 0;
    double meanScore = 0.0;
    double syntheticShare = 0.0;
};
Result<std::vector<ReliabilityBin>> reliabilityBins(const LabelledScores &data, int bins = 15);

// The AUC with its DeLong variance: with synthetic scores X_1..X_m and real Y_1..Y_n,
// psi(x, y) = 1 if x > y, 1/2 if equal, else 0; V10_i = mean_j psi(X_i, Y_j),
// V01_j = mean_i psi(X_i, Y_j); AUC = mean V10; Var = s²(V10) / m + s²(V01) / n with s² the
// sample variance (divisor m - 1, n - 1). Computed from midranks in O(N log N).
struct AucEstimate {
    double auc = 0.0;
    double variance = 0.0;
    double ciLow = 0.0; // AUC -/+ 1.959964 standard errors, clipped to [0, 1]
    double ciHigh = 0.0;
    std::vector<double> v10; // [m] per synthetic image, in input order
    std::vector<double> v01; // [n] per real image
};
Result<AucEstimate> delongAuc(const LabelledScores &data);

// DeLong's test of the difference of two detectors' AUCs on the same images (same labels, same
// order): z = (AUC_a - AUC_b) / sqrt(Var_a + Var_b - 2 Cov_ab), with Cov_ab = cov(V10_a, V10_b)
// / m + cov(V01_a, V01_b) / n; p two-sided from the normal distribution.
struct AucComparison {
    double difference = 0.0; // AUC_a - AUC_b
    double z = 0.0;
    double p = 1.0;
};
Result<AucComparison> delongTest(const LabelledScores &a, const LabelledScores &b);

// Percentile bootstrap of the AUC: `rounds` resamples drawn with replacement within each class
// (so every resample has both, in the original counts), the 2.5th and 97.5th percentiles of
// their AUCs. Deterministic for a seed.
struct BootstrapInterval {
    double low = 0.0;
    double high = 0.0;
    int rounds = 0;
};
Result<BootstrapInterval> bootstrapAucInterval(
    const LabelledScores &data, int rounds = 2000, quint64 seed = 1);

} // namespace forgelens
