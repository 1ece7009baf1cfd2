#include "forgelens/case/case_recording.h"

#include <QJsonArray>

namespace forgelens {

Result<RecordedRun> recordAnalysis(CaseFile &caseFile, const std::vector<ReportItemInput> &items,
    const QJsonObject &environment, const QDateTime &startedUtc, const QDateTime &finishedUtc,
    const std::atomic_bool *cancel)
{
    RecordedRun recorded;
    QJsonArray results;
    for (const ReportItemInput &item : items) {
        const AnalysisRecord &record = item.record;
        if (record.digest.sha256.isEmpty()) {
            recorded.problems << QStringLiteral("%1 was not read, so it is not taken into the case")
                                     .arg(record.path);
            continue;
        }
        Result<EvidenceIntake> intake = intakeEvidence(record.path, cancel);
        if (!intake) {
            recorded.problems << intake.error().message;
            continue;
        }
        if (intake->sha256 != record.digest.sha256) {
            recorded.problems << Error{ ErrorCode::EvidenceChanged,
                QStringLiteral("%1 changed between its analysis (SHA-256 %2) and its intake "
                               "(SHA-256 %3); it is not taken into the case")
                    .arg(record.path, record.digest.sha256, intake->sha256) }
                                     .message;
            continue;
        }
        Result<CaseEvidence> added = caseFile.addEvidence(*intake);
        if (!added)
            return added.error();
        recorded.evidence.push_back(*added);
        results.append(reportItemToJson(item));
    }
    if (results.isEmpty())
        return recorded;
    CaseRun run;
    run.kind = QStringLiteral("analysis");
    run.startedUtc = startedUtc;
    run.finishedUtc = finishedUtc;
    run.environment = environment;
    run.results = QJsonObject{ { QStringLiteral("items"), results } };
    Result<qint64> id = caseFile.addRun(run);
    if (!id)
        return id.error();
    recorded.runId = *id;
    return recorded;
}

} // namespace forgelens
