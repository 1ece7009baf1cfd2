#include "forgelens/scan/scan_row.h"

namespace forgelens {

QStringList scanCsvHeader(const std::vector<ModelInfo> &models)
{
    QStringList header{ QStringLiteral("path"), QStringLiteral("size"), QStringLiteral("sha256"),
        QStringLiteral("width"), QStringLiteral("height"), QStringLiteral("format") };
    for (const ModelInfo &model : models) {
        const QString &id = model.manifest.id;
        header << id + QStringLiteral(".p_synthetic") << id + QStringLiteral(".label")
               << id + QStringLiteral(".threshold");
    }
    header << QStringLiteral("metadata_findings") << QStringLiteral("status")
           << QStringLiteral("error");
    return header;
}

QStringList scanCsvFields(const ScanRow &row, const std::vector<ModelInfo> &models)
{
    const bool decoded = row.width > 0;
    QStringList fields{ row.relativePath,
        row.fileSize >= 0 ? QString::number(row.fileSize) : QString(), row.sha256,
        decoded ? QString::number(row.width) : QString(),
        decoded ? QString::number(row.height) : QString(),
        row.format == ImageFormat::Unknown ? QString() : imageFormatName(row.format) };
    for (size_t m = 0; m < row.predictions.size(); ++m) {
        const std::optional<Prediction> &prediction = row.predictions[m];
        if (!prediction) {
            fields << QString() << QString() << QString();
            continue;
        }
        const bool experimental = m < models.size() && models[m].manifest.experimental;
        fields << QString::number(double(prediction->pSynthetic), 'f', 6)
               << (experimental ? QStringLiteral("experimental_") : QString())
                + verdictCode(prediction->verdict)
               << QString::number(prediction->threshold, 'g', 10);
    }
    fields << row.findingCodes.join(u';') << row.status << row.errorMessage;
    return fields;
}

} // namespace forgelens
