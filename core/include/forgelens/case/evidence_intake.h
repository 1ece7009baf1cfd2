#pragma once

#include "forgelens/result.h"

#include <QDateTime>
#include <QString>

#include <atomic>

namespace forgelens {

// An evidence file as it was taken into a case: where it was, its size and hashes (SHA-256 is
// the one ForgeLens identifies it by; MD5 and SHA-1 for tools and forms that still ask for
// them), when, and what the intake saw of its protection.
struct EvidenceIntake {
    QString path; // absolute, as given
    qint64 size = 0;
    QString sha256; // lowercase hex
    QString sha1;
    QString md5;
    QDateTime intakeUtc;
    // The file's permissions deny writing to the account that took it in. ForgeLens opens
    // evidence read-only either way; this says whether anything else could have written it.
    bool writeProtected = false;
    // Size and modification time were the same before and after the bytes were hashed: nothing
    // wrote the file while it was read.
    bool stableDuringIntake = false;
};

// Reads `path` once, read-only, in 1 MiB pieces, into the three hashes. Error codes: not-found,
// not-a-file, unreadable, cancelled. `cancel` is polled between pieces.
Result<EvidenceIntake> intakeEvidence(
    const QString &path, const std::atomic_bool *cancel = nullptr);

// What a later look at the file found against its intake.
enum class EvidenceState {
    Unchanged, // same size and SHA-256
    Changed, // the bytes differ: the file is not the evidence that was taken in
    Missing, // no file at the intake path
    Unreadable,
};
// "unchanged", "changed", "missing", "unreadable"
QString evidenceStateName(EvidenceState state);

struct EvidenceCheck {
    EvidenceState state = EvidenceState::Unchanged;
    QString currentSha256; // empty unless the file could be read
    QDateTime checkedUtc;
    QString message; // one sentence for every view and report; empty when unchanged
};

// Hashes the file at the intake path again and compares.
EvidenceCheck checkEvidence(const EvidenceIntake &intake, const std::atomic_bool *cancel = nullptr);
// The same comparison for bytes already hashed (an analysis read the file and hashed it).
EvidenceCheck compareEvidence(const EvidenceIntake &intake, const QString &sha256, qint64 size);

} // namespace forgelens
