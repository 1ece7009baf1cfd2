#pragma once

#include "forgelens/inference/image_analysis.h"
#include "forgelens/inference/model_info.h"

#include <QJsonObject>

namespace forgelens {

// The model as a report names it: id, name, version, family, bundle path and SHA-256, device,
// threshold and how it was chosen, and whether its verdicts are untrained or experimental.
QJsonObject modelInfoToJson(const ModelInfo &model);

// One file's outcome: path, size, SHA-256, MD5, format, size after orientation, then either
// the verdict (P(synthetic), label at the threshold, per-class probabilities, timing) or the
// error (code and message). Timestamps are UTC, ISO 8601 with milliseconds.
QJsonObject analysisToJson(const AnalysisOutcome &outcome, const ModelInfo &model);

} // namespace forgelens
