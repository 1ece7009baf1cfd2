#pragma once

#include "forgelens/case/case_file.h"
#include "forgelens/case/report_item.h"
#include "forgelens/result.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>

namespace forgelens {

// The case open in the analyst's session, without widgets. Every case operation (opening,
// writing, checking evidence, exporting) runs in order on one thread of its own, so the UI
// thread never waits on the case's disk; results come back by queued signals. What the window
// shows (header, chain status, evidence states) is kept here as of the latest signal.
class CaseSession : public QObject {
    Q_OBJECT
public:
    explicit CaseSession(QObject *parent = nullptr);
    // Waits for the operations in flight.
    ~CaseSession() override;

    void createCase(const QString &path, const CaseHeader &header);
    void openCase(const QString &path);
    void saveCaseAs(const QString &path);
    void closeCase();

    bool isOpen() const { return !m_path.isEmpty(); }
    QString path() const { return m_path; }
    CaseHeader header() const { return m_header; }
    CaseChainStatus chainStatus() const { return m_chain; }
    // The latest check of the evidence item taken in from `path`; none when it is not evidence of
    // the case or has not been checked yet.
    std::optional<EvidenceCheck> evidenceState(const QString &path) const;

    // Records an analysis: the file is taken in (or found) and the run added. A file whose bytes
    // differ from an earlier intake of the same path is reported in evidenceChecked as changed.
    void recordAnalysis(const ReportItemInput &item, const QJsonObject &environment,
        const QDateTime &startedUtc, const QDateTime &finishedUtc);
    void recordRun(const CaseRun &run);
    // A finished scan's report, summed up into a run (scan_summary.h).
    void recordScanReport(const QString &reportCsv);
    void setMark(const CaseMark &mark);
    // The examiner's note, on the case as a whole (empty sha256) or on one evidence item.
    void addNote(const QString &text, const QString &evidenceSha256 = {});
    // The triage file of a scan report into the case, then the case's marks in marksLoaded.
    void importTriage(const QString &reportCsv);

    // Runs `work` on the case's thread, after what is queued, with the open case (never null);
    // `done` gets its result on this object's thread. Nothing runs when no case is open.
    void withCase(std::function<Result<QString>(CaseFile &)> work,
        std::function<void(const Result<QString> &)> done);

Q_SIGNALS:
    void caseOpened(const QString &path, const QStringList &evidencePaths);
    void caseClosed();
    // A change was written (or refused: see caseFailed); the chain as it stands.
    void caseChanged();
    void caseFailed(const QString &what, const forgelens::Error &error);
    void evidenceChecked(const QString &path, const forgelens::EvidenceCheck &check);
    void marksLoaded(const QString &reportCsv, const QVector<forgelens::CaseMark> &marks);

private:
    void post(std::function<void(CaseFile *)> work);
    void adopt(std::shared_ptr<CaseFile> caseFile, bool checkEvidence);
    void publish(const std::shared_ptr<CaseFile> &caseFile);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
    // As of the latest signal, on this object's thread.
    QString m_path;
    CaseHeader m_header;
    CaseChainStatus m_chain;
    std::map<QString, EvidenceCheck> m_states;
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::EvidenceCheck)
Q_DECLARE_METATYPE(forgelens::CaseMark)
