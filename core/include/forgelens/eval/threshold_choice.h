#pragma once

#include "forgelens/eval/detector_evaluation.h"
#include "forgelens/result.h"

#include <QJsonObject>

#include <optional>
#include <utility>
#include <vector>

namespace forgelens {

// How a threshold override is chosen from an evaluation: on its real images only, so that the
// photographs an analyst trusts are all it takes.
struct ThresholdChoice {
    double targetFpr = 0.05; // the share of real images the threshold may flag
    // The inconclusive band's edges as false-positive rates on the same images: the low edge
    // flags `first` of them, the high edge `second` (first > targetFpr > second, e.g. 10 % and
    // 1 %). None: no band.
    std::optional<std::pair<double, double>> bandFpr{ std::pair{ 0.10, 0.01 } };

    // A threshold at `targetFpr` with the default band: twice and a fifth of it (5 %: 10 % to
    // 1 %, as the reference detector's band was chosen), the wide edge at most 50 %.
    static ThresholdChoice atFpr(double targetFpr);

    QString validate() const; // empty when usable
};

// The lowest score t among `realScores` with #{s >= t} / n <= fpr, so the rate holds on the
// images it was chosen on; when even the highest score flags too many, the next double above
// it. NaN for no scores.
double thresholdAtRealFpr(std::vector<double> realScores, double fpr);

// The override document (threshold_override.h) for column `detector` of `evaluation`: a copy of
// `model`'s manifest (the scan sidecar's entry for it: id, bundle_sha256, manifest_sha256,
// manifest) with the chosen threshold and band, and what they were chosen on. Error
// bad-settings when the set has too few real images to tell the rates apart, or the model
// entry carries no manifest.
Result<QJsonObject> thresholdOverrideDocument(const Evaluation &evaluation, int detector,
    const QJsonObject &model, const ThresholdChoice &choice, const QString &createdUtc);

} // namespace forgelens
