#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/inference/model_info.h"

#include <QJsonObject>

namespace forgelens {

// The model as a report names it: id, name, version, family, bundle path and SHA-256, device,
// threshold and how it was chosen, its band, and its caveat (untrained, stand-in, experimental).
QJsonObject modelInfoToJson(const ModelInfo &model);

// One file's record: path, size, SHA-256, MD5, UTC timestamps, status ("ok" or the code of
// AnalysisRecord::firstError()), format and size after orientation, the metadata finding codes,
// the detectors' agreement, the record's caveats, and one entry per detector: its model id,
// status, P(synthetic), label (labelCode), verdict, caveat, threshold, class probabilities,
// head scores, the regions it scored and its timing. Timestamps are ISO 8601 with milliseconds.
QJsonObject analysisRecordToJson(const AnalysisRecord &record);

} // namespace forgelens
