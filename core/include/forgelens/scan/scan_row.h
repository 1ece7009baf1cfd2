#pragma once

#include "forgelens/image/image_format.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/inference/prediction.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace forgelens {

// One file's line in a scan report. Rows exist for every file in scope, errors included.
struct ScanRow {
    QString relativePath;
    qint64 fileSize = -1; // -1: the file could not be read
    QString sha256; // empty when the file could not be read
    int width = 0; // as analysed, after the EXIF orientation; 0 when not decoded
    int height = 0;
    ImageFormat format = ImageFormat::Unknown;
    std::vector<std::optional<Prediction>> predictions; // one per model, in column order
    QStringList findingCodes; // metadata findings, in the order they were found
    QString status = QStringLiteral("ok"); // "ok" or the first error's code
    QString errorMessage;

    void fail(const QString &code, const QString &message)
    {
        if (status != QLatin1String("ok"))
            return; // the first error explains the row; later ones follow from it
        status = code;
        errorMessage = message;
    }
};

// The CSV's columns: path, size, sha256, width, height, format; per model
// "<id>.p_synthetic", "<id>.label", "<id>.threshold"; then metadata_findings, status, error.
QStringList scanCsvHeader(const std::vector<ModelInfo> &models);

// The row's fields in header order. P(synthetic) has 6 decimals; label is the model's verdict
// (verdictCode: "synthetic", "inconclusive" within its band, else "not_flagged": below the
// threshold is not proof of a camera), prefixed "experimental_" for a model whose manifest
// says it is experimental, so that no row can be read without knowing it; finding codes are
// joined with ';'. `models` are the header's models, in column order.
QStringList scanCsvFields(const ScanRow &row, const std::vector<ModelInfo> &models);

} // namespace forgelens
