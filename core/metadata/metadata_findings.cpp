#include "forgelens/metadata/metadata_findings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace forgelens {
namespace {

using Severity = MetadataFinding::Severity;

// Generators and services that name themselves in Software / CreatorTool / text chunks.
const QStringList kGenerators{ QStringLiteral("midjourney"), QStringLiteral("dall-e"),
    QStringLiteral("dall·e"), QStringLiteral("stable diffusion"), QStringLiteral("firefly"),
    QStringLiteral("imagen"), QStringLiteral("novelai"), QStringLiteral("comfyui"),
    QStringLiteral("automatic1111"), QStringLiteral("invokeai"), QStringLiteral("leonardo.ai"),
    QStringLiteral("ideogram"), QStringLiteral("flux") };
const QStringList kEditors{ QStringLiteral("photoshop"), QStringLiteral("gimp"),
    QStringLiteral("lightroom"), QStringLiteral("affinity"), QStringLiteral("snapseed"),
    QStringLiteral("picsart"), QStringLiteral("canva"), QStringLiteral("pixelmator"),
    QStringLiteral("paint.net"), QStringLiteral("capture one"), QStringLiteral("darktable"),
    QStringLiteral("rawtherapee"), QStringLiteral("facetune") };

// The first of `names` that appears in `text` as a whole word (case-insensitive): "flux" must
// not match "influx", nor "imagen" "ImageNet".
QString matching(const QString &text, const QStringList &names)
{
    for (const QString &name : names) {
        const QRegularExpression word(
            QStringLiteral("(?<![\\w])%1(?![\\w])").arg(QRegularExpression::escape(name)),
            QRegularExpression::CaseInsensitiveOption
                | QRegularExpression::UseUnicodePropertiesOption);
        if (word.match(text).hasMatch())
            return name;
    }
    return {};
}

QString excerpt(const QString &text)
{
    QString simplified = text.simplified();
    return simplified.size() > 200 ? simplified.left(200) + QStringLiteral("…") : simplified;
}

// "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Model hash: 6ce0161689, Model: v1-5"
// is how Stable Diffusion WebUI (AUTOMATIC1111, Forge, SD.Next) writes its settings.
bool looksLikeWebUiParameters(const QString &text)
{
    return text.contains(QLatin1String("Steps: ")) && text.contains(QLatin1String("Sampler: "));
}

QString webUiSummary(const QString &fullText)
{
    // The settings line is the last one; a bounded tail keeps a hostile megabyte-long chunk
    // from making the search slow.
    const QString text = fullText.right(65536);
    QStringList parts;
    for (const char *field : { "Steps", "Sampler", "Model hash", "Model", "Seed", "Size" }) {
        const QRegularExpression pattern(
            QStringLiteral("(?:^|[,\\n][ \\t]*)%1: ([^,\\n]+)").arg(QLatin1String(field)));
        const QRegularExpressionMatch match = pattern.match(text);
        if (match.hasMatch())
            parts.append(
                QStringLiteral("%1 %2").arg(QLatin1String(field), match.captured(1).trimmed()));
    }
    return parts.join(QStringLiteral(", "));
}

// ComfyUI stores its API graph ("prompt": an object of nodes) and editor graph ("workflow":
// {"nodes": [...]}) as JSON text chunks.
int comfyNodeCount(const QString &keyword, const QString &text)
{
    const QJsonObject json = QJsonDocument::fromJson(text.toUtf8()).object();
    if (json.isEmpty())
        return -1;
    if (keyword == QLatin1String("workflow"))
        return json.value(QLatin1String("nodes")).isArray()
            ? int(json.value(QLatin1String("nodes")).toArray().size())
            : -1;
    return json.begin()->isObject()
            && json.begin()->toObject().contains(QLatin1String("class_type"))
        ? int(json.size())
        : -1;
}

// IPTC NewsCodes digital source types (the last segment of the URI): made by a trained model
// (warning), made by other algorithms or composited synthetically (notice), anything else
// (info, e.g. digitalCapture).
Severity sourceTypeSeverity(const QString &uri)
{
    const QString type = uri.section(QLatin1Char('/'), -1);
    if (type == QLatin1String("trainedAlgorithmicMedia")
        || type == QLatin1String("compositeWithTrainedAlgorithmicMedia"))
        return Severity::Warning;
    if (type == QLatin1String("algorithmicMedia") || type == QLatin1String("compositeSynthetic"))
        return Severity::Notice;
    return Severity::Info;
}

void addGeneratorFindings(const MetadataReport &report, std::vector<MetadataFinding> &out)
{
    if (report.png) {
        bool comfyReported = false;
        for (const PngTextChunk &chunk : report.png->texts) {
            const QString where
                = QStringLiteral("PNG %1 \"%2\"").arg(chunk.chunkType, chunk.keyword);
            if (chunk.keyword == QLatin1String("parameters")
                && looksLikeWebUiParameters(chunk.text)) {
                out.push_back({ Severity::Warning, QStringLiteral("ai-generator-metadata"),
                    QStringLiteral("PNG parameters chunk from Stable Diffusion WebUI: %1")
                        .arg(webUiSummary(chunk.text)),
                    QStringLiteral("%1: %2").arg(where, excerpt(chunk.text)) });
            } else if ((chunk.keyword == QLatin1String("prompt")
                           || chunk.keyword == QLatin1String("workflow"))
                && !comfyReported) {
                const int nodes = comfyNodeCount(chunk.keyword, chunk.text);
                if (nodes >= 0) {
                    comfyReported = true;
                    out.push_back({ Severity::Warning, QStringLiteral("ai-generator-metadata"),
                        QStringLiteral("ComfyUI %1 graph in a PNG text chunk (%2 nodes)")
                            .arg(chunk.keyword)
                            .arg(nodes),
                        QStringLiteral("%1: %2").arg(where, excerpt(chunk.text)) });
                }
            } else if (const QString name = matching(chunk.text, kGenerators);
                       !name.isEmpty() && chunk.keyword != QLatin1String("XML:com.adobe.xmp")) {
                out.push_back({ Severity::Notice, QStringLiteral("ai-generator-metadata"),
                    QStringLiteral("A PNG text chunk names the generator \"%1\"").arg(name),
                    QStringLiteral("%1: %2").arg(where, excerpt(chunk.text)) });
            }
        }
    }
    for (const char *key : { "Exif.Photo.UserComment", "Exif.Image.ImageDescription" }) {
        const QString text = report.embedded.value(QLatin1String(key));
        if (looksLikeWebUiParameters(text))
            out.push_back({ Severity::Warning, QStringLiteral("ai-generator-metadata"),
                QStringLiteral("Stable Diffusion WebUI parameters in EXIF: %1")
                    .arg(webUiSummary(text)),
                QStringLiteral("%1: %2").arg(QLatin1String(key), excerpt(text)) });
    }
    for (const char *key : { "Exif.Image.Software", "Xmp.xmp.CreatorTool", "Exif.Image.Artist" }) {
        const QString text = report.embedded.value(QLatin1String(key));
        if (const QString name = matching(text, kGenerators); !name.isEmpty())
            out.push_back({ Severity::Warning, QStringLiteral("ai-generator-metadata"),
                QStringLiteral("%1 names the generator \"%2\"").arg(QLatin1String(key), name),
                QStringLiteral("%1 = %2").arg(QLatin1String(key), excerpt(text)) });
    }
}

void addProvenanceFindings(const MetadataReport &report, std::vector<MetadataFinding> &out)
{
    for (const char *key : { "Xmp.iptcExt.DigitalSourceType", "Xmp.plus.DigitalSourceType" }) {
        const QString uri = report.embedded.value(QLatin1String(key));
        if (uri.isEmpty())
            continue;
        const QString type = uri.section(QLatin1Char('/'), -1);
        out.push_back({ sourceTypeSeverity(uri), QStringLiteral("digital-source-type"),
            QStringLiteral("XMP declares the digital source type \"%1\"").arg(type),
            QStringLiteral("%1 = %2").arg(QLatin1String(key), uri) });
    }
    if (const std::optional<C2paSummary> &c2pa = report.c2pa) {
        QStringList actions;
        for (const C2paAction &action : c2pa->actions) {
            QString text = action.action;
            if (!action.digitalSourceType.isEmpty())
                text += QStringLiteral(" (%1)").arg(
                    action.digitalSourceType.section(QLatin1Char('/'), -1));
            actions.append(text);
            if (!action.digitalSourceType.isEmpty())
                out.push_back({ sourceTypeSeverity(action.digitalSourceType),
                    QStringLiteral("digital-source-type"),
                    QStringLiteral("The C2PA manifest's %1 action declares the digital source type "
                                   "\"%2\" (signature NOT verified)")
                        .arg(action.action, action.digitalSourceType.section(QLatin1Char('/'), -1)),
                    QStringLiteral("%1, c2pa.actions: %2")
                        .arg(c2pa->container, action.digitalSourceType) });
        }
        out.push_back({ Severity::Notice, QStringLiteral("c2pa-manifest"),
            QStringLiteral("C2PA manifest from \"%1\"%2%3; signature NOT verified")
                .arg(c2pa->claimGenerator,
                    actions.isEmpty()
                        ? QString()
                        : QStringLiteral(", actions: ") + actions.join(QStringLiteral(", ")),
                    c2pa->signatureIssuer.isEmpty()
                        ? QString()
                        : QStringLiteral(", certificate names: ") + c2pa->signatureIssuer),
            QStringLiteral("%1, %2 manifest(s), active %3")
                .arg(c2pa->container)
                .arg(c2pa->manifests.size())
                .arg(c2pa->manifests.value(c2pa->manifests.size() - 1)) });
    }
}

void addCaptureFindings(const MetadataReport &report, std::vector<MetadataFinding> &out)
{
    if (report.thumbnail && report.thumbnail->mismatch)
        out.push_back({ Severity::Warning, QStringLiteral("thumbnail-mismatch"),
            QStringLiteral("The embedded EXIF thumbnail does not match the image: %1")
                .arg(report.thumbnail->reason),
            QStringLiteral("thumbnail %1 x %2, correlation %3")
                .arg(report.thumbnail->width)
                .arg(report.thumbnail->height)
                .arg(report.thumbnail->correlation, 0, 'f', 2) });

    const QString software = report.embedded.value(QStringLiteral("Exif.Image.Software"));
    const QString creatorTool = report.embedded.value(QStringLiteral("Xmp.xmp.CreatorTool"));
    for (const QString &tool : { software, creatorTool }) {
        if (const QString editor = matching(tool, kEditors); !editor.isEmpty()) {
            out.push_back({ Severity::Notice, QStringLiteral("software-editor"),
                QStringLiteral("Edited or exported with \"%1\"").arg(tool.simplified()),
                tool == software ? QStringLiteral("Exif.Image.Software")
                                 : QStringLiteral("Xmp.xmp.CreatorTool") });
            break;
        }
    }

    // Camera fields live in EXIF, or in XMP's tiff: and exif: namespaces after some editors.
    const auto firstOf = [&report](std::initializer_list<const char *> keys) {
        for (const char *key : keys) {
            if (QString value = report.embedded.value(QLatin1String(key)).simplified();
                !value.isEmpty())
                return value;
        }
        return QString();
    };
    const QString make = firstOf({ "Exif.Image.Make", "Xmp.tiff.Make" });
    const QString model = firstOf({ "Exif.Image.Model", "Xmp.tiff.Model" });
    if (!make.isEmpty() || !model.isEmpty()) {
        QStringList exposure;
        for (const auto &keys : { std::pair{ "Exif.Photo.ExposureTime", "Xmp.exif.ExposureTime" },
                 std::pair{ "Exif.Photo.FNumber", "Xmp.exif.FNumber" },
                 std::pair{ "Exif.Photo.ISOSpeedRatings", "Xmp.exif.ISOSpeedRatings" },
                 std::pair{ "Exif.Photo.FocalLength", "Xmp.exif.FocalLength" } }) {
            if (const QString value = firstOf({ keys.first, keys.second }); !value.isEmpty())
                exposure.append(value);
        }
        out.push_back({ Severity::Info, QStringLiteral("camera-metadata"),
            QStringLiteral("Camera metadata names %1 %2%3 (metadata can be copied or forged)")
                .arg(make, model,
                    exposure.isEmpty()
                        ? QString()
                        : QStringLiteral(", ") + exposure.join(QStringLiteral(", "))),
            QStringLiteral("Make / Model (EXIF or XMP tiff:)") });
    } else {
        out.push_back({ Severity::Notice, QStringLiteral("no-camera-metadata"),
            QStringLiteral("No camera make or model in the metadata: generators, editors, "
                           "screenshots and most sharing platforms leave none"),
            QStringLiteral("Make and Model absent from EXIF and XMP") });
    }

    if (const std::optional<JpegStructure> &jpeg = report.jpeg;
        jpeg && jpeg->estimatedQuality > 0) {
        if (jpeg->standardTables)
            out.push_back({ Severity::Info, QStringLiteral("standard-quant-tables"),
                QStringLiteral(
                    "The JPEG quantisation tables are the standard IJG tables at quality "
                    "%1: typical of software encoding (libjpeg, PIL, OpenCV, browsers, "
                    "re-encoding by a platform); most cameras use tables of their own")
                    .arg(jpeg->estimatedQuality),
                QStringLiteral("%1 DQT table(s), %2, %3")
                    .arg(jpeg->tables.size())
                    .arg(jpeg->process, jpeg->subsampling) });
        else
            out.push_back({ Severity::Info, QStringLiteral("jpeg-quality"),
                QStringLiteral("JPEG quality about %1 (estimated from its quantisation tables, "
                               "which are not the standard IJG ones)")
                    .arg(jpeg->estimatedQuality),
                QStringLiteral("%1 DQT table(s), %2, %3")
                    .arg(jpeg->tables.size())
                    .arg(jpeg->process, jpeg->subsampling) });
    }
}

} // namespace

std::vector<MetadataFinding> deriveMetadataFindings(const MetadataReport &report)
{
    std::vector<MetadataFinding> out;
    addGeneratorFindings(report, out);
    addProvenanceFindings(report, out);
    addCaptureFindings(report, out);
    std::stable_sort(
        out.begin(), out.end(), [](const MetadataFinding &a, const MetadataFinding &b) {
            return int(a.severity) > int(b.severity);
        });
    return out;
}

} // namespace forgelens
