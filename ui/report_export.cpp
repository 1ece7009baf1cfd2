#include "ui/report_export.h"

#include "forgelens/case/case_file.h"
#include "forgelens/sandbox/decoder_pool.h"
#include "forgelens/scan/output_location.h"
#include "ui/decoded_image_conversion.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace forgelens {
namespace {

std::optional<QImage> readPicture(const QString &path, const QString &sha256,
    const std::shared_ptr<DecoderPool> &sandbox, const DecodeLimits &limits, int maxSide)
{
    EvidenceReadRequest request;
    request.limits = limits;
    request.readMetadata = false;
    const EvidenceReading reading = sandbox ? sandbox->read(path, QFile::encodeName(path), request)
                                            : readEvidence(path, QFile::encodeName(path), request);
    if (reading.error || !reading.image || reading.digest.sha256 != sha256)
        return std::nullopt;
    const QImage image = toQImage(*reading.image);
    if (image.isNull())
        return std::nullopt;
    return std::max(image.width(), image.height()) > maxSide
        ? image.scaled(maxSide, maxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation)
        : image;
}

QString fileSha256(const QString &path, qint64 *size)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    *size = file.size();
    return QString::fromLatin1(hash.result().toHex());
}

std::optional<Error> refuseOutput(const QString &output, const CaseFile &caseFile)
{
    if (output.isEmpty())
        return std::nullopt;
    const QString absolute = QFileInfo(output).absoluteFilePath();
    if (absolute == caseFile.path() || absolute == CaseFile::backupPathFor(caseFile.path()))
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("%1 is the case itself; write the report elsewhere").arg(output) };
    QStringList folders;
    for (const CaseEvidence &item : caseFile.evidence())
        folders << QFileInfo(item.intake.path).absolutePath();
    for (const CaseRun &run : caseFile.runs()) {
        const QString root = run.results.value(QStringLiteral("root")).toString();
        if (run.kind == QLatin1String("scan") && !root.isEmpty())
            folders << root;
    }
    folders.removeDuplicates();
    for (const QString &folder : folders) {
        if (liesInsideFolder(absolute, folder))
            return Error{ ErrorCode::BadSettings,
                QStringLiteral("%1 lies in %2, which holds evidence; write the report elsewhere "
                               "(an evidence folder is never written)")
                    .arg(output, folder) };
    }
    return std::nullopt;
}

} // namespace

Result<ReportExportOutcome> exportCaseReport(CaseFile &caseFile, const ReportExportRequest &request,
    const std::shared_ptr<DecoderPool> &sandbox, const DecodeLimits &limits,
    const std::atomic_bool *cancel)
{
    if (request.pdfPath.isEmpty() && request.jsonPath.isEmpty())
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("name a PDF or a JSON file to write") };
    for (const QString &output : { request.pdfPath, request.jsonPath }) {
        if (std::optional<Error> refusal = refuseOutput(output, caseFile))
            return *refusal;
    }
    ReportExportOutcome outcome;
    outcome.report = buildCaseReport(caseFile, request.caseOptions, cancel);
    if (request.temporaryCase) {
        QJsonObject caseInfo = outcome.report.value(QStringLiteral("case")).toObject();
        caseInfo.insert(QStringLiteral("kept"), false);
        caseInfo.insert(QStringLiteral("path"), QString());
        outcome.report.insert(QStringLiteral("case"), caseInfo);
    }
    outcome.chainHead = outcome.report.value(QStringLiteral("chain"))
                            .toObject()
                            .value(QStringLiteral("head"))
                            .toString();

    ReportPictures pictures;
    if (!request.pdfPath.isEmpty()) {
        for (const QJsonValue &value : outcome.report.value(QStringLiteral("evidence")).toArray()) {
            if (cancel && cancel->load())
                return Error{ ErrorCode::Cancelled, QStringLiteral("the report was cancelled") };
            const QJsonObject item = value.toObject();
            const QString state = item.value(QStringLiteral("check"))
                                      .toObject()
                                      .value(QStringLiteral("state"))
                                      .toString();
            if (!state.isEmpty() && state != QLatin1String("unchanged")) {
                ++outcome.picturesWithheld;
                continue;
            }
            const QString sha256 = item.value(QStringLiteral("sha256")).toString();
            if (std::optional<QImage> picture
                = readPicture(item.value(QStringLiteral("path")).toString(), sha256, sandbox,
                    limits, request.pdf.maxImageSide)) {
                pictures.evidence.emplace(sha256, *picture);
                ++outcome.picturesShown;
            } else {
                ++outcome.picturesWithheld;
            }
        }
        for (const QJsonValue &value : outcome.report.value(QStringLiteral("scans")).toArray()) {
            const QJsonObject summary
                = value.toObject().value(QStringLiteral("summary")).toObject();
            const QDir root(summary.value(QStringLiteral("root")).toString());
            if (summary.value(QStringLiteral("root")).toString().isEmpty())
                continue;
            for (const QJsonValue &detector :
                summary.value(QStringLiteral("detectors")).toArray()) {
                int taken = 0;
                for (const QJsonValue &rowValue :
                    detector.toObject().value(QStringLiteral("flagged")).toArray()) {
                    if (taken >= request.maxThumbnails || (cancel && cancel->load()))
                        break;
                    const QJsonObject row = rowValue.toObject();
                    const QString sha256 = row.value(QStringLiteral("sha256")).toString();
                    ++taken;
                    if (pictures.thumbnails.contains(sha256))
                        continue;
                    if (std::optional<QImage> thumbnail
                        = readPicture(root.filePath(row.value(QStringLiteral("path")).toString()),
                            sha256, sandbox, limits, 320))
                        pictures.thumbnails.emplace(sha256, *thumbnail);
                }
            }
        }
        if (std::optional<Error> error
            = writeReportPdf(outcome.report, pictures, request.pdfPath, request.pdf))
            return *error;
        outcome.pdfSha256 = fileSha256(request.pdfPath, &outcome.pdfBytes);
    }
    if (!request.jsonPath.isEmpty()) {
        QSaveFile file(request.jsonPath);
        const QByteArray bytes = QJsonDocument(outcome.report).toJson(QJsonDocument::Indented);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            return Error{ ErrorCode::ReportWriteFailed,
                QStringLiteral("cannot write %1: %2").arg(request.jsonPath, file.errorString()) };
        outcome.jsonSha256 = QString::fromLatin1(
            QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    }
    if (caseFile.chainStatus().intact) {
        QJsonObject detail{ { QStringLiteral("chain_head"), outcome.chainHead } };
        if (!request.pdfPath.isEmpty())
            detail.insert(QStringLiteral("pdf"),
                QJsonObject{
                    { QStringLiteral("path"), QFileInfo(request.pdfPath).absoluteFilePath() },
                    { QStringLiteral("sha256"), outcome.pdfSha256 } });
        if (!request.jsonPath.isEmpty())
            detail.insert(QStringLiteral("json"),
                QJsonObject{
                    { QStringLiteral("path"), QFileInfo(request.jsonPath).absoluteFilePath() },
                    { QStringLiteral("sha256"), outcome.jsonSha256 } });
        QJsonArray items;
        for (const QJsonValue &value : outcome.report.value(QStringLiteral("evidence")).toArray())
            items.append(value.toObject().value(QStringLiteral("id")));
        detail.insert(QStringLiteral("items"), items);
        if (std::optional<Error> error = caseFile.logAction(QStringLiteral("exported"), detail))
            return *error;
    }
    return outcome;
}

} // namespace forgelens
