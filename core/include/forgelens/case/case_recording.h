#pragma once

#include "forgelens/case/case_file.h"
#include "forgelens/case/report_item.h"

#include <QJsonObject>

#include <atomic>
#include <vector>

namespace forgelens {

// What was recorded: the run's id and each file's evidence item (in the order of the items),
// with the items that could not be taken in (their message in `problems`).
struct RecordedRun {
    qint64 runId = 0;
    std::vector<CaseEvidence> evidence;
    QStringList problems;
};

// Records an analysis in the case: each analysed file is taken in as evidence (read again for
// its three hashes; a file whose SHA-256 now differs from the one its analysis read is not taken
// in, and says so: evidence-changed), then one run of kind "analysis" with `environment`
// (runEnvironment()) and one report item per file taken in. Files that could not be read at all
// (no SHA-256) are left out of the run. Error codes: case-write-failed, bad-settings.
Result<RecordedRun> recordAnalysis(CaseFile &caseFile, const std::vector<ReportItemInput> &items,
    const QJsonObject &environment, const QDateTime &startedUtc, const QDateTime &finishedUtc,
    const std::atomic_bool *cancel = nullptr);

} // namespace forgelens
