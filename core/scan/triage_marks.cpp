#include "forgelens/scan/triage_marks.h"

#include "forgelens/scan/scan_sidecar.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace forgelens {
namespace {

constexpr qint64 kMaxTriageBytes = qint64(64) << 20;
const QString kFormat = QStringLiteral("forgelens-triage");

Error badTriage(const QString &path, const QString &why)
{
    return Error{ ErrorCode::BadSettings,
        QStringLiteral("%1 is not a triage file ForgeLens can read: %2").arg(path, why) };
}

} // namespace

QString triageMarkName(TriageMark mark)
{
    switch (mark) {
    case TriageMark::Reviewed: return QStringLiteral("reviewed");
    case TriageMark::Suspicious: return QStringLiteral("suspicious");
    case TriageMark::Cleared: return QStringLiteral("cleared");
    case TriageMark::None: break;
    }
    return QString();
}

std::optional<TriageMark> triageMarkFromName(const QString &name)
{
    for (const TriageMark mark :
        { TriageMark::None, TriageMark::Reviewed, TriageMark::Suspicious, TriageMark::Cleared }) {
        if (triageMarkName(mark) == name)
            return mark;
    }
    return std::nullopt;
}

Result<TriageMarks> TriageMarks::load(const QString &reportCsv)
{
    const QString path = pathFor(reportCsv);
    TriageMarks marks;
    QFile file(path);
    if (!file.exists())
        return marks;
    if (!file.open(QIODevice::ReadOnly))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("%1 cannot be read: %2").arg(path, file.errorString()) };
    if (file.size() > kMaxTriageBytes)
        return Error{ ErrorCode::TooLarge, QStringLiteral("%1 is larger than 64 MiB").arg(path) };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject())
        return badTriage(path, parseError.errorString());
    const QJsonObject root = document.object();
    if (root.value(QStringLiteral("format")).toString() != kFormat
        || root.value(QStringLiteral("version")).toInt() != 1)
        return badTriage(path, QStringLiteral("not format forgelens-triage version 1"));
    for (const QJsonValue &value : root.value(QStringLiteral("entries")).toArray()) {
        const QJsonObject object = value.toObject();
        const QString rowPath = object.value(QStringLiteral("path")).toString();
        const std::optional<TriageMark> mark
            = triageMarkFromName(object.value(QStringLiteral("mark")).toString());
        TriageEntry entry;
        entry.note = object.value(QStringLiteral("note")).toString();
        entry.sha256 = object.value(QStringLiteral("sha256")).toString();
        entry.changedUtc = QDateTime::fromString(
            object.value(QStringLiteral("changed_utc")).toString(), Qt::ISODate);
        if (rowPath.isEmpty() || !mark || entry.note.size() > TriageEntry::kMaxNoteChars
            || entry.sha256.size() > 64)
            return badTriage(path,
                QStringLiteral("entry %1 lacks a path, has an unknown mark or a note over %2 "
                               "characters")
                    .arg(marks.m_entries.size() + 1)
                    .arg(TriageEntry::kMaxNoteChars));
        entry.mark = *mark;
        marks.set(rowPath, entry);
    }
    return marks;
}

std::optional<Error> TriageMarks::save(const QString &reportCsv) const
{
    QJsonArray entries;
    for (const auto &[path, entry] : m_entries) {
        entries.append(QJsonObject{ { QStringLiteral("path"), path },
            { QStringLiteral("sha256"), entry.sha256 },
            { QStringLiteral("mark"), triageMarkName(entry.mark) },
            { QStringLiteral("note"), entry.note },
            { QStringLiteral("changed_utc"), entry.changedUtc.toUTC().toString(Qt::ISODate) } });
    }
    return writeJsonAtomically(pathFor(reportCsv),
        QJsonObject{ { QStringLiteral("format"), kFormat }, { QStringLiteral("version"), 1 },
            { QStringLiteral("report"), reportCsv.section(u'/', -1) },
            { QStringLiteral("entries"), entries } });
}

const TriageEntry *TriageMarks::find(const QString &path) const
{
    const auto found = m_entries.find(path);
    return found == m_entries.end() ? nullptr : &found->second;
}

void TriageMarks::set(const QString &path, const TriageEntry &entry)
{
    if (entry.mark == TriageMark::None && entry.note.isEmpty())
        m_entries.erase(path);
    else
        m_entries[path] = entry;
}

} // namespace forgelens
