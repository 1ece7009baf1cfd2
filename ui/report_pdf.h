#pragma once

#include "forgelens/result.h"

#include <QImage>
#include <QJsonObject>
#include <QPageSize>
#include <QString>

#include <map>
#include <optional>

namespace forgelens {

// The pixels a report shows, which the report JSON does not carry: each evidence file as its
// analysis saw it (upright), and small pictures of a scan's flagged rows, keyed by SHA-256.
// The caller reads them from the evidence (through the sandbox) and leaves out any file whose
// bytes no longer match: a report never shows other bytes as the evidence.
struct ReportPictures {
    std::map<QString, QImage> evidence;
    std::map<QString, QImage> thumbnails;
};

struct ReportPdfOptions {
    QPageSize::PageSizeId pageSize = QPageSize::A4; // or QPageSize::Letter
    int resolution = 300; // dots per inch of the page's coordinate system
    int maxImageSide = 1600; // pixels of an embedded picture's longer side
};

// Draws the forensic report (case/case_report.h, format forgelens-report v1) as a PDF/A-1b
// file: QPdfWriter with PdfVersion_A1b, fonts embedded, every picture opaque (maps and scored
// regions pre-composited: PDF/A-1 forbids transparency). Each page carries the case header and
// "Page N of M"; the first and last pages carry the case log's chain head. Every text that came
// from evidence, a manifest or the case goes through displayText(). Written to a temporary file
// beside `pdfPath` and renamed into place. Error code report-write-failed.
std::optional<Error> writeReportPdf(const QJsonObject &report, const ReportPictures &pictures,
    const QString &pdfPath, const ReportPdfOptions &options = {});

// "A4" or "Letter" (case-insensitive) to the page size; nullopt for anything else.
std::optional<QPageSize::PageSizeId> reportPageSize(const QString &name);

} // namespace forgelens
