#include "forgelens/report/metadata_json.h"

#include <QJsonArray>

namespace forgelens {
namespace {

QJsonObject errorToJson(const Error &error)
{
    return { { QStringLiteral("code"), error.codeName() },
        { QStringLiteral("message"), error.message } };
}

} // namespace

QJsonObject metadataReportToJson(const MetadataReport &report)
{
    QJsonObject json{ { QStringLiteral("format"), imageFormatName(report.format) } };

    QJsonArray findings;
    for (const MetadataFinding &finding : report.findings)
        findings.append(QJsonObject{
            { QStringLiteral("severity"), MetadataFinding::severityName(finding.severity) },
            { QStringLiteral("code"), finding.code },
            { QStringLiteral("message"), finding.message },
            { QStringLiteral("evidence"), finding.evidence } });
    json.insert(QStringLiteral("findings"), findings);

    QJsonArray errors;
    for (const Error &error : report.errors)
        errors.append(errorToJson(error));
    json.insert(QStringLiteral("errors"), errors);

    if (const std::optional<C2paSummary> &c2pa = report.c2pa) {
        QJsonArray actions;
        for (const C2paAction &action : c2pa->actions)
            actions.append(QJsonObject{ { QStringLiteral("action"), action.action },
                { QStringLiteral("digital_source_type"), action.digitalSourceType },
                { QStringLiteral("software_agent"), action.softwareAgent } });
        json.insert(QStringLiteral("c2pa"),
            QJsonObject{ { QStringLiteral("container"), c2pa->container },
                { QStringLiteral("manifests"), QJsonArray::fromStringList(c2pa->manifests) },
                { QStringLiteral("claim_generator"), c2pa->claimGenerator },
                { QStringLiteral("title"), c2pa->title }, { QStringLiteral("actions"), actions },
                { QStringLiteral("ingredients"), QJsonArray::fromStringList(c2pa->ingredients) },
                { QStringLiteral("certificate_names"), c2pa->signatureIssuer },
                { QStringLiteral("signature_verified"), false } });
    }

    if (const std::optional<JpegStructure> &jpeg = report.jpeg) {
        QJsonArray tables;
        for (const QuantizationTable &table : jpeg->tables) {
            QJsonArray values;
            for (int value : table.values)
                values.append(value);
            tables.append(QJsonObject{ { QStringLiteral("id"), table.id },
                { QStringLiteral("precision"), table.precision },
                { QStringLiteral("values"), values } });
        }
        json.insert(QStringLiteral("jpeg"),
            QJsonObject{ { QStringLiteral("process"), jpeg->process },
                { QStringLiteral("arithmetic"), jpeg->arithmetic },
                { QStringLiteral("components"), jpeg->components },
                { QStringLiteral("subsampling"), jpeg->subsampling },
                { QStringLiteral("restart_interval"), jpeg->restartInterval },
                { QStringLiteral("estimated_quality"), jpeg->estimatedQuality },
                { QStringLiteral("standard_tables"), jpeg->standardTables },
                { QStringLiteral("quantization_tables"), tables } });
    }

    if (const std::optional<ThumbnailComparison> &thumb = report.thumbnail)
        json.insert(QStringLiteral("thumbnail"),
            QJsonObject{ { QStringLiteral("width"), thumb->width },
                { QStringLiteral("height"), thumb->height },
                { QStringLiteral("aspect_difference"), thumb->aspectDifference },
                { QStringLiteral("correlation"), thumb->correlation },
                { QStringLiteral("mismatch"), thumb->mismatch } });

    if (const std::optional<PngChunkScan> &png = report.png) {
        QJsonArray texts;
        for (const PngTextChunk &text : png->texts)
            texts.append(QJsonObject{ { QStringLiteral("chunk"), text.chunkType },
                { QStringLiteral("keyword"), text.keyword }, { QStringLiteral("text"), text.text },
                { QStringLiteral("language"), text.language },
                { QStringLiteral("compressed"), text.compressed } });
        json.insert(QStringLiteral("png"),
            QJsonObject{ { QStringLiteral("chunks"), QJsonArray::fromStringList(png->chunkTypes) },
                { QStringLiteral("text"), texts } });
    }

    QJsonArray properties;
    for (const MetadataProperty &property : report.embedded.properties)
        properties.append(QJsonObject{ { QStringLiteral("group"), property.group },
            { QStringLiteral("key"), property.key }, { QStringLiteral("type"), property.type },
            { QStringLiteral("value"), property.value }, { QStringLiteral("raw"), property.raw } });
    json.insert(QStringLiteral("properties"), properties);
    json.insert(QStringLiteral("has_thumbnail"), !report.embedded.thumbnail.isEmpty());
    return json;
}

} // namespace forgelens
