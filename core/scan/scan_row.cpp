#include "forgelens/scan/scan_row.h"

#include "forgelens/report/verdict_statement.h"

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

QStringList scanCsvFields(const QString &relativePath, const AnalysisRecord &record)
{
    const bool decoded = record.decoded();
    QStringList fields{ relativePath,
        record.fileSize >= 0 ? QString::number(record.fileSize) : QString(), record.digest.sha256,
        decoded ? QString::number(record.width) : QString(),
        decoded ? QString::number(record.height) : QString(),
        record.format == ImageFormat::Unknown ? QString() : imageFormatName(record.format) };
    for (const DetectorResult &result : record.detectors) {
        if (!result.ok()) {
            fields << QString() << QString() << QString();
            continue;
        }
        const Prediction &p = *result.prediction;
        fields << QString::number(double(p.pSynthetic), 'f', 6)
               << labelCode(p.verdict, result.model->manifest)
               << QString::number(p.threshold, 'g', 10);
    }
    const std::optional<Error> error = record.firstError();
    fields << record.findingCodes.join(u';') << (error ? error->codeName() : QStringLiteral("ok"))
           << (error ? error->message : QString());
    return fields;
}

} // namespace forgelens
