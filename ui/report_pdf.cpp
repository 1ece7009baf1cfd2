#include "ui/report_pdf.h"

#include "forgelens/explain/image_map.h"
#include "forgelens/report/display_text.h"
#include "ui/image_map_rendering.h"
#include "ui/pdf_page_flow.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTimeZone>

#include <cmath>

namespace forgelens {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("forgelens::ReportPdf", text);
}

QString safe(const QJsonValue &value)
{
    return displayText(value.toString());
}

QString number(const QJsonValue &value, int decimals)
{
    return value.isDouble() ? QString::number(value.toDouble(), 'f', decimals)
                            : QStringLiteral("—");
}

// "2026-11-29 03:35:16 UTC (04:35:16 CET, Europe/Berlin)": UTC first, the case's zone beside it.
QString timeText(const QString &utcIso, const QString &zoneName)
{
    QDateTime utc = QDateTime::fromString(utcIso, Qt::ISODateWithMs);
    if (!utc.isValid())
        return displayText(utcIso);
    utc = utc.toUTC();
    QString text = utc.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
    const QTimeZone zone(zoneName.toUtf8());
    if (zone.isValid() && zone != QTimeZone::utc()) {
        const QDateTime local = utc.toTimeZone(zone);
        text += QStringLiteral(" (%1 %2, %3)")
                    .arg(local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                        zone.abbreviation(local), displayText(zoneName));
    }
    return text;
}

QImage opaque(const QImage &image, int maxSide)
{
    if (image.isNull())
        return {};
    QImage scaled = std::max(image.width(), image.height()) > maxSide
        ? image.scaled(maxSide, maxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation)
        : image;
    QImage out(scaled.size(), QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    painter.drawImage(0, 0, scaled);
    return out;
}

// The picture with the regions each detector scored outlined, drawn into the pixels.
QImage scoredRegions(
    const QImage &picture, const QJsonArray &detectors, int maxSide, int width, int height)
{
    QImage out = opaque(picture, maxSide);
    if (out.isNull() || width <= 0 || height <= 0)
        return out;
    const double sx = double(out.width()) / width;
    const double sy = double(out.height()) / height;
    QPainter painter(&out);
    const QColor colours[] = { QColor(0xff, 0xd0, 0x00), QColor(0x00, 0xe0, 0xff),
        QColor(0xff, 0x40, 0xc0), QColor(0x60, 0xff, 0x60) };
    int index = 0;
    for (const QJsonValue &value : detectors) {
        const QColor colour = colours[index++ % 4];
        painter.setPen(QPen(colour, std::max(2.0, out.width() / 400.0)));
        for (const QJsonValue &region :
            value.toObject().value(QStringLiteral("regions")).toArray()) {
            const QJsonArray r = region.toArray();
            if (r.size() == 4)
                painter.drawRect(QRectF(r.at(0).toDouble() * sx, r.at(1).toDouble() * sy,
                    r.at(2).toDouble() * sx, r.at(3).toDouble() * sy));
        }
    }
    return out;
}

// The map in the coordinates of the image scaled up to at least 700 pixels on its longer
// side: renderImageMap() draws its legend in image pixels, which on a small image would be
// cramped. The values and the cells are unchanged, and so are `window` and the strides, which
// only the legend names (in the image's own pixels).
ImageMap legible(const ImageMap &map)
{
    const int longer = std::max(map.imageWidth, map.imageHeight);
    if (longer <= 0 || longer >= 700)
        return map;
    const int factor = (700 + longer - 1) / longer;
    ImageMap scaled = map;
    scaled.imageWidth *= factor;
    scaled.imageHeight *= factor;
    for (QRect &window : scaled.windows)
        window = QRect(window.x() * factor, window.y() * factor, window.width() * factor,
            window.height() * factor);
    return scaled;
}

QImage pngFromBase64(const QJsonObject &thumbnail)
{
    const QByteArray bytes = QByteArray::fromBase64(
        thumbnail.value(QStringLiteral("png_base64")).toString().toLatin1());
    if (bytes.isEmpty() || bytes.size() > (4 << 20))
        return {};
    QImage image;
    if (!image.loadFromData(bytes, "PNG") || image.width() > 1024 || image.height() > 1024)
        return {};
    return opaque(image, 512);
}

class ReportRenderer {
public:
    ReportRenderer(const QJsonObject &report, const ReportPictures &pictures,
        const ReportPdfOptions &options, int totalPages)
        : m_report(report), m_pictures(pictures), m_options(options), m_total(totalPages)
    {
        m_zone = report.value(QStringLiteral("time_zone")).toString();
    }

    // Returns the number of pages drawn.
    int render(QPdfWriter &writer, QPainter &painter, bool dryRun)
    {
        const QJsonObject caseInfo = m_report.value(QStringLiteral("case")).toObject();
        const QString headerLeft = tr("ForgeLens forensic report · Case %1 · %2")
                                       .arg(safe(caseInfo.value(QStringLiteral("number"))),
                                           safe(caseInfo.value(QStringLiteral("title"))));
        QStringList by;
        for (const char *key : { "examiner", "organisation" }) {
            if (!caseInfo.value(QLatin1String(key)).toString().isEmpty())
                by << safe(caseInfo.value(QLatin1String(key)));
        }
        const QString headerRight = by.join(QStringLiteral(", "));
        const QString head = m_report.value(QStringLiteral("chain"))
                                 .toObject()
                                 .value(QStringLiteral("head"))
                                 .toString();
        const int total = m_total;
        PdfPageFlow flow(writer, painter, dryRun, [&](QPainter &p, int page) {
            const double mm = writer.logicalDpiX() / 25.4;
            const QRect top(int(18 * mm), int(8 * mm), writer.width() - int(36 * mm), int(9 * mm));
            p.setPen(QColor(0x44, 0x44, 0x44));
            p.setFont(PdfPageFlow::font(7.5));
            p.drawText(top, Qt::AlignLeft | Qt::AlignVCenter, headerLeft);
            p.drawText(top, Qt::AlignRight | Qt::AlignVCenter, headerRight);
            p.setPen(QPen(QColor(0x88, 0x88, 0x88), std::max(1.0, 0.2 * mm)));
            p.drawLine(top.bottomLeft(), top.bottomRight());
            const QRect bottom(int(18 * mm), writer.height() - int(14 * mm),
                writer.width() - int(36 * mm), int(8 * mm));
            p.setPen(QColor(0x44, 0x44, 0x44));
            p.drawText(bottom, Qt::AlignLeft | Qt::AlignVCenter,
                tr("Case log head %1").arg(head.left(16) + QStringLiteral("…")));
            p.drawText(bottom, Qt::AlignRight | Qt::AlignVCenter,
                total > 0 ? tr("Page %1 of %2").arg(page).arg(total) : tr("Page %1").arg(page));
        });
        m_flow = &flow;
        coverPage();
        for (const QJsonValue &item : m_report.value(QStringLiteral("evidence")).toArray())
            evidenceItem(item.toObject());
        scans();
        evaluations();
        custody();
        reproduction();
        notesAndSignature();
        limitations();
        appendix();
        m_flow = nullptr;
        return flow.pageNumber();
    }

private:
    QFont body() const { return PdfPageFlow::font(9); }
    QFont small() const { return PdfPageFlow::font(7.5); }
    QFont mono() const { return PdfPageFlow::font(7.5, false, true); }
    QFont bold() const { return PdfPageFlow::font(9, true); }

    void coverPage()
    {
        PdfPageFlow &flow = *m_flow;
        const QJsonObject caseInfo = m_report.value(QStringLiteral("case")).toObject();
        flow.heading(tr("Forensic image report"), 1);
        const bool kept = caseInfo.value(QStringLiteral("kept")).toBool(true);
        flow.keyValues(
            {
                { tr("Case number"), safe(caseInfo.value(QStringLiteral("number"))) },
                { tr("Title"), safe(caseInfo.value(QStringLiteral("title"))) },
                { tr("Examiner"), safe(caseInfo.value(QStringLiteral("examiner"))) },
                { tr("Organisation"), safe(caseInfo.value(QStringLiteral("organisation"))) },
                { tr("Time zone"), safe(caseInfo.value(QStringLiteral("time_zone"))) },
                { tr("Case file"),
                    kept ? safe(caseInfo.value(QStringLiteral("path")))
                         : tr("none kept: a case made for this report alone") },
                { tr("Case id"), safe(caseInfo.value(QStringLiteral("uid"))) },
                { tr("Case opened"),
                    timeText(caseInfo.value(QStringLiteral("created_utc")).toString(), m_zone) },
                { tr("Report made"),
                    timeText(m_report.value(QStringLiteral("generated_utc")).toString(), m_zone) },
                { tr("Made with"),
                    displayText(QStringLiteral("ForgeLens %1 on %2")
                                    .arg(m_report.value(QStringLiteral("tool"))
                                             .toObject()
                                             .value(QStringLiteral("version"))
                                             .toString(),
                                        m_report.value(QStringLiteral("tool"))
                                            .toObject()
                                            .value(QStringLiteral("os"))
                                            .toString())) },
            },
            bold(), body());
        chainNotice();
        flow.paragraph(safe(m_report.value(QStringLiteral("pdfa"))), small());

        flow.heading(tr("Summary"), 2);
        std::vector<QStringList> rows;
        for (const QJsonValue &value : m_report.value(QStringLiteral("evidence")).toArray()) {
            const QJsonObject item = value.toObject();
            const QJsonObject check = item.value(QStringLiteral("check")).toObject();
            QStringList verdicts;
            const QJsonArray statements = item.value(QStringLiteral("analysis"))
                                              .toObject()
                                              .value(QStringLiteral("item"))
                                              .toObject()
                                              .value(QStringLiteral("statements"))
                                              .toArray();
            for (const QJsonValue &statement : statements) {
                const QJsonObject s = statement.toObject();
                verdicts << QStringLiteral("%1: %2 (P = %3)%4")
                                .arg(safe(s.value(QStringLiteral("detector"))),
                                    safe(s.value(QStringLiteral("headline"))),
                                    number(s.value(QStringLiteral("p_synthetic")), 3),
                                    s.value(QStringLiteral("caveat_marker")).toString().isEmpty()
                                        ? QString()
                                        : QLatin1Char(' ')
                                            + safe(s.value(QStringLiteral("caveat_marker"))));
            }
            if (statements.isEmpty())
                verdicts << tr("not analysed");
            const QString state = check.value(QStringLiteral("state")).toString();
            rows.push_back({ QString::number(item.value(QStringLiteral("id")).toInteger()),
                displayText(QFileInfo(item.value(QStringLiteral("path")).toString()).fileName()),
                safe(item.value(QStringLiteral("sha256"))),
                state == QLatin1String("unchanged") || state.isEmpty()
                    ? verdicts.join(u'\n')
                    : tr("EVIDENCE FILE %1 SINCE INTAKE").arg(state.toUpper()) + u'\n'
                        + verdicts.join(u'\n') });
        }
        if (!rows.empty())
            flow.table({ tr("Item"), tr("File"), tr("SHA-256"), tr("Verdicts") }, rows,
                { 0.6, 2.2, 3.2, 4.0 }, small());
        else
            flow.paragraph(tr("The case holds no evidence items."), body());
    }

    void chainNotice()
    {
        const QJsonObject chain = m_report.value(QStringLiteral("chain")).toObject();
        const QString head = chain.value(QStringLiteral("head")).toString();
        if (chain.value(QStringLiteral("intact")).toBool()) {
            m_flow->notice(tr("Case log: intact, %1 entries, each chained to the one before by "
                              "SHA-256. Head of the chain when this report was made: %2")
                               .arg(chain.value(QStringLiteral("entries")).toInteger())
                               .arg(displayText(head)),
                body(), QColor(0xee, 0xf6, 0xee), QColor(0x4a, 0x8a, 0x4a));
        } else {
            QStringList problems;
            for (const QJsonValue &problem : chain.value(QStringLiteral("problems")).toArray())
                problems << safe(problem);
            m_flow->notice(tr("CASE LOG BROKEN: the case was changed outside ForgeLens, and what "
                              "it records cannot be relied on. %1 Stored head: %2")
                               .arg(problems.join(QLatin1Char(' ')), displayText(head)),
                bold(), QColor(0xfb, 0xe4, 0xe4), QColor(0xb0, 0x20, 0x20));
        }
    }

    void evidenceItem(const QJsonObject &item)
    {
        PdfPageFlow &flow = *m_flow;
        flow.newPage();
        const QString sha256 = item.value(QStringLiteral("sha256")).toString();
        flow.heading(tr("Evidence item %1: %2")
                         .arg(item.value(QStringLiteral("id")).toInteger())
                         .arg(displayText(
                             QFileInfo(item.value(QStringLiteral("path")).toString()).fileName())),
            1);
        flow.keyValues(
            { { tr("Path at intake"), safe(item.value(QStringLiteral("path"))) },
                { tr("Size"), tr("%1 bytes").arg(item.value(QStringLiteral("size")).toInteger()) },
                { tr("SHA-256"), displayText(sha256) },
                { tr("SHA-1"), safe(item.value(QStringLiteral("sha1"))) },
                { tr("MD5"), safe(item.value(QStringLiteral("md5"))) },
                { tr("Taken in"),
                    timeText(item.value(QStringLiteral("intake_utc")).toString(), m_zone) } },
            bold(), body());
        const QJsonObject check = item.value(QStringLiteral("check")).toObject();
        const QString state = check.value(QStringLiteral("state")).toString();
        if (!check.isEmpty() && state != QLatin1String("unchanged"))
            flow.notice(tr("EVIDENCE FILE %1: %2")
                            .arg(state.toUpper(), safe(check.value(QStringLiteral("message")))),
                bold(), QColor(0xfb, 0xe4, 0xe4), QColor(0xb0, 0x20, 0x20));
        else if (!check.isEmpty())
            flow.paragraph(
                tr("Checked again on %1: the file's bytes still match the SHA-256 "
                   "recorded at intake.")
                    .arg(timeText(check.value(QStringLiteral("checked_utc")).toString(), m_zone)),
                small());

        const QJsonObject analysis = item.value(QStringLiteral("analysis")).toObject();
        if (analysis.isEmpty()) {
            flow.paragraph(tr("No analysis of this item is recorded in the case."), body());
            marksAndNotes(item);
            return;
        }
        const QJsonObject content = analysis.value(QStringLiteral("item")).toObject();
        const QJsonObject record = content.value(QStringLiteral("record")).toObject();
        flow.heading(
            tr("What the detectors found (run %1, %2)")
                .arg(analysis.value(QStringLiteral("run")).toInteger())
                .arg(timeText(analysis.value(QStringLiteral("started_utc")).toString(), m_zone)),
            2);
        for (const QJsonValue &value : content.value(QStringLiteral("statements")).toArray()) {
            const QJsonObject s = value.toObject();
            const QString marker = safe(s.value(QStringLiteral("caveat_marker")));
            flow.paragraph(QStringLiteral("%1 (%2)%3: %4, P(synthetic) = %5")
                               .arg(safe(s.value(QStringLiteral("name"))),
                                   safe(s.value(QStringLiteral("detector"))),
                                   marker.isEmpty() ? QString() : QLatin1Char(' ') + marker,
                                   safe(s.value(QStringLiteral("headline"))),
                                   number(s.value(QStringLiteral("p_synthetic")), 4)),
                bold());
            QStringList lines;
            for (const char *key :
                { "reason", "threshold", "band", "calibration", "head", "caveat_warning" }) {
                const QString text = safe(s.value(QLatin1String(key)));
                if (!text.isEmpty())
                    lines << text;
            }
            flow.paragraph(lines.join(u'\n'), body());
        }
        const QString agreement = safe(content.value(QStringLiteral("agreement")));
        if (!agreement.isEmpty())
            flow.paragraph(agreement, bold());
        for (const QJsonValue &caveat : content.value(QStringLiteral("caveats")).toArray())
            flow.paragraph(QStringLiteral("• ") + safe(caveat), body(), QColor(0x80, 0x30, 0x00));
        for (const QJsonValue &value : record.value(QStringLiteral("detectors")).toArray()) {
            const QJsonObject detector = value.toObject();
            if (detector.value(QStringLiteral("status")).toString() != QLatin1String("ok"))
                flow.paragraph(tr("%1 could not score the file: [%2] %3")
                                   .arg(safe(detector.value(QStringLiteral("model"))),
                                       safe(detector.value(QStringLiteral("status"))),
                                       safe(detector.value(QStringLiteral("error")))),
                    body(), QColor(0xa0, 0x20, 0x20));
        }

        const auto picture = m_pictures.evidence.find(sha256);
        const bool matches = state.isEmpty() || state == QLatin1String("unchanged");
        if (picture != m_pictures.evidence.end() && matches) {
            const QImage shown = scoredRegions(picture->second,
                record.value(QStringLiteral("detectors")).toArray(), m_options.maxImageSide,
                record.value(QStringLiteral("width")).toInt(),
                record.value(QStringLiteral("height")).toInt());
            const int maxHeight = int(flow.contentRect().height() * 0.45);
            flow.heading(tr("The image and the regions scored"), 2,
                shown.size().scaled(QSize(flow.width(), maxHeight), Qt::KeepAspectRatio).height()
                    + int(12 * flow.mm()));
            flow.image(shown, maxHeight,
                tr("%1 × %2 pixels after EXIF orientation %3. Outlined: the parts of the image "
                   "each detector scored (one colour per detector, in the order above).")
                    .arg(record.value(QStringLiteral("width")).toInt())
                    .arg(record.value(QStringLiteral("height")).toInt())
                    .arg(record.value(QStringLiteral("exif_orientation")).toInt(1)),
                small());
            std::vector<std::pair<QImage, QString>> maps;
            for (const QJsonValue &value : content.value(QStringLiteral("maps")).toArray()) {
                const ImageMap map = imageMapFromJson(value.toObject());
                if (map.isNull())
                    continue;
                maps.emplace_back(opaque(renderImageMap(legible(map), picture->second, 0.55,
                                             std::min(m_options.maxImageSide, 1400)),
                                      m_options.maxImageSide),
                    QStringLiteral("%1 · %2 · %3")
                        .arg(displayText(map.detectorId), imageMapKindName(map.kind),
                            displayText(map.reading)));
            }
            // Two maps side by side, each with its legend and how to read it.
            const int mapHeight = int(flow.contentRect().height() * 0.28);
            if (!maps.empty()) {
                flow.heading(tr("Maps"), 2, mapHeight + int(20 * flow.mm()));
                flow.imageGrid(maps, 2, mapHeight, small());
            }
        } else if (!matches) {
            flow.paragraph(tr("The image is not shown: the file at its path is no longer the "
                              "evidence that was analysed."),
                bold(), QColor(0xa0, 0x20, 0x20));
        } else {
            flow.paragraph(tr("The image could not be read for this report."), body());
        }
        for (const QJsonValue &value : content.value(QStringLiteral("maps_missing")).toArray())
            flow.paragraph(tr("No map from %1: %2")
                               .arg(safe(value.toObject().value(QStringLiteral("detector"))),
                                   safe(value.toObject().value(QStringLiteral("reason")))),
                small());

        exemplars(content.value(QStringLiteral("exemplars")).toArray());
        metadataFindings(content.value(QStringLiteral("metadata")).toObject());
        marksAndNotes(item);
    }

    void exemplars(const QJsonArray &detectors)
    {
        if (detectors.isEmpty())
            return;
        PdfPageFlow &flow = *m_flow;
        flow.heading(tr("Nearest exemplars"), 2);
        for (const QJsonValue &value : detectors) {
            const QJsonObject detector = value.toObject();
            if (detector.contains(QStringLiteral("missing"))) {
                flow.paragraph(tr("%1: none (%2)")
                                   .arg(safe(detector.value(QStringLiteral("detector"))),
                                       safe(detector.value(QStringLiteral("missing")))),
                    body());
                continue;
            }
            flow.paragraph(
                tr("%1, bank %2: %3")
                    .arg(safe(detector.value(QStringLiteral("detector"))),
                        displayText(QFileInfo(detector.value(QStringLiteral("bank")).toString())
                                        .fileName()),
                        safe(detector.value(QStringLiteral("share")))),
                bold());
            std::vector<std::pair<QImage, QString>> cells;
            std::vector<QStringList> rows;
            for (const QJsonValue &entry : detector.value(QStringLiteral("neighbours")).toArray()) {
                const QJsonObject n = entry.toObject();
                const QString generator = safe(n.value(QStringLiteral("generator")));
                cells.emplace_back(pngFromBase64(n.value(QStringLiteral("thumbnail")).toObject()),
                    QStringLiteral("#%1 %2%3\nsimilarity %4")
                        .arg(n.value(QStringLiteral("rank")).toInt())
                        .arg(safe(n.value(QStringLiteral("label"))),
                            generator.isEmpty() ? QString()
                                                : QStringLiteral(" (%1)").arg(generator),
                            number(n.value(QStringLiteral("similarity")), 3)));
                rows.push_back({ QString::number(n.value(QStringLiteral("rank")).toInt()),
                    safe(n.value(QStringLiteral("path"))), safe(n.value(QStringLiteral("source"))),
                    safe(n.value(QStringLiteral("licence"))),
                    safe(n.value(QStringLiteral("attribution"))) });
            }
            flow.imageGrid(cells, 5, int(24 * flow.mm()), small());
            flow.table({ tr("#"), tr("Exemplar"), tr("Source"), tr("Licence"), tr("Attribution") },
                rows, { 0.4, 3.0, 3.0, 1.4, 2.2 }, small());
        }
    }

    void metadataFindings(const QJsonObject &metadata)
    {
        PdfPageFlow &flow = *m_flow;
        flow.heading(tr("Metadata and provenance"), 2);
        if (metadata.isEmpty()) {
            flow.paragraph(tr("The metadata was not read in this analysis."), body());
            return;
        }
        std::vector<QStringList> rows;
        for (const QJsonValue &value : metadata.value(QStringLiteral("findings")).toArray()) {
            const QJsonObject finding = value.toObject();
            rows.push_back({ safe(finding.value(QStringLiteral("severity"))),
                safe(finding.value(QStringLiteral("code"))),
                safe(finding.value(QStringLiteral("message"))),
                safe(finding.value(QStringLiteral("evidence"))) });
        }
        if (rows.empty())
            flow.paragraph(tr("No metadata finding: nothing in the file names a generator, an "
                              "editor or a provenance claim. The absence of metadata proves "
                              "nothing either way."),
                body());
        else
            flow.table({ tr("Severity"), tr("Finding"), tr("What it says"), tr("Evidence") }, rows,
                { 1.0, 2.0, 4.0, 3.0 }, small());
        const QJsonObject c2pa = metadata.value(QStringLiteral("c2pa")).toObject();
        if (c2pa.isEmpty()) {
            flow.paragraph(tr("C2PA: no manifest found in the file."), body());
        } else {
            QStringList generators;
            for (const QJsonValue &manifest : c2pa.value(QStringLiteral("manifests")).toArray())
                generators << safe(manifest.toObject().value(QStringLiteral("claim_generator")));
            flow.paragraph(tr("C2PA: a manifest store was found (%1 manifest(s); claim generators: "
                              "%2). Signature verified: %3.")
                               .arg(c2pa.value(QStringLiteral("manifests")).toArray().size())
                               .arg(generators.join(QStringLiteral(", ")),
                                   c2pa.value(QStringLiteral("signature_verified")).toBool()
                                       ? tr("yes")
                                       : tr("no — ForgeLens reports the manifest as found and "
                                            "does not verify its signature")),
                body());
        }
        const int properties = metadata.value(QStringLiteral("properties")).toArray().size();
        flow.paragraph(tr("%1 EXIF, IPTC and XMP properties were read; they are listed in full "
                          "in the appendix.")
                           .arg(properties),
            small());
    }

    void marksAndNotes(const QJsonObject &item)
    {
        const QJsonObject mark = item.value(QStringLiteral("mark")).toObject();
        const QJsonArray notes = item.value(QStringLiteral("notes")).toArray();
        if (mark.isEmpty() && notes.isEmpty())
            return;
        PdfPageFlow &flow = *m_flow;
        flow.heading(tr("The examiner's marks and notes"), 2);
        if (!mark.isEmpty())
            flow.paragraph(
                tr("Marked %1 on %2. %3")
                    .arg(safe(mark.value(QStringLiteral("mark"))),
                        timeText(mark.value(QStringLiteral("changed_utc")).toString(), m_zone),
                        safe(mark.value(QStringLiteral("note")))),
                body());
        for (const QJsonValue &value : notes) {
            const QJsonObject note = value.toObject();
            flow.paragraph(
                tr("%1, %2:").arg(safe(note.value(QStringLiteral("author"))),
                    timeText(note.value(QStringLiteral("created_utc")).toString(), m_zone)),
                bold());
            flow.paragraph(multiline(note.value(QStringLiteral("text")).toString()), body());
        }
    }

    // An analyst's note keeps its line breaks; everything else is escaped as displayText does.
    static QString multiline(const QString &text)
    {
        QStringList lines;
        for (const QString &line : text.split(u'\n'))
            lines << displayText(line);
        return lines.join(u'\n');
    }

    void scans()
    {
        const QJsonArray scans = m_report.value(QStringLiteral("scans")).toArray();
        for (const QJsonValue &value : scans) {
            PdfPageFlow &flow = *m_flow;
            flow.newPage();
            const QJsonObject scan = value.toObject();
            const QJsonObject summary = scan.value(QStringLiteral("summary")).toObject();
            const QJsonObject csv = summary.value(QStringLiteral("csv")).toObject();
            flow.heading(
                tr("Folder scan (run %1)").arg(scan.value(QStringLiteral("run")).toInteger()), 1);
            QStringList statuses;
            const QJsonObject status = summary.value(QStringLiteral("status")).toObject();
            for (auto it = status.begin(); it != status.end(); ++it)
                statuses << QStringLiteral("%1 %2")
                                .arg(it.value().toInteger())
                                .arg(displayText(it.key()));
            flow.keyValues(
                { { tr("Folder"), safe(summary.value(QStringLiteral("root"))) },
                    { tr("Report CSV"), safe(csv.value(QStringLiteral("path"))) },
                    { tr("CSV SHA-256"), safe(csv.value(QStringLiteral("sha256"))) },
                    { tr("CSV size"),
                        tr("%1 bytes").arg(csv.value(QStringLiteral("size")).toInteger()) },
                    { tr("Started"),
                        timeText(scan.value(QStringLiteral("started_utc")).toString(), m_zone) },
                    { tr("Rows"),
                        QString::number(summary.value(QStringLiteral("rows")).toInteger()) },
                    { tr("By status"), statuses.join(QStringLiteral(", ")) },
                    { tr("Complete"),
                        summary.value(QStringLiteral("complete")).toBool()
                            ? tr("yes")
                            : tr("no: the scan was interrupted") } },
                bold(), body());
            flow.paragraph(tr("Every figure below is computed from the CSV named above; its "
                              "SHA-256 identifies the exact file."),
                small());
            for (const QJsonValue &entry : summary.value(QStringLiteral("detectors")).toArray()) {
                const QJsonObject detector = entry.toObject();
                flow.heading(displayText(detector.value(QStringLiteral("id")).toString()), 2);
                QStringList labels;
                const QJsonObject counts = detector.value(QStringLiteral("labels")).toObject();
                for (auto it = counts.begin(); it != counts.end(); ++it)
                    labels << QStringLiteral("%1 %2")
                                  .arg(it.value().toInteger())
                                  .arg(displayText(it.key()));
                flow.paragraph(labels.join(QStringLiteral(", ")), body());
                std::vector<qint64> bins;
                for (const QJsonValue &bin : detector.value(QStringLiteral("histogram")).toArray())
                    bins.push_back(bin.toInteger());
                const double threshold = detector.value(QStringLiteral("threshold")).toDouble(-1);
                flow.histogram(bins, threshold,
                    tr("P(synthetic) of the scored rows in 20 bins; dashed: the threshold %1")
                        .arg(number(detector.value(QStringLiteral("threshold")), 4)),
                    small());
                const QJsonArray flagged = detector.value(QStringLiteral("flagged")).toArray();
                const qint64 flaggedCount
                    = detector.value(QStringLiteral("flagged_count")).toInteger();
                flow.paragraph(
                    tr("%1 rows flagged as synthetic%2.")
                        .arg(flaggedCount)
                        .arg(flaggedCount > flagged.size()
                                ? tr("; the %1 with the highest P are listed").arg(flagged.size())
                                : QString()),
                    bold());
                std::vector<std::pair<QImage, QString>> cells;
                std::vector<QStringList> rows;
                for (const QJsonValue &rowValue : flagged) {
                    const QJsonObject row = rowValue.toObject();
                    const QString sha256 = row.value(QStringLiteral("sha256")).toString();
                    const auto thumbnail = m_pictures.thumbnails.find(sha256);
                    if (thumbnail != m_pictures.thumbnails.end())
                        cells.emplace_back(opaque(thumbnail->second, 320),
                            QStringLiteral("%1\nP %2")
                                .arg(displayText(
                                         QFileInfo(row.value(QStringLiteral("path")).toString())
                                             .fileName()),
                                    number(row.value(QStringLiteral("p_synthetic")), 3)));
                    rows.push_back({ safe(row.value(QStringLiteral("path"))), displayText(sha256),
                        number(row.value(QStringLiteral("p_synthetic")), 4),
                        safe(row.value(QStringLiteral("label"))) });
                }
                if (!cells.empty())
                    flow.imageGrid(cells, 6, int(22 * flow.mm()), small());
                if (!rows.empty())
                    flow.table({ tr("Path"), tr("SHA-256"), tr("P"), tr("Label") }, rows,
                        { 3.4, 4.2, 0.8, 1.8 }, small());
            }
        }
    }

    void evaluations()
    {
        const QJsonArray evaluations = m_report.value(QStringLiteral("evaluations")).toArray();
        if (evaluations.isEmpty())
            return;
        PdfPageFlow &flow = *m_flow;
        flow.newPage();
        flow.heading(tr("How the detectors measured on labelled images"), 1);
        for (const QJsonValue &value : evaluations) {
            const QJsonObject evaluation = value.toObject();
            const QJsonObject dataset = evaluation.value(QStringLiteral("dataset")).toObject();
            flow.paragraph(tr("Run %1: %2 labelled images (%3 real, %4 synthetic) from %5; file "
                              "list SHA-256 %6.")
                               .arg(evaluation.value(QStringLiteral("run")).toInteger())
                               .arg(dataset.value(QStringLiteral("images")).toInteger())
                               .arg(dataset.value(QStringLiteral("real")).toInteger())
                               .arg(dataset.value(QStringLiteral("synthetic")).toInteger())
                               .arg(safe(dataset.value(QStringLiteral("root"))),
                                   safe(dataset.value(QStringLiteral("file_list_sha256")))),
                body());
            std::vector<QStringList> rows;
            for (const QJsonValue &entry :
                evaluation.value(QStringLiteral("detectors")).toArray()) {
                const QJsonObject detector = entry.toObject();
                const QJsonObject overall = detector.value(QStringLiteral("overall")).toObject();
                const QJsonArray ci = overall.value(QStringLiteral("auc_ci95_bootstrap")).toArray();
                const QJsonObject at = overall.value(QStringLiteral("at_threshold")).toObject();
                rows.push_back({ safe(detector.value(QStringLiteral("id"))),
                    QStringLiteral("%1 [%2, %3]")
                        .arg(number(overall.value(QStringLiteral("auc")), 3), number(ci.at(0), 3),
                            number(ci.at(1), 3)),
                    number(overall.value(QStringLiteral("average_precision")), 3),
                    number(at.value(QStringLiteral("accuracy")), 3),
                    number(at.value(QStringLiteral("real_accuracy")), 3),
                    number(at.value(QStringLiteral("synthetic_accuracy")), 3),
                    number(overall.value(QStringLiteral("ece_15_bins")), 3),
                    number(overall.value(QStringLiteral("threshold")), 4),
                    safe(detector.value(QStringLiteral("bundle_sha256"))) });
            }
            flow.table(
                { tr("Detector"), tr("AUC [95% CI]"), tr("AP"), tr("Accuracy"), tr("Real acc."),
                    tr("Synth. acc."), tr("ECE"), tr("Threshold"), tr("Bundle SHA-256") },
                rows, { 1.6, 1.8, 0.7, 0.9, 0.9, 0.9, 0.7, 1.0, 3.0 }, small());
            flow.paragraph(safe(evaluation.value(QStringLiteral("caveat"))), small());
        }
    }

    void custody()
    {
        PdfPageFlow &flow = *m_flow;
        flow.newPage();
        flow.heading(tr("Chain of custody"), 1);
        chainNotice();
        flow.heading(tr("Evidence at intake"), 2);
        std::vector<QStringList> rows;
        for (const QJsonValue &value : m_report.value(QStringLiteral("evidence")).toArray()) {
            const QJsonObject item = value.toObject();
            rows.push_back({ QString::number(item.value(QStringLiteral("id")).toInteger()),
                safe(item.value(QStringLiteral("path"))) + u'\n'
                    + tr("%1 bytes").arg(item.value(QStringLiteral("size")).toInteger()) + u'\n'
                    + timeText(item.value(QStringLiteral("intake_utc")).toString(), m_zone),
                QStringLiteral("SHA-256 %1\nSHA-1 %2\nMD5 %3")
                    .arg(safe(item.value(QStringLiteral("sha256"))),
                        safe(item.value(QStringLiteral("sha1"))),
                        safe(item.value(QStringLiteral("md5")))),
                (item.value(QStringLiteral("write_protected")).toBool() ? tr("write-protected")
                                                                        : tr("writable"))
                    + u'\n'
                    + (item.value(QStringLiteral("stable_during_intake")).toBool()
                            ? tr("unchanged while read")
                            : tr("CHANGED while read"))
                    + u'\n'
                    + tr("now: %1").arg(safe(item.value(QStringLiteral("check"))
                                                 .toObject()
                                                 .value(QStringLiteral("state")))) });
        }
        flow.table({ tr("Item"), tr("Path, size, intake"), tr("Hashes"), tr("State") }, rows,
            { 0.5, 3.3, 4.6, 1.6 }, mono());
        flow.heading(tr("Action log"), 2);
        std::vector<QStringList> log;
        for (const QJsonValue &value : m_report.value(QStringLiteral("log")).toArray()) {
            const QJsonObject entry = value.toObject();
            log.push_back({ QString::number(entry.value(QStringLiteral("seq")).toInteger()),
                timeText(entry.value(QStringLiteral("utc")).toString(), m_zone),
                safe(entry.value(QStringLiteral("actor"))),
                safe(entry.value(QStringLiteral("action"))),
                displayText(entry.value(QStringLiteral("detail")).toString().left(400)),
                safe(entry.value(QStringLiteral("hash"))) });
        }
        flow.table({ tr("#"), tr("Time"), tr("By"), tr("Action"), tr("Detail"), tr("Entry hash") },
            log, { 0.4, 2.0, 0.9, 1.2, 3.4, 2.4 }, small());
    }

    void reproduction()
    {
        PdfPageFlow &flow = *m_flow;
        flow.heading(tr("Reproducing every figure"), 1);
        flow.paragraph(tr("These commands, run with the same ForgeLens version and the same model "
                          "bundles (each pinned by its SHA-256), give the figures of this report "
                          "again. Paths are quoted for a POSIX shell."),
            body());
        for (const QJsonValue &command : m_report.value(QStringLiteral("commands")).toArray())
            flow.paragraph(safe(command), mono());
        flow.heading(tr("Runs and their environment"), 2);
        for (const QJsonValue &value : m_report.value(QStringLiteral("runs")).toArray()) {
            const QJsonObject run = value.toObject();
            const QJsonObject environment = run.value(QStringLiteral("environment")).toObject();
            const QJsonObject build = environment.value(QStringLiteral("build")).toObject();
            QStringList lines;
            lines << tr("Run %1, %2: %3 to %4")
                         .arg(run.value(QStringLiteral("id")).toInteger())
                         .arg(safe(run.value(QStringLiteral("kind"))),
                             timeText(run.value(QStringLiteral("started_utc")).toString(), m_zone),
                             timeText(
                                 run.value(QStringLiteral("finished_utc")).toString(), m_zone));
            QStringList made;
            const std::pair<QString, QString> parts[]{
                { tr("ForgeLens %1"), safe(environment.value(QStringLiteral("tool_version"))) },
                { QStringLiteral("%1"), safe(environment.value(QStringLiteral("os"))) },
                { QStringLiteral("%1"), safe(environment.value(QStringLiteral("kernel"))) },
                { tr("Qt %1"), safe(build.value(QStringLiteral("qt_runtime"))) },
                { tr("LibTorch %1"), safe(build.value(QStringLiteral("libtorch"))) },
                { QStringLiteral("%1"), safe(build.value(QStringLiteral("compiler"))) },
                { tr("from %1"), safe(environment.value(QStringLiteral("summarised_from"))) },
            };
            for (const auto &[format, value] : parts) {
                if (!value.isEmpty())
                    made << format.arg(value);
            }
            lines << made.join(QStringLiteral("; "));
            for (const QJsonValue &entry :
                environment.value(QStringLiteral("detectors")).toArray()) {
                const QJsonObject model = entry.toObject();
                lines << tr("  %1 %2 (%3): bundle SHA-256 %4, manifest SHA-256 %5, threshold %6")
                             .arg(safe(model.value(QStringLiteral("id"))),
                                 safe(model.value(QStringLiteral("version"))),
                                 safe(model.value(QStringLiteral("family"))),
                                 safe(model.value(QStringLiteral("bundle_sha256"))),
                                 safe(model.value(QStringLiteral("manifest_sha256"))),
                                 number(model.value(QStringLiteral("threshold")), 4));
            }
            for (const QJsonValue &bank : environment.value(QStringLiteral("banks")).toArray())
                lines << tr("  bank %1").arg(safe(bank));
            flow.paragraph(lines.join(u'\n'), small());
        }
    }

    void notesAndSignature()
    {
        PdfPageFlow &flow = *m_flow;
        flow.heading(tr("Examiner's notes"), 1);
        const QJsonArray notes = m_report.value(QStringLiteral("notes")).toArray();
        if (notes.isEmpty())
            flow.paragraph(tr("No notes on the case as a whole."), body());
        for (const QJsonValue &value : notes) {
            const QJsonObject note = value.toObject();
            flow.paragraph(
                tr("%1, %2:").arg(safe(note.value(QStringLiteral("author"))),
                    timeText(note.value(QStringLiteral("created_utc")).toString(), m_zone)),
                bold());
            flow.paragraph(multiline(note.value(QStringLiteral("text")).toString()), body());
        }
        const QJsonObject caseInfo = m_report.value(QStringLiteral("case")).toObject();
        flow.space(int(6 * flow.mm()));
        flow.keyValues(
            { { tr("Examiner"), safe(caseInfo.value(QStringLiteral("examiner"))) },
                { tr("Organisation"), safe(caseInfo.value(QStringLiteral("organisation"))) },
                { tr("Signature"), QStringLiteral("\n\n________________________________") },
                { tr("Date"), QStringLiteral("\n________________________________") } },
            bold(), body());
    }

    void limitations()
    {
        PdfPageFlow &flow = *m_flow;
        flow.heading(tr("What this report cannot establish"), 1);
        for (const QJsonValue &paragraph : m_report.value(QStringLiteral("limitations")).toArray())
            flow.paragraph(safe(paragraph), body());
    }

    void appendix()
    {
        for (const QJsonValue &value : m_report.value(QStringLiteral("evidence")).toArray()) {
            const QJsonObject item = value.toObject();
            const QJsonArray properties = item.value(QStringLiteral("analysis"))
                                              .toObject()
                                              .value(QStringLiteral("item"))
                                              .toObject()
                                              .value(QStringLiteral("metadata"))
                                              .toObject()
                                              .value(QStringLiteral("properties"))
                                              .toArray();
            if (properties.isEmpty())
                continue;
            PdfPageFlow &flow = *m_flow;
            flow.newPage();
            flow.heading(
                tr("Appendix: every metadata property of item %1 (%2)")
                    .arg(item.value(QStringLiteral("id")).toInteger())
                    .arg(displayText(
                        QFileInfo(item.value(QStringLiteral("path")).toString()).fileName())),
                1);
            std::vector<QStringList> rows;
            for (const QJsonValue &entry : properties) {
                const QJsonObject property = entry.toObject();
                rows.push_back({ safe(property.value(QStringLiteral("group"))),
                    safe(property.value(QStringLiteral("key"))),
                    safe(property.value(QStringLiteral("type"))),
                    displayText(property.value(QStringLiteral("value")).toString().left(600)) });
            }
            flow.table({ tr("Family"), tr("Key"), tr("Type"), tr("Value") }, rows,
                { 0.8, 3.4, 1.0, 4.8 }, small());
        }
    }

    const QJsonObject &m_report;
    const ReportPictures &m_pictures;
    const ReportPdfOptions &m_options;
    int m_total = 0;
    QString m_zone;
    PdfPageFlow *m_flow = nullptr;
};

void configure(QPdfWriter &writer, const QJsonObject &report, const ReportPdfOptions &options)
{
    writer.setPdfVersion(QPagedPaintDevice::PdfVersion_A1b);
    writer.setResolution(options.resolution);
    writer.setPageSize(QPageSize(options.pageSize));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    const QJsonObject caseInfo = report.value(QStringLiteral("case")).toObject();
    writer.setTitle(displayText(QStringLiteral("Forensic image report, case %1")
                                    .arg(caseInfo.value(QStringLiteral("number")).toString())));
    writer.setCreator(QStringLiteral("ForgeLens %1").arg(QStringLiteral(FORGELENS_VERSION)));
}

} // namespace

std::optional<QPageSize::PageSizeId> reportPageSize(const QString &name)
{
    if (name.compare(QLatin1String("A4"), Qt::CaseInsensitive) == 0)
        return QPageSize::A4;
    if (name.compare(QLatin1String("Letter"), Qt::CaseInsensitive) == 0)
        return QPageSize::Letter;
    return std::nullopt;
}

std::optional<Error> writeReportPdf(const QJsonObject &report, const ReportPictures &pictures,
    const QString &pdfPath, const ReportPdfOptions &options)
{
    // A dry run counts the pages, so that every page can say "Page N of M".
    int total = 0;
    {
        QBuffer scratch;
        scratch.open(QIODevice::WriteOnly);
        QPdfWriter writer(&scratch);
        configure(writer, report, options);
        QPainter painter(&writer);
        total = ReportRenderer(report, pictures, options, 0).render(writer, painter, true);
        painter.end();
    }
    QSaveFile file(pdfPath);
    if (!file.open(QIODevice::WriteOnly))
        return Error{ ErrorCode::ReportWriteFailed,
            QStringLiteral("cannot write %1: %2").arg(pdfPath, file.errorString()) };
    {
        QPdfWriter writer(&file);
        configure(writer, report, options);
        QPainter painter;
        if (!painter.begin(&writer))
            return Error{ ErrorCode::ReportWriteFailed,
                QStringLiteral("cannot draw the report %1").arg(pdfPath) };
        ReportRenderer(report, pictures, options, total).render(writer, painter, false);
        painter.end();
    }
    if (!file.commit())
        return Error{ ErrorCode::ReportWriteFailed,
            QStringLiteral("cannot write %1: %2").arg(pdfPath, file.errorString()) };
    return std::nullopt;
}

} // namespace forgelens
