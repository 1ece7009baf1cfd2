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

Result<ConfusionCounts> confusionAt(const LabelledScores &data, double threshold);

// The point of highest TPR whose FPR is at most `maxFpr` (0..1), and its threshold (a score of
// the data, so the FPR holds on the data it was chosen on); with none but (0, 0), the threshold
// is just above the highest score.
Result<OperatingPoint> operatingPointAtFpr(const LabelledScores &data, double maxFpr);

// Expected calibration error of P(synthetic) in `bins` equal-width bins over [0, 1] (a score of
// exactly 1 goes to the last bin): sum over bins b of |B_b| / n * |mean label in b - mean score
// in b|. Scores outside [0, 1] are refused (they are not probabilities).
Result<double> expectedCalibrationError(const LabelledScores &data, int bins = 15);

} // namespace forgelens
