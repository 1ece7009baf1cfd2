#include "forgelens/case/evidence_intake.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

namespace forgelens {

Result<EvidenceIntake> intakeEvidence(const QString &path, const std::atomic_bool *cancel)
{
    const QFileInfo before(path);
    if (!before.exists())
        return Error{ ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(path) };
    if (!before.isFile())
        return Error{ ErrorCode::NotAFile, QStringLiteral("%1 is not a regular file").arg(path) };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("%1 cannot be read: %2").arg(path, file.errorString()) };
    EvidenceIntake intake;
    intake.path = before.absoluteFilePath();
    intake.intakeUtc = QDateTime::currentDateTimeUtc();
    const QDateTime modifiedBefore = before.lastModified();
    QCryptographicHash sha256(QCryptographicHash::Sha256);
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    QCryptographicHash md5(QCryptographicHash::Md5);
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        if (cancel && cancel->load())
            return Error{ ErrorCode::Cancelled, QStringLiteral("the intake was cancelled") };
        const qint64 got = file.read(buffer.data(), buffer.size());
        if (got < 0)
            return Error{ ErrorCode::Unreadable,
                QStringLiteral("%1 cannot be read: %2").arg(path, file.errorString()) };
        if (got == 0)
            break;
        const QByteArrayView piece(buffer.constData(), got);
        sha256.addData(piece);
        sha1.addData(piece);
        md5.addData(piece);
        total += got;
    }
    intake.size = total;
    intake.sha256 = QString::fromLatin1(sha256.result().toHex());
    intake.sha1 = QString::fromLatin1(sha1.result().toHex());
    intake.md5 = QString::fromLatin1(md5.result().toHex());
    const QFileInfo after(path);
    intake.stableDuringIntake
        = after.size() == total && before.size() == total && after.lastModified() == modifiedBefore;
    intake.writeProtected = !after.isWritable();
    return intake;
}

QString evidenceStateName(EvidenceState state)
{
    switch (state) {
    case EvidenceState::Unchanged: return QStringLiteral("unchanged");
    case EvidenceState::Changed: return QStringLiteral("changed");
    case EvidenceState::Missing: return QStringLiteral("missing");
    case EvidenceState::Unreadable: return QStringLiteral("unreadable");
    }
    return QStringLiteral("unreadable");
}

EvidenceCheck compareEvidence(const EvidenceIntake &intake, const QString &sha256, qint64 size)
{
    EvidenceCheck check;
    check.checkedUtc = QDateTime::currentDateTimeUtc();
    check.currentSha256 = sha256;
    if (sha256 == intake.sha256 && size == intake.size)
        return check;
    check.state = EvidenceState::Changed;
    check.message = QStringLiteral("The file at %1 no longer matches the evidence taken in on %2: "
                                   "SHA-256 %3 (%4 bytes) now, %5 (%6 bytes) at intake. Results "
                                   "about its present bytes are not results about the evidence.")
                        .arg(intake.path, intake.intakeUtc.toString(Qt::ISODate), sha256)
                        .arg(size)
                        .arg(intake.sha256)
                        .arg(intake.size);
    return check;
}

EvidenceCheck checkEvidence(const EvidenceIntake &intake, const std::atomic_bool *cancel)
{
    Result<EvidenceIntake> now = intakeEvidence(intake.path, cancel);
    if (now)
        return compareEvidence(intake, now->sha256, now->size);
    EvidenceCheck check;
    check.checkedUtc = QDateTime::currentDateTimeUtc();
    check.state = now.error().code == ErrorCode::NotFound ? EvidenceState::Missing
                                                          : EvidenceState::Unreadable;
    check.message = check.state == EvidenceState::Missing
        ? QStringLiteral("The evidence file is no longer at %1, where it was taken in on %2; it "
                         "cannot be checked against its SHA-256 %3.")
              .arg(intake.path, intake.intakeUtc.toString(Qt::ISODate), intake.sha256)
        : QStringLiteral("The evidence file at %1 cannot be read to check it against its "
                         "SHA-256 %2: %3")
              .arg(intake.path, intake.sha256, now.error().message);
    return check;
}

} // namespace forgelens
