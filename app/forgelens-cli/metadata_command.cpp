#include "metadata_command.h"

#include "exit_code.h"

#include "forgelens/metadata/metadata_report.h"
#include "forgelens/report/display_text.h"
#include "forgelens/report/json_text.h"
#include "forgelens/report/metadata_json.h"
#include "forgelens/sandbox/decoder_pool.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

namespace forgelens::cli {
namespace {

const char *const kDescription
    = R"(Show what image files say about their own origin: every EXIF, IPTC and XMP
property, PNG text chunks (Stable Diffusion WebUI parameters, ComfyUI graphs), C2PA manifests
(read WITHOUT verifying their signatures), the JPEG structure (quantisation tables, estimated
quality, thumbnail) and the findings drawn from them. Findings are evidence, not a verdict:
metadata can be removed or forged. Files are opened read-only.

Exit codes:
  0  every part of every file was read
  1  a file could not be read, or a part of it is malformed (the rest is still shown)
  2  usage error)";

constexpr qint64 kMaxFileBytes = qint64(1) << 30;

void printText(QTextStream &out, const QString &path, const EvidenceReading &file,
    const MetadataReport &report)
{
    out << displayText(path) << '\n'
        << "  sha256   " << file.digest.sha256 << '\n'
        << "  format   " << imageFormatName(report.format) << ", " << file.fileSize << " bytes\n";
    out << "\n  Findings (evidence, not a verdict)\n";
    if (report.findings.empty())
        out << "    none\n";
    for (const MetadataFinding &finding : report.findings)
        out << "    [" << MetadataFinding::severityName(finding.severity) << "] " << finding.code
            << ": " << displayText(finding.message) << "\n      " << displayText(finding.evidence)
            << '\n';
    if (!report.errors.empty()) {
        out << "\n  Errors\n";
        for (const Error &error : report.errors)
            out << "    [" << error.codeName() << "] " << displayText(error.message) << '\n';
    }
    if (const std::optional<C2paSummary> &c2pa = report.c2pa) {
        out << "\n  C2PA (" << c2pa->container << "; signature NOT verified)\n"
            << "    claim generator  " << displayText(c2pa->claimGenerator) << '\n'
            << "    title            " << displayText(c2pa->title) << '\n';
        for (const C2paAction &action : c2pa->actions)
            out << "    action           " << displayText(action.action) << ' '
                << displayText(action.digitalSourceType) << ' ' << displayText(action.softwareAgent)
                << '\n';
        for (const QString &ingredient : c2pa->ingredients)
            out << "    ingredient       " << displayText(ingredient) << '\n';
        out << "    certificate      " << displayText(c2pa->signatureIssuer) << '\n';
    }
    if (const std::optional<JpegStructure> &jpeg = report.jpeg) {
        out << "\n  JPEG\n    " << jpeg->process << (jpeg->arithmetic ? " (arithmetic)" : "")
            << ", " << jpeg->components << " component(s) " << jpeg->subsampling
            << ", restart interval " << jpeg->restartInterval << ", estimated quality "
            << jpeg->estimatedQuality << (jpeg->standardTables ? " (standard IJG tables)" : "")
            << '\n';
        for (const QuantizationTable &table : jpeg->tables) {
            out << "    table " << table.id << " (" << table.precision << "-bit):";
            for (int i = 0; i < 64; ++i)
                out << (i % 8 == 0 ? "\n      " : " ") << qSetFieldWidth(3)
                    << table.values[size_t(i)] << qSetFieldWidth(0);
            out << '\n';
        }
    }
    if (const std::optional<ThumbnailComparison> &thumb = report.thumbnail)
        out << "\n  EXIF thumbnail " << thumb->width << "x" << thumb->height << ", correlation "
            << QString::number(thumb->correlation, 'f', 2)
            << (thumb->mismatch ? QStringLiteral(", MISMATCH: ") + thumb->reason : QString())
            << '\n';
    if (const std::optional<PngChunkScan> &png = report.png) {
        out << "\n  PNG chunks  " << displayText(png->chunkTypes.join(QLatin1Char(' '))) << '\n';
        for (const PngTextChunk &text : png->texts)
            out << "    " << text.chunkType << " \"" << displayText(text.keyword) << "\": "
                << (text.text.size() > 300 ? displayText(text.text.left(300).simplified())
                               + QStringLiteral(" … (--json has all)")
                                           : displayText(text.text.simplified()))
                << '\n';
    }
    out << "\n  Properties (" << report.embedded.properties.size() << ")\n";
    for (const MetadataProperty &property : report.embedded.properties)
        out << "    " << displayText(property.key) << " [" << property.type
            << "] = " << displayText(property.value) << '\n';
    out << '\n';
}

} // namespace

int runMetadata(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("metadata"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("images"), QStringLiteral("Image files."), QStringLiteral("IMAGE…"));
    const QCommandLineOption json(
        QStringLiteral("json"), QStringLiteral("Print one JSON document."));
    parser.addOption(json);
    if (!parser.parse(arguments)) {
        err << "forgelens-cli metadata: " << parser.errorText() << '\n';
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return kAllAnalysed;
    }
    const QStringList images = parser.positionalArguments().mid(1);
    if (images.isEmpty()) {
        err << "forgelens-cli metadata: give at least one IMAGE (see --help)\n";
        return kUsageError;
    }

    int failures = 0;
    QJsonArray results;
    // The metadata parsers read hostile bytes: in the sandbox's worker, like every decoder.
    DecodeLimits limits;
    limits.maxFileBytes = kMaxFileBytes;
    DecoderPool sandbox(SandboxConfig{}, limits);
    EvidenceReadRequest request;
    request.limits = limits;
    request.keepMetadataReport = true;
    request.decode = false;
    for (const QString &path : images) {
        EvidenceReading reading = sandbox.read(path, QFile::encodeName(path), request);
        if (!reading.metadata) {
            const Error error = reading.error.value_or(Error{
                ErrorCode::InternalError, QStringLiteral("the metadata could not be read") });
            ++failures;
            err << "forgelens-cli: " << path << ": error [" << error.codeName()
                << "]: " << error.message << '\n';
            results.append(QJsonObject{ { QStringLiteral("path"), path },
                { QStringLiteral("status"), error.codeName() },
                { QStringLiteral("error"), error.message } });
            continue;
        }
        const MetadataReport &report = *reading.metadata;
        if (!report.errors.empty())
            ++failures;
        if (parser.isSet(json)) {
            QJsonObject entry = metadataReportToJson(report);
            entry.insert(QStringLiteral("path"), path);
            entry.insert(QStringLiteral("size"), reading.fileSize);
            entry.insert(QStringLiteral("sha256"), reading.digest.sha256);
            entry.insert(QStringLiteral("md5"), reading.digest.md5);
            entry.insert(QStringLiteral("status"),
                report.errors.empty() ? QStringLiteral("ok") : QStringLiteral("partial"));
            results.append(entry);
        } else {
            printText(out, path, reading, report);
        }
        out.flush();
    }
    if (parser.isSet(json))
        out << terminalSafeJson(
            QJsonDocument(QJsonObject{ { QStringLiteral("tool"), QStringLiteral("forgelens-cli") },
                { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
                { QStringLiteral("generated_utc"),
                    QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
                { QStringLiteral("results"), results } }));
    return failures == 0 ? kAllAnalysed : kSomeFailed;
}

} // namespace forgelens::cli
