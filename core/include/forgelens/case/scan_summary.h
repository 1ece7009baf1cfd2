#pragma once

#include "forgelens/case/case_file.h"
#include "forgelens/result.h"
#include "forgelens/scan/scan_report.h"

#include <QJsonObject>

namespace forgelens {

// A scan report summed up for a case and its report: the CSV it came from (path, size,
// SHA-256), the scanned folder, rows by status, and per detector the rows by label, a histogram
// of P(synthetic) in 20 bins of 0.05, and the flagged rows (label ending in "synthetic"), highest
// P first, at most `maxFlagged` of them listed (path, SHA-256, P, label), with the count of all.
//   {csv: {path, size, sha256}, root, complete, rows, status: {code: n},
//    detectors: [{id, threshold, labels: {label: n}, histogram: [20 counts], flagged_count,
//                 flagged: [{path, sha256, p_synthetic, label}]}]}
QJsonObject scanSummaryJson(
    const ScanReport &report, const QString &csvSha256, int maxFlagged = 500);

// A scan as a case keeps it: kind "scan", its summary as results, and as environment what the
// report's sidecar says of the run (tool version, detectors with their bundle and manifest
// hashes and thresholds, settings, UTC start and end). Error codes: those of readScanReport.
Result<CaseRun> scanCaseRun(const QString &csvPath, int maxFlagged = 500);

} // namespace forgelens
