#include "forgelens/metadata/metadata_findings.h"

#include "generator_signatures.h"
#include "whole_word_match.h"

#include <QDateTime>
#include <QMap>
#include <QRegularExpression>

#include <optional>

namespace forgelens {
namespace {

using Severity = MetadataFinding::Severity;

const QStringList kEditors{ QStringLiteral("photoshop"), QStringLiteral("gimp"),
    QStringLiteral("lightroom"), QStringLiteral("affinity"), QStringLiteral("snapseed"),
    QStringLiteral("picsart"), QStringLiteral("canva"), QStringLiteral("pixelmator"),
    QStringLiteral("paint.net"), QStringLiteral("capture one"), QStringLiteral("darktable"),
    QStringLiteral("rawtherapee"), QStringLiteral("facetune") };

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
        if (const QString editor = firstWholeWord(tool, kEditors); !editor.isEmpty()) {
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
    // ComfyUI's WebP writer puts its graphs into Make and Model ("workflow:{…}", "prompt:{…}"):
    // no camera is named there.
    const auto camera = [](const QString &value) {
        static const QRegularExpression graph(QStringLiteral("^(?:prompt|workflow)?:?\\s*\\{"),
            QRegularExpression::CaseInsensitiveOption);
        return graph.match(value).hasMatch() ? QString() : value;
    };
    const QString make = camera(firstOf({ "Exif.Image.Make", "Xmp.tiff.Make" }));
    const QString model = camera(firstOf({ "Exif.Image.Model", "Xmp.tiff.Model" }));
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

// XMP's xmpMM:History: what each saving application says it did (Exiv2 flattens the sequence
// to Xmp.xmpMM.History[n]/stEvt:action, .../stEvt:softwareAgent, .../stEvt:when).
void addHistoryFindings(const MetadataReport &report, std::vector<MetadataFinding> &out)
{
    QMap<int, QStringList> events;
    static const QRegularExpression field(
        QStringLiteral("^Xmp\\.xmpMM\\.History\\[(\\d+)\\]/stEvt:(action|softwareAgent|when)$"));
    for (const MetadataProperty &property : report.embedded.properties) {
        const QRegularExpressionMatch match = field.match(property.key);
        if (!match.hasMatch() || property.value.trimmed().isEmpty())
            continue;
        QStringList &event = events[match.captured(1).toInt()];
        event.resize(3);
        const QString part = match.captured(2);
        event[part == QLatin1String("action")            ? 0
                : part == QLatin1String("softwareAgent") ? 1
                                                         : 2]
            = property.value.simplified().left(80);
    }
    if (events.isEmpty())
        return;
    QStringList steps;
    for (auto it = events.cbegin(); it != events.cend() && steps.size() < 6; ++it) {
        const QStringList &event = *it;
        QString step = event.value(0).isEmpty() ? QStringLiteral("(no action)") : event.value(0);
        if (!event.value(1).isEmpty())
            step += QStringLiteral(" by %1").arg(event.value(1));
        if (!event.value(2).isEmpty())
            step += QStringLiteral(" at %1").arg(event.value(2));
        steps.append(step);
    }
    out.push_back({ Severity::Notice, QStringLiteral("editing-history"),
        QStringLiteral("XMP records %1 editing step(s): %2%3")
            .arg(events.size())
            .arg(steps.join(QStringLiteral("; ")),
                events.size() > steps.size() ? QStringLiteral("; …") : QString()),
        QStringLiteral("Xmp.xmpMM.History") });
}

// An EXIF date, "YYYY:MM:DD HH:MM:SS" in the camera clock's local time; the OffsetTime field
// beside it, where there is one, says which zone that was.
struct ExifDate {
    QDateTime local; // the clock's reading, held as if it were UTC
    std::optional<int> offsetSeconds;
    QString text;
};

std::optional<ExifDate> exifDate(
    const MetadataReport &report, const char *key, const char *offsetKey)
{
    ExifDate date;
    date.text = report.embedded.value(QLatin1String(key)).trimmed();
    // Built as UTC from the start: read as this machine's local time, a reading inside a
    // daylight-saving gap would be shifted or invalid.
    date.local = QDateTime(QDate::fromString(date.text.left(10), QStringLiteral("yyyy:MM:dd")),
        QTime::fromString(date.text.mid(11, 8), QStringLiteral("HH:mm:ss")), Qt::UTC);
    if (!date.local.isValid())
        return std::nullopt;
    static const QRegularExpression offset(QStringLiteral("^([+-])(\\d\\d):(\\d\\d)$"));
    const QRegularExpressionMatch match
        = offset.match(report.embedded.value(QLatin1String(offsetKey)).trimmed());
    if (match.hasMatch())
        date.offsetSeconds = (match.captured(2).toInt() * 3600 + match.captured(3).toInt() * 60)
            * (match.captured(1) == QLatin1String("-") ? -1 : 1);
    return date;
}

QString spanText(qint64 seconds)
{
    seconds = qAbs(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1 minutes").arg(seconds / 60);
    if (seconds < 172800)
        return QStringLiteral("%1 hours").arg(seconds / 3600);
    return QStringLiteral("%1 days").arg(seconds / 86400);
}

// Dates that contradict each other or the file system. Each is a notice, never proof: clocks
// are set wrong, scanners date the scan, and copying a file resets its modification time.
void addDateFindings(const MetadataReport &report, std::vector<MetadataFinding> &out)
{
    const auto original
        = exifDate(report, "Exif.Photo.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal");
    const auto digitized
        = exifDate(report, "Exif.Photo.DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized");
    const auto modified = exifDate(report, "Exif.Image.DateTime", "Exif.Photo.OffsetTime");
    const auto notice = [&out](const QString &message, const QString &evidence) {
        out.push_back(
            { Severity::Notice, QStringLiteral("date-inconsistency"), message, evidence });
    };
    constexpr qint64 kSlack = 60; // seconds: cameras write these within the same second
    if (original && digitized && qAbs(original->local.secsTo(digitized->local)) > kSlack)
        notice(QStringLiteral("EXIF's DateTimeOriginal and DateTimeDigitized differ by %1: usual "
                              "for a scanned print, unusual for a camera")
                   .arg(spanText(original->local.secsTo(digitized->local))),
            QStringLiteral("DateTimeOriginal %1, DateTimeDigitized %2")
                .arg(original->text, digitized->text));
    // With both zones known, the instants are compared; otherwise the clock readings.
    const auto instant
        = [](const ExifDate &date) { return date.local.addSecs(-date.offsetSeconds.value_or(0)); };
    const bool zoned = original && modified && original->offsetSeconds && modified->offsetSeconds;
    const qint64 changedBefore = !original || !modified ? 0
        : zoned ? instant(*modified).secsTo(instant(*original))
                : modified->local.secsTo(original->local);
    if (changedBefore > kSlack)
        notice(QStringLiteral("EXIF's DateTime (last change) is %1 before DateTimeOriginal (when "
                              "it was taken)")
                   .arg(spanText(changedBefore)),
            QStringLiteral("DateTime %1, DateTimeOriginal %2").arg(modified->text, original->text));
    // Taken after the file was last written? Without an offset the camera's zone is unknown, so
    // only a gap wider than any zone (14 hours) counts.
    if (original && report.file.modifiedUtc.isValid()) {
        const QDateTime takenUtc = instant(*original);
        const qint64 ahead = report.file.modifiedUtc.secsTo(takenUtc);
        const qint64 allowed = original->offsetSeconds ? kSlack : 14 * 3600 + kSlack;
        if (ahead > allowed)
            notice(
                QStringLiteral("EXIF says the photograph was taken %1 after the file system says "
                               "the file was last modified")
                    .arg(spanText(ahead)),
                QStringLiteral("DateTimeOriginal %1%2, file modified %3")
                    .arg(original->text,
                        original->offsetSeconds ? QString() : QStringLiteral(" (zone unknown)"),
                        report.file.modifiedUtc.toString(Qt::ISODate)));
    }
}

} // namespace

std::vector<MetadataFinding> deriveMetadataFindings(const MetadataReport &report)
{
    std::vector<MetadataFinding> out;
    addGeneratorSignatureFindings(report, out);
    addProvenanceFindings(report, out);
    addCaptureFindings(report, out);
    addHistoryFindings(report, out);
    addDateFindings(report, out);
    std::stable_sort(
        out.begin(), out.end(), [](const MetadataFinding &a, const MetadataFinding &b) {
            return int(a.severity) > int(b.severity);
        });
    return out;
}

} // namespace forgelens
