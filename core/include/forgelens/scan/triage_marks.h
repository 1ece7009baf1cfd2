#pragma once

#include "forgelens/result.h"

#include <QDateTime>
#include <QString>

#include <map>
#include <optional>

namespace forgelens {

// The analyst's triage of a scan's rows. Stable names, written to the triage file.
enum class TriageMark {
    None,
    Reviewed, // "reviewed": looked at, nothing decided
    Suspicious, // "suspicious": needs a closer look or a second opinion
    Cleared, // "cleared": judged not to be of concern
};
QString triageMarkName(TriageMark mark); // "" for None
std::optional<TriageMark> triageMarkFromName(const QString &name);

struct TriageEntry {
    TriageMark mark = TriageMark::None;
    QString note; // the analyst's words, at most kMaxNoteChars
    QString sha256; // the file's, from the report row it was made on
    QDateTime changedUtc;

    static constexpr qsizetype kMaxNoteChars = 20000;
};

// Marks and notes saved with a scan (ISSUE-NOTES: a sidecar beside the report until cases
// exist): REPORT.triage.json, written through a temporary file and a rename after every change,
// so a crash leaves the previous or the new version, never half of one. Keyed by the row's path;
// the SHA-256 is kept with each entry so a mark can be shown as made on other bytes when a
// report of the same path is different. A triage file is read as hostile input: at most 64 MiB,
// every entry checked.
class TriageMarks {
public:
    static QString pathFor(const QString &reportCsv)
    {
        return reportCsv + QStringLiteral(".triage.json");
    }

    // No file yet: an empty set. Errors: unreadable, too-large, bad-settings (not a triage
    // file, with the reason).
    static Result<TriageMarks> load(const QString &reportCsv);
    // Error output-write-failed.
    std::optional<Error> save(const QString &reportCsv) const;

    const TriageEntry *find(const QString &path) const;
    // An entry with no mark and no note is removed.
    void set(const QString &path, const TriageEntry &entry);
    const std::map<QString, TriageEntry> &entries() const { return m_entries; }

private:
    std::map<QString, TriageEntry> m_entries;
};

} // namespace forgelens
