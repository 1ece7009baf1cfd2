#include "forgelens/eval/detector_evaluation.h"

#include "forgelens/scan/scan_sidecar.h"

#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace forgelens {
namespace {

bool isScored(const ScanRowScore &score)
{
    return std::isfinite(score.pSynthetic);
}

bool callsSynthetic(const ScanRowScore &score)
{
    return score.pSynthetic >= score.threshold;
}

// The figures that need both classes, on scores already split from failures.
void addRankingFigures(
    DetectorFigures &figures, const LabelledScores &data, const EvaluationOptions &options)
{
    Result<AucEstimate> estimate = delongAuc(data);
    if (!estimate) {
        figures.whyNoRanking = estimate.error().message;
        return;
    }
    figures.auc = estimate->auc;
    figures.aucStandardError = std::sqrt(estimate->variance);
    if (options.bootstrapRounds > 0) {
        if (Result<BootstrapInterval> interval
            = bootstrapAucInterval(data, options.bootstrapRounds, options.seed))
            figures.aucInterval = *interval;
    }
    if (Result<double> ap = averagePrecision(data))
        figures.averagePrecision = *ap;
    if (Result<double> ece = expectedCalibrationError(data))
        figures.ece = *ece;
    if (Result<OperatingPoint> point = operatingPointAtFpr(data, options.targetFpr)) {
        figures.atTargetFpr = *point;
        if (Result<ConfusionCounts> counts = confusionAt(data, point->threshold))
            figures.atChosenThreshold = *counts;
    }
    if (Result<OperatingPoint> point = operatingPointAtFpr(data, 0.01))
        figures.atFpr1 = *point;
    if (Result<OperatingPoint> point = operatingPointAtFpr(data, 0.05))
        figures.atFpr5 = *point;

    const double tpr = figures.atThreshold.syntheticAccuracy();
    const double fpr = 1.0 - figures.atThreshold.realAccuracy();
    for (const double prevalence : options.prevalences) {
        const double truePositive = tpr * prevalence;
        const double falsePositive = fpr * (1.0 - prevalence);
        const double trueNegative = (1.0 - fpr) * (1.0 - prevalence);
        const double falseNegative = (1.0 - tpr) * prevalence;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        figures.predictive.push_back(PredictiveValues{ prevalence,
            truePositive + falsePositive > 0.0 ? truePositive / (truePositive + falsePositive)
                                               : nan,
            trueNegative + falseNegative > 0.0 ? trueNegative / (trueNegative + falseNegative)
                                               : nan });
    }
}

DetectorPairFigures pairFigures(const std::vector<EvaluatedFile> &files, const QStringList &ids,
    int a, int b, const EvaluationOptions &options)
{
    DetectorPairFigures pair;
    pair.a = ids.at(a);
    pair.b = ids.at(b);
    LabelledScores scoresA;
    LabelledScores scoresB;
    std::vector<bool> callsA;
    std::vector<bool> callsB;
    for (const EvaluatedFile &file : files) {
        const ScanRowScore &sa = file.scores[size_t(a)];
        const ScanRowScore &sb = file.scores[size_t(b)];
        if (!isScored(sa) || !isScored(sb))
            continue;
        scoresA.scores.push_back(sa.pSynthetic);
        scoresB.scores.push_back(sb.pSynthetic);
        scoresA.synthetic.push_back(file.label.synthetic);
        callsA.push_back(callsSynthetic(sa));
        callsB.push_back(callsSynthetic(sb));
        pair.mostDisagreeing.push_back(
            Disagreement{ file.label.path, file.label.synthetic, sa.pSynthetic, sb.pSynthetic });
    }
    scoresB.synthetic = scoresA.synthetic;
    pair.images = qint64(callsA.size());
    if (pair.images == 0) {
        pair.whyNoDelong = QStringLiteral("no image was scored by both detectors");
        return pair;
    }
    qint64 equal = 0;
    for (size_t i = 0; i < callsA.size(); ++i)
        equal += callsA[i] == callsB[i] ? 1 : 0;
    pair.agreement = double(equal) / double(pair.images);
    pair.kappa = cohenKappa(callsA, callsB);
    if (Result<AucComparison> test = delongTest(scoresA, scoresB))
        pair.delong = *test;
    else
        pair.whyNoDelong = test.error().message;
    // Ties keep the report's order (stable), so the list is the same on every run.
    std::stable_sort(pair.mostDisagreeing.begin(), pair.mostDisagreeing.end(),
        [](const Disagreement &x, const Disagreement &y) {
            return std::abs(x.pA - x.pB) > std::abs(y.pA - y.pB);
        });
    if (pair.mostDisagreeing.size() > size_t(options.disagreements))
        pair.mostDisagreeing.resize(size_t(options.disagreements));
    return pair;
}

std::vector<NamedFigures> figuresBy(const std::vector<EvaluatedFile> &files, int detector,
    const EvaluationOptions &options, bool byGenerator)
{
    std::map<QString, std::vector<const EvaluatedFile *>> subsets;
    std::map<QString, std::vector<const EvaluatedFile *>> realByGenerator;
    std::vector<const EvaluatedFile *> allReal;
    for (const EvaluatedFile &file : files) {
        const QString &name = byGenerator ? file.label.generator : file.label.group;
        if (byGenerator) {
            if (!file.label.synthetic) {
                allReal.push_back(&file);
                if (!name.isEmpty())
                    realByGenerator[name].push_back(&file);
                continue;
            }
            if (name.isEmpty())
                continue;
        } else if (name.isEmpty()) {
            continue;
        }
        subsets[name].push_back(&file);
    }
    std::vector<NamedFigures> named;
    for (auto &[name, subset] : subsets) {
        const auto real = realByGenerator.find(name);
        const std::vector<const EvaluatedFile *> &reals
            = real != realByGenerator.end() ? real->second : allReal;
        if (byGenerator)
            subset.insert(subset.end(), reals.begin(), reals.end());
        named.push_back(NamedFigures{ name, detectorFigures(subset, detector, options) });
    }
    return named;
}

} // namespace

QString EvaluationOptions::validate() const
{
    if (!(targetFpr > 0.0 && targetFpr < 1.0))
        return QStringLiteral("the target false-positive rate must lie between 0 and 1 "
                              "(0.05 is 5 %)");
    if (bootstrapRounds < 0 || bootstrapRounds > 100000)
        return QStringLiteral("0 to 100,000 bootstrap rounds");
    if (disagreements < 0 || disagreements > 10000)
        return QStringLiteral("0 to 10,000 disagreeing images per pair");
    for (const double prevalence : prevalences)
        if (!(prevalence > 0.0 && prevalence < 1.0))
            return QStringLiteral("a prevalence lies between 0 and 1");
    return {};
}

qint64 DetectorFigures::failed() const
{
    qint64 count = 0;
    for (const auto &entry : failures)
        count += entry.second;
    return count;
}

LabelledScores labelledScores(const std::vector<EvaluatedFile> &files, int detector)
{
    LabelledScores data;
    for (const EvaluatedFile &file : files) {
        const ScanRowScore &score = file.scores[size_t(detector)];
        if (!isScored(score))
            continue;
        data.scores.push_back(score.pSynthetic);
        data.synthetic.push_back(file.label.synthetic);
    }
    return data;
}

double cohenKappa(const std::vector<bool> &a, const std::vector<bool> &b)
{
    if (a.size() != b.size() || a.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const double n = double(a.size());
    double agree = 0.0;
    double positiveA = 0.0;
    double positiveB = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        agree += a[i] == b[i] ? 1.0 : 0.0;
        positiveA += a[i] ? 1.0 : 0.0;
        positiveB += b[i] ? 1.0 : 0.0;
    }
    const double observed = agree / n;
    const double expected
        = (positiveA / n) * (positiveB / n) + (1.0 - positiveA / n) * (1.0 - positiveB / n);
    if (expected >= 1.0)
        return std::numeric_limits<double>::quiet_NaN();
    return (observed - expected) / (1.0 - expected);
}

DetectorFigures detectorFigures(
    const std::vector<const EvaluatedFile *> &files, int detector, const EvaluationOptions &options)
{
    DetectorFigures figures;
    LabelledScores data;
    for (const EvaluatedFile *file : files) {
        const ScanRowScore &score = file->scores[size_t(detector)];
        if (!isScored(score)) {
            const QString status = file->status.isEmpty() || file->status == QStringLiteral("ok")
                ? QStringLiteral("not-scored")
                : file->status;
            ++figures.failures[status];
            continue;
        }
        if (std::isnan(figures.threshold))
            figures.threshold = score.threshold;
        const bool synthetic = file->label.synthetic;
        (synthetic ? figures.synthetic : figures.real) += 1;
        if (score.label.contains(QStringLiteral("inconclusive")))
            ++figures.inconclusive;
        // Each row's own threshold: a report is written with one per detector, and a merged
        // one could in principle carry two.
        const bool called = callsSynthetic(score);
        ConfusionCounts &counts = figures.atThreshold;
        if (synthetic)
            (called ? counts.truePositives : counts.falseNegatives) += 1;
        else
            (called ? counts.falsePositives : counts.trueNegatives) += 1;
        data.scores.push_back(score.pSynthetic);
        data.synthetic.push_back(synthetic);
    }
    if (figures.real == 0 || figures.synthetic == 0) {
        figures.whyNoRanking = figures.scored() == 0
            ? QStringLiteral("no image of this set was scored")
            : QStringLiteral("only %1 images were scored here: ranking figures (AUC, AP, the "
                             "operating points, calibration) need real and synthetic images")
                  .arg(figures.real == 0 ? QStringLiteral("synthetic") : QStringLiteral("real"));
        return figures;
    }
    addRankingFigures(figures, data, options);
    return figures;
}

Result<Evaluation> evaluateScanReport(const ScanReport &report, const LabelledSet &labels,
    const EvaluationOptions &options, const QSet<QString> &excludedSha256)
{
    if (const QString problem = options.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };
    Evaluation evaluation;
    evaluation.detectorIds = report.columns.detectorIds;
    if (evaluation.detectorIds.isEmpty())
        return Error{
            ErrorCode::BadSettings,
            QStringLiteral("%1 has no detector's columns: nothing to evaluate").arg(report.csvPath)
        };
    evaluation.labelled = qint64(labels.files.size());

    LabelledSet evaluated;
    evaluated.origin = labels.origin;
    QSet<QString> seen;
    for (const ScanResultRow &row : report.rows) {
        const LabelledFile *label = labels.find(row.path);
        if (label == nullptr) {
            ++evaluation.unlabelledRows;
            continue;
        }
        seen.insert(row.path);
        if (!row.sha256.isEmpty() && excludedSha256.contains(row.sha256)) {
            ++evaluation.excluded;
            continue;
        }
        evaluated.files.push_back(*label);
        evaluation.files.push_back(EvaluatedFile{ *label, row.sha256, row.scores, row.status });
    }
    evaluation.missing = evaluation.labelled - qint64(seen.size());
    evaluated.index();
    evaluation.fileListSha256 = evaluated.fileListSha256();
    if (evaluation.files.empty())
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("the labels name none of the %1 rows of %2 (paths are relative to the "
                           "scanned folder, '/'-separated)")
                .arg(report.rows.size())
                .arg(report.csvPath) };
    std::vector<const EvaluatedFile *> all;
    all.reserve(evaluation.files.size());
    for (const EvaluatedFile &file : evaluation.files)
        all.push_back(&file);
    for (int d = 0; d < evaluation.detectorIds.size(); ++d) {
        DetectorEvaluation detector;
        detector.detectorId = evaluation.detectorIds.at(d);
        const QJsonObject model = sidecarModel(report.sidecar, detector.detectorId);
        detector.bundleSha256 = model.value(QStringLiteral("bundle_sha256")).toString();
        detector.manifestSha256 = model.value(QStringLiteral("manifest_sha256")).toString();
        detector.overall = detectorFigures(all, d, options);
        detector.byGenerator = figuresBy(evaluation.files, d, options, true);
        detector.byGroup = figuresBy(evaluation.files, d, options, false);
        evaluation.detectors.push_back(std::move(detector));
    }
    for (int a = 0; a < evaluation.detectorIds.size(); ++a)
        for (int b = a + 1; b < evaluation.detectorIds.size(); ++b)
            evaluation.pairs.push_back(
                pairFigures(evaluation.files, evaluation.detectorIds, a, b, options));
    return evaluation;
}

} // namespace forgelens
