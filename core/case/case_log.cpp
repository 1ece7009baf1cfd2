#include "forgelens/case/case_log.h"

#include <QCryptographicHash>

namespace forgelens {
namespace {

void addField(QCryptographicHash &hash, const QString &field)
{
    const QByteArray utf8 = field.toUtf8();
    hash.addData(QByteArray::number(utf8.size()));
    hash.addData(QByteArrayView(":"));
    hash.addData(utf8);
}

} // namespace

QString caseLogAnchor(const QString &caseUid)
{
    return QString::fromLatin1(QCryptographicHash::hash(
        QByteArray("forgelens-case-log-v1:") + caseUid.toUtf8(), QCryptographicHash::Sha256)
                                   .toHex());
}

QString caseLogEntryHash(const CaseLogEntry &entry)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    addField(hash, QStringLiteral("forgelens-case-log-v1"));
    addField(hash, entry.previousHash);
    addField(hash, QString::number(entry.seq));
    addField(hash, entry.utc.toUTC().toString(Qt::ISODateWithMs));
    addField(hash, entry.actor);
    addField(hash, entry.action);
    addField(hash, entry.detail);
    return QString::fromLatin1(hash.result().toHex());
}

QString CaseChainStatus::summary() const
{
    const QString shortHead = head.left(16);
    if (intact)
        return QStringLiteral("intact: %1 entries, head %2").arg(entries).arg(head);
    return QStringLiteral("BROKEN: %1 (%2 entries read, stored head %3…)")
        .arg(problems.value(0), QString::number(entries), shortHead);
}

CaseChainStatus verifyCaseLog(const std::vector<CaseLogEntry> &entries, const QString &anchor,
    const QString &recordedHead, qint64 recordedCount)
{
    CaseChainStatus status;
    status.entries = qint64(entries.size());
    status.head = entries.empty() ? anchor : entries.back().hash;
    QString expectedPrevious = anchor;
    qint64 expectedSeq = 1;
    for (const CaseLogEntry &entry : entries) {
        if (entry.seq != expectedSeq)
            status.problems << QStringLiteral("entry %1 follows entry %2: %3 missing")
                                   .arg(entry.seq)
                                   .arg(expectedSeq - 1)
                                   .arg(entry.seq > expectedSeq
                                           ? QStringLiteral("entries were deleted or are")
                                           : QStringLiteral("the order is wrong, an entry is"));
        if (entry.previousHash != expectedPrevious)
            status.problems << QStringLiteral("entry %1 (%2) does not follow the entry before "
                                              "it: the log was edited or entries were deleted")
                                   .arg(entry.seq)
                                   .arg(entry.action);
        if (caseLogEntryHash(entry) != entry.hash)
            status.problems << QStringLiteral(
                "entry %1 (%2) no longer matches its hash: it was edited after it was written")
                                   .arg(entry.seq)
                                   .arg(entry.action);
        expectedPrevious = entry.hash;
        expectedSeq = entry.seq + 1;
    }
    if (recordedCount >= 0 && recordedCount != status.entries)
        status.problems << QStringLiteral("the case recorded %1 log entries, but %2 are there: "
                                          "entries were deleted or added outside ForgeLens")
                               .arg(recordedCount)
                               .arg(status.entries);
    else if (!recordedHead.isEmpty() && recordedHead != status.head)
        status.problems << QStringLiteral(
            "the last entry is not the one the case recorded as the log's head");
    status.intact = status.problems.isEmpty();
    return status;
}

} // namespace forgelens
