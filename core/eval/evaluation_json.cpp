#include "forgelens/eval/evaluation_json.h"

#include "forgelens/scan/scan_sidecar.h"

#include <QJsonArray>

#include <cmath>

namespace forgelens {
namespace {

QJsonValue number(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue();
}

QJsonObject confusionJson(const ConfusionCounts &counts)
{
    const bool any = counts.truePositives + counts.falsePositives + counts.trueNegatives
            + counts.falseNegatives
        > 0;
    const bool real = counts.trueNegatives + counts.falsePositives > 0;
    const bool synthetic = counts.truePositives + counts.falseNegatives > 0;
    return QJsonObject{
        { QStringLiteral("true_positives"), counts.truePositives },
        { QStringLiteral("false_positives"), counts.falsePositives },
        { QStringLiteral("true_negatives"), counts.trueNegatives },
        { QStringLiteral("false_negatives"), counts.falseNegatives },
        { QStringLiteral("accuracy"), any ? number(counts.accuracy()) : QJsonValue() },
        { QStringLiteral("real_accuracy"), real ? number(counts.realAccuracy()) : QJsonValue() },
        { QStringLiteral("synthetic_accuracy"),
            synthetic ? number(counts.syntheticAccuracy()) : QJsonValue() },
    };
}

QJsonValue pointJson(const std::optional<OperatingPoint> &point)
{
    if (!point)
        return QJsonValue();
    return QJsonObject{
        { QStringLiteral("threshold"), number(point->threshold) },
        { QStringLiteral("fpr"), number(point->fpr) },
        { QStringLiteral("tpr"), number(point->tpr) },
    };
}

QJsonObject figuresJson(const DetectorFigures &figures, const EvaluationOptions &options)
{
    QJsonObject failures;
    for (const auto &[status, count] : figures.failures)
        failures.insert(status, count);
    QJsonArray predictive;
    for (const PredictiveValues &value : figures.predictive)
        predictive.append(QJsonObject{
            { QStringLiteral("prevalence"), value.prevalence },
            { QStringLiteral("ppv"), number(value.ppv) },
            { QStringLiteral("npv"), number(value.npv) },
        });
    QJsonObject json{
        { QStringLiteral("real"), figures.real },
        { QStringLiteral("synthetic"), figures.synthetic },
        { QStringLiteral("failures"), failures },
        { QStringLiteral("inconclusive"), figures.inconclusive },
        { QStringLiteral("inconclusive_share"),
            figures.scored() > 0 ? number(double(figures.inconclusive) / double(figures.scored()))
                                 : QJsonValue() },
        { QStringLiteral("threshold"), number(figures.threshold) },
        { QStringLiteral("at_threshold"), confusionJson(figures.atThreshold) },
        { QStringLiteral("why_no_ranking"),
            figures.whyNoRanking.isEmpty() ? QJsonValue() : QJsonValue(figures.whyNoRanking) },
        { QStringLiteral("auc"), number(figures.auc) },
        { QStringLiteral("auc_standard_error_delong"), number(figures.aucStandardError) },
        { QStringLiteral("auc_ci95_bootstrap"),
            figures.aucInterval
                ? QJsonValue(QJsonArray{ figures.aucInterval->low, figures.aucInterval->high })
                : QJsonValue() },
        { QStringLiteral("average_precision"), number(figures.averagePrecision) },
        { QStringLiteral("ece_15_bins"), number(figures.ece) },
        { QStringLiteral("target_fpr"), options.targetFpr },
        { QStringLiteral("at_target_fpr"), pointJson(figures.atTargetFpr) },
        { QStringLiteral("at_chosen_threshold"),
            figures.atTargetFpr ? QJsonValue(confusionJson(figures.atChosenThreshold))
                                : QJsonValue() },
        { QStringLiteral("tpr_at_fpr_1pct"), pointJson(figures.atFpr1) },
        { QStringLiteral("tpr_at_fpr_5pct"), pointJson(figures.atFpr5) },
        { QStringLiteral("predictive_values_at_threshold"), predictive },
    };
    return json;
}

QJsonArray namedJson(const std::vector<NamedFigures> &named, const EvaluationOptions &options)
{
    QJsonArray array;
    for (const NamedFigures &entry : named) {
        QJsonObject json = figuresJson(entry.figures, options);
        json.insert(QStringLiteral("name"), entry.name);
        array.append(json);
    }
    return array;
}

} // namespace

QString baseRateCaveat()
{
    return QStringLiteral(
        "These figures describe this labelled set, not any one image. AUC and accuracy do not "
        "depend on how common synthetic images are; the chance that a flagged image really is "
        "synthetic does: where 1 image in 100 is synthetic, even a 5 % false-positive rate means "
        "most flags are wrong (the predictive values at 1 %, 10 % and 50 % prevalence say how "
        "often a "
        "flag is right). Images unlike this set "
        "(other generators, cameras, compression or edits) can score very differently.");
}

QJsonObject evaluationToJson(const Evaluation &evaluation, const EvaluationOptions &options,
    const EvaluationProvenance &provenance)
{
    qint64 real = 0;
    qint64 synthetic = 0;
    for (const EvaluatedFile &file : evaluation.files)
        (file.label.synthetic ? synthetic : real) += 1;

    QJsonArray detectors;
    for (const DetectorEvaluation &detector : evaluation.detectors) {
        const QJsonObject model = sidecarModel(provenance.reportSidecar, detector.detectorId);
        detectors.append(QJsonObject{
            { QStringLiteral("id"), detector.detectorId },
            { QStringLiteral("name"), model.value(QStringLiteral("name")) },
            { QStringLiteral("version"), model.value(QStringLiteral("version")) },
            { QStringLiteral("bundle_sha256"), detector.bundleSha256 },
            { QStringLiteral("manifest_sha256"), detector.manifestSha256 },
            { QStringLiteral("caveat"), model.value(QStringLiteral("caveat")) },
            { QStringLiteral("overall"), figuresJson(detector.overall, options) },
            { QStringLiteral("by_generator"), namedJson(detector.byGenerator, options) },
            { QStringLiteral("by_group"), namedJson(detector.byGroup, options) },
        });
    }
    QJsonArray pairs;
    for (const DetectorPairFigures &pair : evaluation.pairs) {
        QJsonArray disagreements;
        for (const Disagreement &entry : pair.mostDisagreeing)
            disagreements.append(QJsonObject{
                { QStringLiteral("path"), entry.path },
                { QStringLiteral("label"),
                    entry.synthetic ? QStringLiteral("synthetic") : QStringLiteral("real") },
                { QStringLiteral("p_a"), entry.pA },
                { QStringLiteral("p_b"), entry.pB },
            });
        pairs.append(QJsonObject{
            { QStringLiteral("a"), pair.a },
            { QStringLiteral("b"), pair.b },
            { QStringLiteral("images"), pair.images },
            { QStringLiteral("agreement"), number(pair.agreement) },
            { QStringLiteral("cohen_kappa"), number(pair.kappa) },
            { QStringLiteral("delong"),
                pair.delong ? QJsonValue(QJsonObject{
                    { QStringLiteral("auc_difference"), pair.delong->difference },
                    { QStringLiteral("z"), number(pair.delong->z) },
                    { QStringLiteral("p"), number(pair.delong->p) },
                })
                            : QJsonValue() },
            { QStringLiteral("why_no_delong"),
                pair.whyNoDelong.isEmpty() ? QJsonValue() : QJsonValue(pair.whyNoDelong) },
            { QStringLiteral("most_disagreeing"), disagreements },
        });
    }
    return QJsonObject{
        { QStringLiteral("format"), QStringLiteral("forgelens-evaluation") },
        { QStringLiteral("format_version"), 1 },
        { QStringLiteral("tool"), QStringLiteral("forgelens-cli evaluate") },
        { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
        { QStringLiteral("created_utc"), provenance.createdUtc },
        { QStringLiteral("dataset"),
            QJsonObject{
                { QStringLiteral("labels_from"), provenance.labelsOrigin },
                { QStringLiteral("labels_csv"),
                    provenance.labelsPath.isEmpty() ? QJsonValue()
                                                    : QJsonValue(provenance.labelsPath) },
                { QStringLiteral("class_folders"),
                    QJsonArray::fromStringList(provenance.classFolders) },
                { QStringLiteral("root"), provenance.reportSidecar.value(QStringLiteral("root")) },
                { QStringLiteral("file_list_sha256"), evaluation.fileListSha256 },
                { QStringLiteral("images"), qint64(evaluation.files.size()) },
                { QStringLiteral("real"), real },
                { QStringLiteral("synthetic"), synthetic },
                { QStringLiteral("labelled"), evaluation.labelled },
                { QStringLiteral("labelled_not_in_report"), evaluation.missing },
                { QStringLiteral("report_rows_unlabelled"), evaluation.unlabelledRows },
                { QStringLiteral("excluded_by_hash"), evaluation.excluded },
                { QStringLiteral("exclusion_lists"),
                    QJsonArray::fromStringList(provenance.excludedLists) },
            } },
        { QStringLiteral("report"), provenance.reportPath },
        { QStringLiteral("options"),
            QJsonObject{
                { QStringLiteral("target_fpr"), options.targetFpr },
                { QStringLiteral("bootstrap_rounds"), options.bootstrapRounds },
                { QStringLiteral("bootstrap_seed"), QString::number(options.seed) },
                { QStringLiteral("calibration_bins"), 15 },
            } },
        { QStringLiteral("detectors"), detectors },
        { QStringLiteral("pairs"), pairs },
        { QStringLiteral("caveat"), baseRateCaveat() },
    };
}

} // namespace forgelens
