#pragma once

#include "forgelens/result.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <vector>

namespace forgelens {

// One file of an evaluation set and what it truly is.
struct LabelledFile {
    QString path; // relative to the set's folder, '/'-separated: a scan report's key
    bool synthetic = false;
    QString generator; // empty when unknown (and for most real files)
    QString group; // the labels CSV's `group` cell (camera, source, …); empty when none
    QString source;
};

// Which folder names say "real" and which "synthetic", for a set laid out as one folder per
// class. Built in: real, 0_real (CNNDetection's layout) are real; synthetic, fake, 1_fake are
// synthetic. `--class NAME=real|synthetic` adds or overrides a name (any case).
struct ClassFolderMap {
    QHash<QString, bool> synthetic; // lower-case folder name -> synthetic?

    static ClassFolderMap builtIn();
    // Each entry "NAME=real" or "NAME=synthetic" ("fake" too). Error code: bad-settings.
    static Result<ClassFolderMap> withOverrides(const QStringList &entries);
};

// The labelled files of an evaluation, sorted by path.
struct LabelledSet {
    enum class Origin { Folders, LabelsCsv };
    Origin origin = Origin::Folders;
    QString originPath; // the labels CSV; empty for folders
    std::vector<LabelledFile> files;
    qint64 unlabelled = 0; // files the folders or the CSV gave no label (left out)

    const LabelledFile *find(const QString &path) const;
    qint64 count(bool synthetic) const;
    // SHA-256 over one line per file, in path order: "path\tlabel\tgenerator\tgroup\n" (label
    // "real" or "synthetic"), UTF-8. Two evaluations on the same labelled files share it, however
    // the labels were given (folders or a CSV).
    QString fileListSha256() const;
    QStringList paths() const;

    void index(); // sorts the files and builds find()'s index; the readers below call it
    QHash<QString, qsizetype> byPath;
};

// Labels from the folders of each relative path (the walk of a folder, or a scan report's
// rows). The deepest folder `map` names decides; a synthetic one's parent folder, if any, names
// its generator, and a real one under a generator folder (sd14/0_real/a.png) carries that name
// too, so per-generator figures pair it with that generator's synthetic images. Without such a
// folder, the top folder is a generator (sdxl/a.png: synthetic, sdxl). Files at the top of the
// folder have no label.
LabelledSet labelsFromFolders(const QStringList &relativePaths, const ClassFolderMap &map);

// Labels from a CSV with a header naming `path` and `label` columns (label real, synthetic or
// fake) and optionally `generator`, `group` and `source`; `path` relative to the folder,
// '/'-separated. Hostile input: at most 64 MiB, every cell checked. Error codes: not-found,
// unreadable, bad-csv.
Result<LabelledSet> readLabelsCsv(const QString &csvPath);

} // namespace forgelens
