#pragma once

#include "forgelens/case/case_log.h"
#include "forgelens/case/evidence_intake.h"
#include "forgelens/result.h"
#include "forgelens/scan/triage_marks.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace forgelens {

// Who a case is for and by whom, as every page of its report says.
struct CaseHeader {
    QString number; // the organisation's case or reference number
    QString title;
    QString examiner;
    QString organisation;
    QString timeZone = QStringLiteral("UTC"); // IANA name; times are kept in UTC and shown beside
    // What is wrong, for a person, or empty. Each field is one line of at most 500 characters
    // without control characters; the time zone must be one the system knows.
    QString validate() const;
};

struct CaseEvidence {
    qint64 id = 0;
    EvidenceIntake intake;
};

// One run of ForgeLens whose results the case keeps: an analysis of evidence items, a scan, an
// evaluation. `environment` names the tool version, build, operating system, detectors (bundle
// and manifest hashes, thresholds), banks and settings; `results` holds what it found (for an
// analysis, one report item per file: case/report_item.h).
struct CaseRun {
    qint64 id = 0;
    QString kind; // "analysis", "scan", "evaluation"
    QDateTime startedUtc;
    QDateTime finishedUtc;
    QJsonObject environment;
    QJsonObject results;
};

struct CaseNote {
    qint64 id = 0;
    QString evidenceSha256; // empty: a note on the case as a whole
    QString text;
    QString author;
    QDateTime createdUtc;
};

struct CaseMark {
    QString path; // the file the mark was made on, as the report row named it
    QString sha256;
    TriageMark mark = TriageMark::None;
    QString note;
    QDateTime changedUtc;
};

// A case: one SQLite file (`.forgelens`) holding the case header, the evidence items with their
// intake hashes, every run with its environment and results, the analyst's marks and notes,
// and an append-only action log chained by hashes (case_log.h).
//
// Format 1:
//   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
//     format "1", uid, created_utc, tool, number, title, examiner, organisation, time_zone,
//     log_head, log_count
//   evidence(id INTEGER PRIMARY KEY, path, size, sha256, sha1, md5, intake_utc,
//            write_protected, stable_during_intake; UNIQUE(path, sha256))
//   runs(id INTEGER PRIMARY KEY, kind, started_utc, finished_utc, environment, results)
//   notes(id INTEGER PRIMARY KEY, evidence_sha256, text, author, created_utc)
//   marks(path TEXT PRIMARY KEY, sha256, mark, note, changed_utc)
//   log(seq INTEGER PRIMARY KEY, utc, actor, action, detail, previous_hash, hash)
// Every change is one transaction that also appends its log entry, whose detail carries the
// SHA-256 of what it added (a run's results, a note's text, an evidence item's hashes); the
// check at opening recomputes them, so a run, note or evidence row edited with another tool is
// found as well as an edited or deleted log entry. Writes go through SQLite's rollback journal
// with full synchronisation: a crash leaves the case as it was before the change or after it.
//
// A case from elsewhere is hostile input: opened in SQLite's defensive mode with untrusted
// schema, checked with PRAGMA quick_check, every object, column and value checked. A case that
// is damaged or cut short is refused; a case whose log does not verify is opened, so that the
// analyst can see it, and every view and export says the chain is broken, but nothing is
// added to it (every change is refused with case-write-failed): it stays as it was found.
//
// Before the first change of a session, the case as it was opened (checked and intact) is
// copied to PATH.bak through SQLite's backup interface and a rename; a case that fails its
// checks is never copied there, so that copy is always the last good one.
//
// All functions may be called from any thread; they are serialised by a lock.
class CaseFile {
public:
    static constexpr int kFormat = 1;
    static QString backupPathFor(const QString &path) { return path + QStringLiteral(".bak"); }

    // Error codes: output-exists, bad-settings (the header), case-write-failed.
    static Result<std::unique_ptr<CaseFile>> create(const QString &path, const CaseHeader &header);
    // Error codes: not-found, bad-case (with what is wrong and, where there is one, the last
    // good copy).
    static Result<std::unique_ptr<CaseFile>> open(const QString &path);
    ~CaseFile();
    CaseFile(const CaseFile &) = delete;
    CaseFile &operator=(const CaseFile &) = delete;

    QString path() const;
    QString uid() const;
    CaseHeader header() const;
    QDateTime createdUtc() const;
    // The chain as checked at opening and kept up to date by every change since.
    CaseChainStatus chainStatus() const;

    // Takes the file into the case (intakeEvidence). A file already there with the same bytes
    // returns its item unchanged. Error codes: those of the intake, case-write-failed.
    Result<CaseEvidence> addEvidence(const QString &path, const std::atomic_bool *cancel = nullptr);
    // The same for a file already read and hashed elsewhere (no second read).
    Result<CaseEvidence> addEvidence(const EvidenceIntake &intake);
    std::vector<CaseEvidence> evidence() const;
    std::optional<CaseEvidence> evidenceBySha256(const QString &sha256) const;

    // Error code case-write-failed. Returns the run's id.
    Result<qint64> addRun(const CaseRun &run);
    std::vector<CaseRun> runs() const;

    Result<qint64> addNote(const QString &text, const QString &evidenceSha256 = {});
    std::vector<CaseNote> notes() const;

    // A mark with TriageMark::None and no note removes the path's mark.
    std::optional<Error> setMark(const CaseMark &mark);
    std::vector<CaseMark> marks() const;
    // The marks and notes of a scan's triage sidecar (REPORT.triage.json), into the case's
    // marks: the case is their one store from now on. Returns how many were taken.
    Result<int> importTriage(const QString &reportCsv);

    // Appends an entry for something done with the case outside it (an export, a view).
    std::optional<Error> logAction(const QString &action, const QJsonObject &detail);
    std::vector<CaseLogEntry> log() const;

    // A consistent copy of the case at `path` (written beside it under a temporary name, then
    // renamed over), which then becomes this case's file. Error code case-write-failed.
    std::optional<Error> saveAs(const QString &path);

private:
    struct Impl;
    explicit CaseFile(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace forgelens
