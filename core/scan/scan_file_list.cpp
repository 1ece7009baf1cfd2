#include "forgelens/scan/scan_file_list.h"

#include "forgelens/image/image_header_probe.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStringDecoder>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace forgelens {
namespace {

// A file name as the report writes it: the name itself when it is valid UTF-8; otherwise each
// byte that is not printable ASCII, and '%' itself, as %XX (upper-case hex), so the name is
// still one unambiguous line of text. README states the rule.
QString reportName(const QByteArray &name)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder.decode(name);
    if (!decoder.hasError())
        return text;
    QString escaped;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x21 && byte <= 0x7E && byte != '%')
            escaped += QLatin1Char(c);
        else
            escaped += QStringLiteral("%%1").arg(byte, 2, 16, QLatin1Char('0')).toUpper();
    }
    return escaped;
}

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

class Walker {
public:
    Walker(const ScanWalkOptions &options, ScanFileList &list)
        : m_options(options), m_list(list) { }

    void walk(const QByteArray &directory, const QString &relative)
    {
        char resolved[PATH_MAX];
        const QByteArray canonical
            = ::realpath(directory.constData(), resolved) ? QByteArray(resolved) : directory;
        if (m_visited.contains(canonical)) {
            m_list.problems.append(
                QStringLiteral("%1: already walked as %2 (symbolic-link loop or second link); "
                               "scanned once")
                    .arg(displayName(relative), displayName(m_visited.value(canonical))));
            return;
        }
        m_visited.insert(canonical, relative);

        DIR *dir = ::opendir(directory.constData());
        if (!dir) {
            m_list.problems.append(
                QStringLiteral("%1: directory cannot be read (%2); its files have no rows")
                    .arg(displayName(relative), systemError(errno)));
            return;
        }
        std::vector<QByteArray> names;
        errno = 0;
        while (const dirent *entry = ::readdir(dir)) {
            const QByteArray name(entry->d_name);
            if (name != "." && name != "..")
                names.push_back(name);
        }
        const int listError = errno;
        ::closedir(dir);
        if (listError != 0)
            m_list.problems.append(
                QStringLiteral("%1: listing the directory failed part-way (%2); some of its "
                               "files may have no rows")
                    .arg(displayName(relative), systemError(listError)));
        std::sort(names.begin(), names.end());
        for (const QByteArray &name : names) {
            const QByteArray child = directory + '/' + name;
            const QString childName = reportName(name);
            const QString childRelative
                = relative.isEmpty() ? childName : relative + u'/' + childName;
            struct stat info { };
            if (::lstat(child.constData(), &info) != 0) {
                m_list.problems.append(QStringLiteral("%1: cannot be examined (%2); no row")
                                           .arg(childRelative, systemError(errno)));
                continue;
            }
            if (S_ISLNK(info.st_mode)) {
                if (!m_options.followSymlinks || ::stat(child.constData(), &info) != 0) {
                    ++m_list.skippedSymlinks;
                    continue;
                }
            }
            if (S_ISDIR(info.st_mode)) {
                walk(child, childRelative);
            } else if (S_ISREG(info.st_mode)) {
                if (isCandidate(child, childName))
                    m_list.files.push_back(
                        ScanFile{ childRelative, QFile::decodeName(child), child });
                else
                    ++m_list.skippedNotImages;
            } else {
                ++m_list.skippedNotImages; // sockets, devices, pipes: never read them
            }
        }
    }

private:
    bool isCandidate(const QByteArray &path, const QString &name) const
    {
        if (m_options.allFiles || hasImageExtension(name))
            return true;
        // Non-blocking, so a name swapped for a FIFO since the lstat cannot hold the walk.
        const int fd = ::open(path.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            return true; // its row will say why it cannot be read
        // Enough for every signature, a TIFF's first directory (DNG) and an SVG's opening.
        std::array<std::uint8_t, 1024> head{};
        const ssize_t got = ::read(fd, head.data(), head.size());
        ::close(fd);
        if (got <= 0)
            return false;
        const std::span<const std::uint8_t> bytes(head.data(), size_t(got));
        return sniffImageFormat(bytes) != ImageFormat::Unknown
            || !undecodedImageFormat(bytes).isEmpty();
    }

    static QString displayName(const QString &relative)
    {
        return relative.isEmpty() ? QStringLiteral(".") : relative;
    }

    const ScanWalkOptions &m_options;
    ScanFileList &m_list;
    QHash<QByteArray, QString> m_visited; // canonical directory -> relative path it was walked as
};

} // namespace

bool hasImageExtension(const QString &fileName)
{
    const qsizetype dot = fileName.lastIndexOf(QLatin1Char('.'));
    return dot >= 0 && imageFileSuffixes().contains(fileName.mid(dot + 1).toLower());
}

Result<ScanFileList> listScanFiles(const QString &root, const ScanWalkOptions &options)
{
    const QFileInfo info(root);
    if (!info.exists())
        return Error{ ErrorCode::RootUnreadable, QStringLiteral("%1 does not exist").arg(root) };
    if (!info.isDir())
        return Error{ ErrorCode::RootUnreadable, QStringLiteral("%1 is not a folder").arg(root) };
    if (!QDir(root).isReadable())
        return Error{ ErrorCode::RootUnreadable,
            QStringLiteral("%1 cannot be listed (permission denied)").arg(root) };

    ScanFileList list;
    Walker(options, list).walk(QFile::encodeName(info.absoluteFilePath()), QString());
    std::sort(list.files.begin(), list.files.end(),
        [](const ScanFile &a, const ScanFile &b) { return a.relativePath < b.relativePath; });
    // A name that is not UTF-8 and a UTF-8 name spelling its escape ("a%FFb") meet on one
    // report path; a report cannot hold both under one key, so the second is named, not scanned.
    const auto repeated = std::adjacent_find(list.files.begin(), list.files.end(),
        [](const ScanFile &a, const ScanFile &b) { return a.relativePath == b.relativePath; });
    if (repeated != list.files.end()) {
        std::vector<ScanFile> unique;
        for (ScanFile &file : list.files) {
            if (!unique.empty() && unique.back().relativePath == file.relativePath)
                list.problems.append(QStringLiteral("%1: two files have this report path (one "
                                                    "name is not UTF-8); the second has no row")
                                         .arg(file.relativePath));
            else
                unique.push_back(std::move(file));
        }
        list.files = std::move(unique);
    }
    return list;
}

} // namespace forgelens
