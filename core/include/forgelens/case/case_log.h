#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <vector>

namespace forgelens {

// One entry of a case's action log: what was done to the case and when. The log is append-only
// and chained: each entry's hash covers its own fields and the hash of the entry before it, so
// an entry edited or deleted afterwards breaks every hash from there on.
struct CaseLogEntry {
    qint64 seq = 0; // 1, 2, 3, ... without gaps
    QDateTime utc;
    QString actor; // the operating-system account that acted
    QString action; // "case-created", "evidence-added", "analysed", "note-added", "exported", ...
    QString detail; // compact JSON: what the action concerned (ids, hashes, paths)
    QString previousHash; // 64 hex; the chain's anchor for the first entry
    QString hash; // 64 hex
};

// The hash before the first entry: SHA-256 of "forgelens-case-log-v1:" and the case's unique id,
// so that the log of one case cannot be passed off as another's.
QString caseLogAnchor(const QString &caseUid);

// SHA-256, lowercase hex, over "forgelens-case-log-v1", the previous hash, the sequence number,
// the time (ISO 8601 UTC with milliseconds), the actor, the action and the detail, each field
// preceded by its length in UTF-8 bytes and a colon (so no two different entries hash alike by
// moving text from one field into the next).
QString caseLogEntryHash(const CaseLogEntry &entry);

// What a check of the chain found.
struct CaseChainStatus {
    bool intact = true;
    qint64 entries = 0;
    QString head; // the last entry's hash as stored (the anchor when there is none)
    QStringList problems; // one sentence each, the first break first
    // "intact: 12 entries, head 3f2a…" or "BROKEN: …" in one line.
    QString summary() const;
};

// Checks `entries` (in stored order) against `anchor`, and the last entry against `recordedHead`
// and `recordedCount` (what the case recorded beside the log when it last wrote it; empty and
// -1 skip the check): sequence numbers without gaps, each previous hash the hash before it, each
// hash recomputed from the fields.
CaseChainStatus verifyCaseLog(const std::vector<CaseLogEntry> &entries, const QString &anchor,
    const QString &recordedHead = {}, qint64 recordedCount = -1);

} // namespace forgelens
