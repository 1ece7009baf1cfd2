#include "forgelens/metadata/metadata_report.h"

#include "forgelens/image/image_header_probe.h"
#include "forgelens/metadata/metadata_findings.h"

namespace forgelens {
namespace {

void readParts(std::span<const std::uint8_t> bytes, MetadataReport &report)
{
    report.format = sniffImageFormat(bytes);

    Result<EmbeddedMetadata> embedded = readEmbeddedMetadata(bytes);
    if (embedded) {
        report.embedded = std::move(embedded).value();
        for (const QString &warning : report.embedded.warnings)
            report.errors.push_back({ QStringLiteral("metadata-malformed"),
                QStringLiteral("Exiv2 read around malformed metadata: %1").arg(warning) });
    } else
        report.errors.push_back(embedded.error());

    QByteArray jumbf;
    QString container;
    if (report.format == ImageFormat::Png) {
        Result<PngChunkScan> png = scanPngChunks(bytes);
        if (png) {
            report.errors.insert(report.errors.end(), png->problems.begin(), png->problems.end());
            jumbf = png->c2paJumbf;
            container = QStringLiteral("PNG caBX");
            report.png = std::move(png).value();
        } else {
            report.errors.push_back(png.error());
        }
    } else {
        Result<std::optional<QByteArray>> found = extractC2paJumbf(bytes, report.format);
        if (!found)
            report.errors.push_back(found.error());
        else if (found->has_value())
            jumbf = **found;
        container = report.format == ImageFormat::Jpeg ? QStringLiteral("JPEG APP11")
                                                       : QStringLiteral("WebP C2PA");
    }
    if (!jumbf.isEmpty()) {
        Result<C2paSummary> c2pa = parseC2paJumbf(jumbf, container);
        if (c2pa)
            report.c2pa = std::move(c2pa).value();
        else
            report.errors.push_back(c2pa.error());
    }

    if (report.format == ImageFormat::Jpeg) {
        Result<JpegStructure> jpeg = readJpegStructure(bytes);
        if (jpeg)
            report.jpeg = std::move(jpeg).value();
        else
            report.errors.push_back(jpeg.error());
    }
    if (!report.embedded.thumbnail.isEmpty())
        report.thumbnail = compareThumbnail(report.embedded.thumbnail, bytes);
}

} // namespace

MetadataReport readMetadataReport(std::span<const std::uint8_t> bytes)
{
    MetadataReport report;
    // Every part returns errors as values; this catches what none of them foresaw, so a hostile
    // file costs its report, never the process.
    try {
        readParts(bytes, report);
        report.findings = deriveMetadataFindings(report);
    } catch (const std::exception &e) {
        report.errors.push_back({ QStringLiteral("internal-error"),
            QStringLiteral("metadata reading failed unexpectedly: %1")
                .arg(QString::fromUtf8(e.what())) });
    }
    return report;
}

} // namespace forgelens
