#pragma once

#include "forgelens/case/case_report.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/result.h"
#include "ui/report_pdf.h"

#include <QJsonObject>
#include <QString>

#include <atomic>
#include <memory>

namespace forgelens {

class CaseFile;
class DecoderPool;

struct ReportExportRequest {
    QString pdfPath; // empty: no PDF
    QString jsonPath; // empty: no JSON
    CaseReportOptions caseOptions;
    ReportPdfOptions pdf;
    int maxThumbnails = 24; // pictures of a scan's flagged rows, per detector
    // The case exists only for this report (an ad-hoc report of images): the report says that
    // no case file was kept.
    bool temporaryCase = false;
};

struct ReportExportOutcome {
    QJsonObject report; // what the PDF and the JSON show
    QString chainHead; // the case log's head the report carries
    QString pdfSha256;
    qint64 pdfBytes = 0;
    QString jsonSha256;
    int picturesShown = 0;
    int picturesWithheld = 0; // evidence whose bytes no longer match its intake
};

// The one way a case becomes a report, for the window and `forgelens-cli report`: builds the
// report (buildCaseReport), reads each evidence file's pixels through `sandbox` (and the scan
// rows' thumbnails), shows only pixels whose SHA-256 is the one recorded at intake, writes the
// PDF and the JSON atomically, then appends an "exported" entry to the case's log with both
// files' SHA-256 and the chain head the report carries (none to a case whose log is broken: it
// is never written). Outputs are refused where they would land in an evidence item's folder or
// a scanned folder, or on the case itself. Error codes: bad-settings, report-write-failed,
// cancelled.
Result<ReportExportOutcome> exportCaseReport(CaseFile &caseFile, const ReportExportRequest &request,
    const std::shared_ptr<DecoderPool> &sandbox, const DecodeLimits &limits,
    const std::atomic_bool *cancel = nullptr);

} // namespace forgelens
