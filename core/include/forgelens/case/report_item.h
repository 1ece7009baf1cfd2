#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/exemplars/attached_bank.h"
#include "forgelens/explain/image_map.h"
#include "forgelens/inference/model_info.h"

#include <QJsonObject>

#include <memory>
#include <optional>
#include <vector>

namespace forgelens {

// One detector's nearest exemplars of the file, or why there are none.
struct ReportExemplars {
    QString detectorId;
    QString bankPath;
    std::optional<ExemplarNeighbourhood> neighbourhood;
    QString missing; // why there are none, in a sentence
};

// What one analysis found about one file, as a case keeps it and a report shows it.
struct ReportItemInput {
    AnalysisRecord record; // with its metadata report where it was read
    std::vector<ImageMap> maps;
    std::vector<std::pair<QString, QString>> mapsMissing; // (detector id, why a map is missing)
    std::vector<ReportExemplars> exemplars;
};

// The item as JSON, the words already chosen by the report model so that a report made years
// later from the case says what the analysis said:
//   record      analysisRecordToJson()
//   statements  per detector: detector, label, caveat_marker, headline, reason, threshold, band,
//               calibration, head (report/verdict_statement.h)
//   agreement, caveats
//   metadata    metadataReportToJson() (every property), when read
//   maps        imageMapToJson() each; maps_missing [{detector, reason}]
//   exemplars   per detector: bank, share, neighbours [{rank, similarity, path, label,
//               generator, source, licence, attribution, sha256, thumbnail {width, height,
//               png_base64}}], or missing
QJsonObject reportItemToJson(const ReportItemInput &input);

// The environment of a run as a case records it: tool and version, build (compiler, Qt and
// LibTorch versions), operating system and kernel, host CPU architecture, each detector
// (modelInfoToJson: bundle and manifest hashes, threshold, override), the banks, and `settings`.
QJsonObject runEnvironment(const std::vector<std::shared_ptr<const ModelInfo>> &models,
    const QStringList &bankPaths, const QJsonObject &settings);

} // namespace forgelens
