#pragma once

#include "forgelens/result.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace forgelens {

struct ScanWalkOptions {
    // Follow symbolic links to files and directories. A directory reached twice (a link loop, or
    // two links to one place) is walked once; the later paths are reported, not scanned.
    bool followSymlinks = false;
    // Take every regular file, not only those that look like images (their rows then say
    // not-an-image).
    bool allFiles = false;
};

struct ScanFile {
    // '/'-separated, relative to the root: the CSV's key. A name that is not valid UTF-8 is
    // written with every byte outside printable ASCII, and '%', as %XX (README, "The CSV").
    QString relativePath;
    QString absolutePath; // for people; lossy for such names
    QByteArray nativePath; // the file system's bytes: what is opened
};

struct ScanFileList {
    // Sorted by relativePath (UTF-16 code units), so every run, shard and merge agrees.
    std::vector<ScanFile> files;
    qint64 skippedNotImages = 0; // files that neither sniff nor are named as an image
    qint64 skippedSymlinks = 0; // links left alone (followSymlinks off) or leading nowhere
    // Directories that could not be listed (permissions, a path over PATH_MAX), entries that
    // could not be examined, loops and duplicate directories: each one a sentence naming the
    // path, for stderr and the sidecar. Their files have no rows, and the scan's exit code says
    // so.
    QStringList problems;
};

// Walks `root` recursively. A file is taken when its first bytes are those of a format ForgeLens
// decodes, or when its extension names an image (so a renamed or damaged image still gets a row
// saying what is wrong); a file that cannot be opened to sniff is taken too, so its row says
// so. Everything else (documents, databases, sidecars) is counted and skipped. Hidden files
// are included: evidence hides in them.
// Error code: root-unreadable (missing, not a directory, cannot be listed).
Result<ScanFileList> listScanFiles(const QString &root, const ScanWalkOptions &options);

// True when the name ends in an extension that image files use (case-insensitive).
bool hasImageExtension(const QString &fileName);

} // namespace forgelens
