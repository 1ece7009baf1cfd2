#include "forgelens/eval/threshold_choice.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <functional>

namespace forgelens {
namespace {

QString percentText(double rate)
{
    return QString::number(100.0 * rate, 'g', 3) + QStringLiteral(" %");
}

double realFpr(const std::vector<double> &realScores, double threshold)
{
    const auto flagged = std::count_if(
        realScores.begin(), realScores.end(), [threshold](double s) { return s >= threshold; });
    return double(flagged) / double(realScores.size());
}

} // namespace

ThresholdChoice ThresholdChoice::atFpr(double targetFpr)
{
    ThresholdChoice choice;
    choice.targetFpr = targetFpr;
    choice.bandFpr = std::pair{ std::min(0.5, 2.0 * targetFpr), targetFpr / 5.0 };
    return choice;
}

QString ThresholdChoice::validate() const
{
    if (!(targetFpr > 0.0 && targetFpr < 1.0))
        return QStringLiteral("the threshold's false-positive rate must lie between 0 and 1");
    if (bandFpr
        && !(bandFpr->first < 1.0 && bandFpr->first > targetFpr && targetFpr > bandFpr->second
            && bandFpr->second > 0.0))
        return QStringLiteral("the band's false-positive rates must lie on either side of the "
                              "threshold's (e.g. 10 % and 1 % around 5 %)");
    return {};
}

double thresholdAtRealFpr(std::vector<double> realScores, double fpr)
{
    if (realScores.empty())
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(realScores.begin(), realScores.end(), std::greater<>());
    const double n = double(realScores.size());
    double chosen = std::nextafter(realScores.front(), std::numeric_limits<double>::infinity());
    // Walk down the distinct scores while the images at or above each stay within the rate.
    for (size_t i = 0; i < realScores.size(); ++i) {
        if (i + 1 < realScores.size() && realScores[i + 1] == realScores[i])
            continue; // the whole tie is flagged together
        if (double(i + 1) / n > fpr)
            break;
        chosen = realScores[i];
    }
    return chosen;
}

Result<QJsonObject> thresholdOverrideDocument(const Evaluation &evaluation, int detector,
    const QJsonObject &model, const ThresholdChoice &choice, const QString &createdUtc)
{
    if (const QString problem = choice.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };
    if (detector < 0 || detector >= evaluation.detectorIds.size())
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("no such detector in the evaluation") };
    QJsonObject manifest = model.value(QStringLiteral("manifest")).toObject();
    const QString bundleSha256 = model.value(QStringLiteral("bundle_sha256")).toString();
    if (manifest.isEmpty() || bundleSha256.isEmpty())
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("the scan report's sidecar holds no manifest and bundle hash for %1: "
                           "a threshold override copies them")
                .arg(evaluation.detectorIds.at(detector)) };

    std::vector<double> real;
    for (const EvaluatedFile &file : evaluation.files) {
        const double p = file.scores[size_t(detector)].pSynthetic;
        if (!file.label.synthetic && std::isfinite(p))
            real.push_back(p);
    }
    // Below 1 / FPR images, no image may be flagged at all: the threshold would sit above the
    // highest score, and the rate would be a guess.
    const double needed
        = std::ceil(1.0 / (choice.bandFpr ? choice.bandFpr->second : choice.targetFpr));
    if (double(real.size()) < needed)
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("%1 real images were scored; choosing a threshold at %2 false "
                           "positives needs at least %3")
                .arg(real.size())
                .arg(percentText(choice.bandFpr ? choice.bandFpr->second : choice.targetFpr))
                .arg(needed) };
    const double threshold = thresholdAtRealFpr(real, choice.targetFpr);
    if (!(threshold > 0.0 && threshold < 1.0))
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("the threshold at %1 false positives would be %2, outside (0, 1): the "
                           "real images' scores reach the end of the scale")
                .arg(percentText(choice.targetFpr))
                .arg(threshold) };
    const QString on = QStringLiteral("%1 real images (file list SHA-256 %2)")
                           .arg(real.size())
                           .arg(evaluation.fileListSha256);
    QJsonObject thresholdJson{
        { QStringLiteral("value"), threshold },
        { QStringLiteral("chosen_by"),
            QStringLiteral("%1 false positives on %2, forgelens-cli evaluate %3, %4")
                .arg(percentText(choice.targetFpr), on, QStringLiteral(FORGELENS_VERSION),
                    createdUtc) },
    };
    QJsonObject chosen{
        { QStringLiteral("target_fpr"), choice.targetFpr },
        { QStringLiteral("fpr"), realFpr(real, threshold) },
        { QStringLiteral("real_images"), qint64(real.size()) },
        { QStringLiteral("file_list_sha256"), evaluation.fileListSha256 },
        { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
        { QStringLiteral("created_utc"), createdUtc },
        { QStringLiteral("replaces"), manifest.value(QStringLiteral("threshold")) },
    };
    if (choice.bandFpr) {
        const double low = thresholdAtRealFpr(real, choice.bandFpr->first);
        const double high = thresholdAtRealFpr(real, choice.bandFpr->second);
        if (!(low < threshold && threshold < high))
            return Error{ ErrorCode::BadSettings,
                QStringLiteral("the real images' scores do not separate %1, %2 and %3 false "
                               "positives (too many ties, or too few images): choose no band, or "
                               "other rates")
                    .arg(percentText(choice.bandFpr->first), percentText(choice.targetFpr),
                        percentText(choice.bandFpr->second)) };
        thresholdJson.insert(QStringLiteral("inconclusive"),
            QJsonObject{
                { QStringLiteral("low"), low },
                { QStringLiteral("high"), high },
                { QStringLiteral("chosen_by"),
                    QStringLiteral("%1 to %2 false positives on %3")
                        .arg(percentText(choice.bandFpr->first),
                            percentText(choice.bandFpr->second), on) },
            });
        chosen.insert(QStringLiteral("band_fpr"),
            QJsonArray{ choice.bandFpr->first, choice.bandFpr->second });
        chosen.insert(
            QStringLiteral("band_real_fpr"), QJsonArray{ realFpr(real, low), realFpr(real, high) });
    }
    manifest.insert(QStringLiteral("threshold"), thresholdJson);
    return QJsonObject{
        { QStringLiteral("format"), QStringLiteral("forgelens-threshold-override") },
        { QStringLiteral("format_version"), 1 },
        { QStringLiteral("bundle_sha256"), bundleSha256 },
        { QStringLiteral("manifest_sha256"), model.value(QStringLiteral("manifest_sha256")) },
        { QStringLiteral("manifest"), manifest },
        { QStringLiteral("chosen"), chosen },
    };
}

} // namespace forgelens
