#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/inference/model_info.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace forgelens {

// The scan report's projection of an analysis record: one CSV row per file in scope, errors
// included.
//
// Columns: path, size, sha256, width, height, format; per model "<id>.p_synthetic",
// "<id>.label", "<id>.threshold"; then metadata_findings, status, error.
QStringList scanCsvHeader(const std::vector<ModelInfo> &models);

// The row's fields in header order. `relativePath` names the file under the scanned folder.
// P(synthetic) has 6 decimals; label is labelCode() (the verdict, prefixed with the model's
// caveat: "experimental_not_flagged"); finding codes are joined with ';'; status is "ok" or
// the code of the record's first error, and error its message.
QStringList scanCsvFields(const QString &relativePath, const AnalysisRecord &record);

} // namespace forgelens
