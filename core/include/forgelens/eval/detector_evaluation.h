#pragma once

#include "forgelens/eval/binary_metrics.h"
#include "forgelens/eval/labelled_set.h"
#include "forgelens/result.h"
#include "forgelens/scan/scan_report.h"

#include <QSet>
#include <QString>

#include <limits>
#include <map>
#include <optional>
#include <vector>

namespace forgelens {

struct EvaluationOptions {
    double targetFpr = 0.05; // the re-chosen threshold's false-positive bound (0 < f < 1)
    int bootstrapRounds = 2000; // of the AUC's 95 % interval; 0 = none
    quint64 seed = 1; // of the bootstrap
    int disagreements = 20; // images listed per pair of detectors
    // Prevalences at which positive and negative predictive values are stated (0 < π < 1).
    std::vector<double> prevalences{ 0.01, 0.1, 0.5 };

    QString validate() const; // empty when usable
};

// PPV and NPV of a detector's calls at a prevalence π of synthetic images, from its TPR and FPR
// on the evaluation (Bayes): PPV = TPR·π / (TPR·π + FPR·(1−π)), NPV = (1−FPR)(1−π) /
// ((1−FPR)(1−π) + (1−TPR)·π). NaN where the denominator is 0.
struct PredictiveValues {
    double prevalence = 0.0;
    double ppv = 0.0;
    double npv = 0.0;
};

// One detector's figures on one subset of the labelled files (all of them, a generator, a group).
// Images it did not score (a status other than ok) are counted in `failures` and left out of
// every other figure. Figures that need both classes are absent (`whyNoRanking` says why) when
// the subset has one; the accuracy of the class it has is still given.
struct DetectorFigures {
    qint64 real = 0; // scored real images
    qint64 synthetic = 0; // scored synthetic images
    std::map<QString, qint64> failures; // status -> labelled images not scored
    qint64 inconclusive = 0; // scored images the inconclusive band held (label code)

    double threshold = std::numeric_limits<double>::quiet_NaN(); // the manifest's (or report's)
    ConfusionCounts atThreshold; // calls at `threshold` (at or above: synthetic)
    double ece = std::numeric_limits<double>::quiet_NaN(); // 15 bins

    QString whyNoRanking; // empty when the figures below are present
    double auc = std::numeric_limits<double>::quiet_NaN();
    double aucStandardError = std::numeric_limits<double>::quiet_NaN(); // DeLong
    std::optional<BootstrapInterval> aucInterval; // 95 %, stratified bootstrap
    double averagePrecision = std::numeric_limits<double>::quiet_NaN();
    std::optional<OperatingPoint> atTargetFpr; // the re-chosen threshold (options.targetFpr)
    ConfusionCounts atChosenThreshold;
    std::optional<OperatingPoint> atFpr1; // the highest TPR with FPR <= 1 %
    std::optional<OperatingPoint> atFpr5; // ... <= 5 %
    std::vector<PredictiveValues> predictive; // at `threshold`, per options.prevalences

    qint64 scored() const { return real + synthetic; }
    qint64 failed() const;
};

// A subset's name and figures (a generator's images against the real images, a group's images).
struct NamedFigures {
    QString name;
    DetectorFigures figures;
};

struct DetectorEvaluation {
    QString detectorId;
    QString bundleSha256; // from the report's sidecar; empty when it has none
    QString manifestSha256;
    DetectorFigures overall;
    // Per generator: that generator's synthetic images against the real images labelled with the
    // same generator (CNNDetection's GEN/0_real) where there are any, else against every real
    // image. Sorted by name.
    std::vector<NamedFigures> byGenerator;
    std::vector<NamedFigures> byGroup; // each group's own images, both classes; sorted by name
};

// One image the two detectors of a pair called most differently.
struct Disagreement {
    QString path;
    bool synthetic = false;
    double pA = 0.0;
    double pB = 0.0;
};

// Two detectors on the images both scored.
struct DetectorPairFigures {
    QString a;
    QString b;
    qint64 images = 0;
    double agreement = std::numeric_limits<double>::quiet_NaN(); // share of equal calls at each
                                                                 // one's threshold
    double kappa = std::numeric_limits<double>::quiet_NaN(); // Cohen's, of those calls
    std::optional<AucComparison> delong; // absent with one class
    QString whyNoDelong;
    std::vector<Disagreement> mostDisagreeing; // by |pA − pB|, largest first
};

// A labelled file with every detector's cells from the report.
struct EvaluatedFile {
    LabelledFile label;
    QString sha256;
    std::vector<ScanRowScore> scores; // per detector, in the report's column order
    QString status;
};

struct Evaluation {
    QStringList detectorIds;
    std::vector<DetectorEvaluation> detectors;
    std::vector<DetectorPairFigures> pairs;
    std::vector<EvaluatedFile> files; // the labelled rows of the report, in its order
    qint64 labelled = 0; // files the labels name
    qint64 missing = 0; // labelled files with no row in the report (not scanned)
    qint64 unlabelledRows = 0; // rows of the report the labels do not name (left out)
    qint64 excluded = 0; // labelled rows left out by hash (options of the caller)
    QString fileListSha256; // of the labelled files evaluated (LabelledSet::fileListSha256)
};

// The figures of a scan report's rows against labels. `excludedSha256` drops rows whose file
// hash it holds (a detector's own training files, files reserved for another evaluation).
// A report with no detector, or labels that name no row, is refused with error bad-settings
// and a sentence. A set of one class (real photographs only, say) is evaluated: each figure
// that needs both classes is absent, with DetectorFigures::whyNoRanking saying so, and the
// accuracy on that class (the false-positive rate, for real photographs) is given.
Result<Evaluation> evaluateScanReport(const ScanReport &report, const LabelledSet &labels,
    const EvaluationOptions &options, const QSet<QString> &excludedSha256 = {});

// One detector's figures on `files` (scores column `detector`), as evaluateScanReport() gives
// them: for a view that re-computes a subset.
DetectorFigures detectorFigures(const std::vector<const EvaluatedFile *> &files, int detector,
    const EvaluationOptions &options);

// One detector's finite scores on `files` with their labels (what its curves are drawn from).
LabelledScores labelledScores(const std::vector<EvaluatedFile> &files, int detector);

// Cohen's kappa of two raters' binary calls: (p_o − p_e) / (1 − p_e), with p_o the observed
// agreement and p_e the agreement expected from each rater's marginal rates; NaN when p_e = 1
// (both called every image the same), as scikit-learn's cohen_kappa_score gives. Sizes must match.
double cohenKappa(const std::vector<bool> &a, const std::vector<bool> &b);

} // namespace forgelens
