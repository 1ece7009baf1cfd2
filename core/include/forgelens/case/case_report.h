#pragma once

#include "forgelens/case/case_file.h"

#include <QJsonObject>

#include <atomic>
#include <vector>

namespace forgelens {

struct CaseReportOptions {
    std::vector<qint64> evidenceIds; // the items reported on; empty: every item of the case
    bool checkEvidence = true; // hash each evidence file again and say whether it still matches
    QString pageSize = QStringLiteral("A4"); // recorded in the report; "A4" or "Letter"
};

// The forensic report of a case (README, "Reports"), as one JSON document: format
// "forgelens-report", version 1. Every renderer draws from it (the PDF writer in ui/, the JSON
// export as it is), so the PDF and the JSON say the same. Sections:
//   generated_utc, time_zone, tool {name, version, build, os}
//   case {number, title, examiner, organisation, time_zone, uid, created_utc, path}
//   chain {intact, entries, head, problems[]}: the case log's chain as checked when the report
//     was made; `head` is the hash every export carries
//   limitations[]: report/report_limitations.h
//   evidence[]: {id, path, size, sha256, sha1, md5, intake_utc, write_protected,
//     stable_during_intake, check {state, current_sha256, checked_utc, message},
//     analysis {run, started_utc, item (case/report_item.h)} or null, mark, notes[]}
//   scans[]: {run, started_utc, summary (case/scan_summary.h)}
//   evaluations[]: {run, dataset {...}, caveat, detectors [{id, name, bundle_sha256, overall}]}
//   runs[]: {id, kind, started_utc, finished_utc, environment}
//   notes[]: the case's own notes; log[]: every entry {seq, utc, actor, action, detail, hash}
//   commands[]: shell commands that reproduce every figure (paths single-quoted)
//   pdfa: the PDF/A statement
// Text from evidence, manifests and the case is carried as it is; every renderer escapes it.
QJsonObject buildCaseReport(const CaseFile &caseFile, const CaseReportOptions &options = {},
    const std::atomic_bool *cancel = nullptr);

// `text` quoted for a POSIX shell: in single quotes, each ' written as '\''.
QString shellQuoted(const QString &text);

} // namespace forgelens
