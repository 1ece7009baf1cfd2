#include "forgelens/metadata/metadata_report.h"

#include "forgelens/image/image_header_probe.h"
#include "forgelens/metadata/metadata_findings.h"
#include "forgelens/metadata/stealth_metadata.h"

#include "camera_raw_properties.h"
#include "container_findings.h"

#include <functional>

namespace forgelens {
namespace {

void readParts(std::span<const std::uint8_t> bytes, MetadataReport &report)
{
    report.format = sniffImageFormat(bytes);
    if (const Result<ImageHeader> header = probeImageHeader(bytes)) {
        report.width = header->width;
        report.height = header->height;
    }

    Result<EmbeddedMetadata> embedded = readEmbeddedMetadata(bytes);
    if (embedded) {
        report.embedded = std::move(embedded).value();
        for (const QString &warning : report.embedded.warnings)
            report.errors.push_back({ ErrorCode::MetadataMalformed,
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
        container = c2paContainerName(report.format);
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
    if (report.format == ImageFormat::Raw)
        appendCameraRawProperties(bytes, report.embedded.properties);
    if (std::optional<StealthMetadata> stealth = readStealthMetadata(bytes, report.format)) {
        if (!stealth->problem.isEmpty())
            report.errors.push_back({ ErrorCode::MetadataMalformed, stealth->problem });
        report.embedded.properties.push_back(stealthProperty(*stealth));
    }
}

} // namespace

MetadataReport readMetadataReport(
    std::span<const std::uint8_t> bytes, const MetadataFileFacts &file)
{
    MetadataReport report;
    report.file = file;
    // Every part returns errors as values; these catch what none of them foresaw, so a hostile
    // file costs a part of its report, never the process, and never the findings of the parts
    // that were read.
    const auto guarded = [&report](const char *what, const std::function<void()> &step) {
        try {
            step();
        } catch (const std::exception &e) {
            report.errors.push_back({ ErrorCode::InternalError,
                QStringLiteral("%1 failed unexpectedly: %2")
                    .arg(QLatin1String(what), QString::fromUtf8(e.what())) });
        } catch (...) {
            report.errors.push_back({ ErrorCode::InternalError,
                QStringLiteral("%1 failed unexpectedly").arg(QLatin1String(what)) });
        }
    };
    guarded("reading the metadata", [&] { readParts(bytes, report); });
    // Findings describe images: "no camera metadata" about a text file would be noise.
    if (report.format != ImageFormat::Unknown)
        guarded("deriving the findings", [&] {
            report.findings = deriveMetadataFindings(report);
            appendContainerFindings(bytes, report);
        });
    return report;
}

} // namespace forgelens
