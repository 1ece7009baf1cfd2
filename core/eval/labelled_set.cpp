#include "forgelens/eval/labelled_set.h"

#include "forgelens/exemplars/bank_build.h"

#include <QCryptographicHash>

#include <algorithm>

namespace forgelens {

ClassFolderMap ClassFolderMap::builtIn()
{
    ClassFolderMap map;
    map.synthetic.insert(QStringLiteral("real"), false);
    map.synthetic.insert(QStringLiteral("0_real"), false);
    map.synthetic.insert(QStringLiteral("synthetic"), true);
    map.synthetic.insert(QStringLiteral("fake"), true);
    map.synthetic.insert(QStringLiteral("1_fake"), true);
    return map;
}

Result<ClassFolderMap> ClassFolderMap::withOverrides(const QStringList &entries)
{
    ClassFolderMap map = builtIn();
    for (const QString &entry : entries) {
        const qsizetype equals = entry.lastIndexOf(QLatin1Char('='));
        const QString name = entry.left(equals).trimmed().toLower();
        const QString value = entry.mid(equals + 1).trimmed().toLower();
        if (equals <= 0 || name.isEmpty() || name.contains(QLatin1Char('/')))
            return Error{
                ErrorCode::BadSettings,
                QStringLiteral("\"%1\" is not FOLDER=real or FOLDER=synthetic").arg(entry.left(200))
            };
        if (value == QStringLiteral("real"))
            map.synthetic.insert(name, false);
        else if (value == QStringLiteral("synthetic") || value == QStringLiteral("fake"))
            map.synthetic.insert(name, true);
        else
            return Error{ ErrorCode::BadSettings,
                QStringLiteral("\"%1\": a folder's class is \"real\" or \"synthetic\"")
                    .arg(entry.left(200)) };
    }
    return map;
}

const LabelledFile *LabelledSet::find(const QString &path) const
{
    const auto it = byPath.constFind(path);
    return it == byPath.constEnd() ? nullptr : &files[size_t(*it)];
}

qint64 LabelledSet::count(bool synthetic) const
{
    return std::count_if(files.begin(), files.end(),
        [synthetic](const LabelledFile &file) { return file.synthetic == synthetic; });
}

QString LabelledSet::fileListSha256() const
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const LabelledFile &file : files) {
        hash.addData(file.path.toUtf8());
        hash.addData(file.synthetic ? QByteArrayView("\tsynthetic\t") : QByteArrayView("\treal\t"));
        hash.addData(file.generator.toUtf8());
        hash.addData(QByteArrayView("\t"));
        hash.addData(file.group.toUtf8());
        hash.addData(QByteArrayView("\n"));
    }
    return QString::fromLatin1(hash.result().toHex());
}

QStringList LabelledSet::paths() const
{
    QStringList list;
    list.reserve(qsizetype(files.size()));
    for (const LabelledFile &file : files)
        list.append(file.path);
    return list;
}

void LabelledSet::index()
{
    // The order a scan walks in (UTF-16 code units), so the per-file CSV lines up with reports.
    std::sort(files.begin(), files.end(),
        [](const LabelledFile &a, const LabelledFile &b) { return a.path < b.path; });
    byPath.clear();
    byPath.reserve(qsizetype(files.size()));
    for (size_t i = 0; i < files.size(); ++i)
        byPath.insert(files[i].path, qsizetype(i));
}

LabelledSet labelsFromFolders(const QStringList &relativePaths, const ClassFolderMap &map)
{
    LabelledSet set;
    set.origin = LabelledSet::Origin::Folders;
    for (const QString &path : relativePaths) {
        QStringList folders = path.split(QLatin1Char('/'));
        folders.removeLast(); // the file's own name
        if (folders.isEmpty() || folders.front().isEmpty()) {
            ++set.unlabelled;
            continue;
        }
        LabelledFile file;
        file.path = path;
        bool named = false;
        for (qsizetype i = folders.size() - 1; i >= 0 && !named; --i) {
            const auto it = map.synthetic.constFind(folders.at(i).toLower());
            if (it == map.synthetic.constEnd())
                continue;
            named = true;
            file.synthetic = *it;
            if (i > 0)
                file.generator = folders.at(i - 1);
        }
        if (!named) {
            file.synthetic = true;
            file.generator = folders.front();
        }
        set.files.push_back(std::move(file));
    }
    set.index();
    return set;
}

Result<LabelledSet> readLabelsCsv(const QString &csvPath)
{
    Result<QHash<QString, ExemplarLabel>> labels = readExemplarLabels(csvPath);
    if (!labels)
        return labels.error();
    LabelledSet set;
    set.origin = LabelledSet::Origin::LabelsCsv;
    set.originPath = csvPath;
    set.files.reserve(size_t(labels->size()));
    for (auto it = labels->constBegin(); it != labels->constEnd(); ++it) {
        set.files.push_back(LabelledFile{ it.key(), it->label == QStringLiteral("synthetic"),
            it->generator, it->group, it->source });
    }
    set.index();
    return set;
}

} // namespace forgelens
