#include "forgelens/case/report_item.h"

#include "forgelens/report/analysis_json.h"
#include "forgelens/report/metadata_json.h"
#include "forgelens/report/verdict_statement.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QSysInfo>

#include <torch/version.h>

namespace forgelens {
namespace {

QJsonObject thumbnailJson(const Exemplar &exemplar)
{
    if (exemplar.thumbWidth <= 0 || exemplar.thumbHeight <= 0
        || exemplar.thumbnailRgb.size()
            != qsizetype(exemplar.thumbWidth) * exemplar.thumbHeight * 3)
        return {};
    const QImage image(reinterpret_cast<const uchar *>(exemplar.thumbnailRgb.constData()),
        exemplar.thumbWidth, exemplar.thumbHeight, exemplar.thumbWidth * 3, QImage::Format_RGB888);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG"))
        return {};
    return QJsonObject{ { QStringLiteral("width"), exemplar.thumbWidth },
        { QStringLiteral("height"), exemplar.thumbHeight },
        { QStringLiteral("png_base64"), QString::fromLatin1(png.toBase64()) } };
}

} // namespace

QJsonObject reportItemToJson(const ReportItemInput &input)
{
    const AnalysisRecord &record = input.record;
    QJsonObject item{ { QStringLiteral("record"), analysisRecordToJson(record) } };
    QJsonArray statements;
    for (const DetectorResult &result : record.detectors) {
        if (!result.model || !result.prediction)
            continue;
        const VerdictStatement statement
            = describeVerdict(*result.prediction, result.model->manifest);
        statements.append(QJsonObject{ { QStringLiteral("detector"), result.model->manifest.id },
            { QStringLiteral("name"), result.model->manifest.name },
            { QStringLiteral("p_synthetic"), result.prediction->pSynthetic },
            { QStringLiteral("label"), statement.label },
            { QStringLiteral("caveat_marker"), statement.caveatMarker },
            { QStringLiteral("caveat_warning"),
                caveatWarning(modelCaveat(result.model->manifest)) },
            { QStringLiteral("headline"), statement.headline },
            { QStringLiteral("reason"), statement.reason },
            { QStringLiteral("threshold"), statement.threshold },
            { QStringLiteral("band"), statement.band },
            { QStringLiteral("calibration"), statement.calibration },
            { QStringLiteral("head"), statement.head } });
    }
    item.insert(QStringLiteral("statements"), statements);
    item.insert(QStringLiteral("agreement"), agreementSentence(record));
    item.insert(
        QStringLiteral("caveats"), QJsonArray::fromStringList(recordCaveats(record, false)));
    if (record.metadata)
        item.insert(QStringLiteral("metadata"), metadataReportToJson(*record.metadata));
    QJsonArray maps;
    for (const ImageMap &map : input.maps)
        maps.append(imageMapToJson(map));
    item.insert(QStringLiteral("maps"), maps);
    QJsonArray missing;
    for (const auto &[detector, reason] : input.mapsMissing)
        missing.append(QJsonObject{
            { QStringLiteral("detector"), detector }, { QStringLiteral("reason"), reason } });
    item.insert(QStringLiteral("maps_missing"), missing);
    QJsonArray exemplars;
    for (const ReportExemplars &entry : input.exemplars) {
        QJsonObject detector{ { QStringLiteral("detector"), entry.detectorId },
            { QStringLiteral("bank"), entry.bankPath } };
        if (!entry.neighbourhood) {
            detector.insert(QStringLiteral("missing"), entry.missing);
        } else {
            detector.insert(QStringLiteral("share"), entry.neighbourhood->shareText());
            QJsonArray neighbours;
            for (const ExemplarNeighbour &neighbour : entry.neighbourhood->neighbours) {
                const Exemplar &exemplar = neighbour.exemplar;
                neighbours.append(QJsonObject{ { QStringLiteral("rank"), neighbour.rank },
                    { QStringLiteral("similarity"), double(neighbour.similarity) },
                    { QStringLiteral("path"), exemplar.path },
                    { QStringLiteral("label"), exemplar.label },
                    { QStringLiteral("generator"), exemplar.generator },
                    { QStringLiteral("source"), exemplar.source },
                    { QStringLiteral("licence"), exemplar.licence },
                    { QStringLiteral("attribution"), exemplar.attribution },
                    { QStringLiteral("sha256"), exemplar.sha256 },
                    { QStringLiteral("thumbnail"), thumbnailJson(exemplar) } });
            }
            detector.insert(QStringLiteral("neighbours"), neighbours);
        }
        exemplars.append(detector);
    }
    item.insert(QStringLiteral("exemplars"), exemplars);
    return item;
}

QJsonObject runEnvironment(const std::vector<std::shared_ptr<const ModelInfo>> &models,
    const QStringList &bankPaths, const QJsonObject &settings)
{
    QJsonArray detectors;
    for (const auto &model : models) {
        if (model)
            detectors.append(modelInfoToJson(*model));
    }
    return QJsonObject{ { QStringLiteral("tool"), QStringLiteral("ForgeLens") },
        { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
        { QStringLiteral("build"),
            QJsonObject{ { QStringLiteral("compiler"), QStringLiteral(__VERSION__) },
                { QStringLiteral("qt"), QStringLiteral(QT_VERSION_STR) },
                { QStringLiteral("libtorch"), QStringLiteral(TORCH_VERSION) },
                { QStringLiteral("qt_runtime"), QString::fromLatin1(qVersion()) } } },
        { QStringLiteral("os"), QSysInfo::prettyProductName() },
        { QStringLiteral("kernel"),
            QSysInfo::kernelType() + QLatin1Char(' ') + QSysInfo::kernelVersion() },
        { QStringLiteral("cpu_architecture"), QSysInfo::currentCpuArchitecture() },
        { QStringLiteral("detectors"), detectors },
        { QStringLiteral("banks"), QJsonArray::fromStringList(bankPaths) },
        { QStringLiteral("settings"), settings } };
}

} // namespace forgelens
