#include "forgelens/scan/scan_file_list.h"

#include "forgelens/image/image_header_probe.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <array>

namespace forgelens {
namespace {

class Walker {
public:
    Walker(const ScanWalkOptions &options, ScanFileList &list)
        : m_options(options), m_list(list) { }

    void walk(const QString &directory, const QString &relative)
    {
        const QString canonical = QFileInfo(directory).canonicalFilePath();
        if (!canonical.isEmpty() && m_visited.contains(canonical)) {
            m_list.problems.append(
                QStringLiteral("%1: already walked as %2 (symbolic-link loop or second link); "
                               "scanned once")
                    .arg(displayName(relative), displayName(m_visited.value(canonical))));
            return;
        }
        m_visited.insert(canonical, relative);

        QDir dir(directory);
        if (!dir.isReadable()) {
            m_list.problems.append(
                QStringLiteral("%1: directory cannot be read; its files have no rows")
                    .arg(displayName(relative)));
            return;
        }
        const QFileInfoList entries = dir.entryInfoList(
            QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDir::Name);
        for (const QFileInfo &entry : entries) {
            const QString childRelative
                = relative.isEmpty() ? entry.fileName() : relative + u'/' + entry.fileName();
            if (entry.isSymLink()) {
                if (!m_options.followSymlinks || !entry.exists()) {
                    ++m_list.skippedSymlinks;
                    continue;
                }
            }
            if (entry.isDir()) {
                walk(entry.filePath(), childRelative);
            } else if (entry.isFile()) {
                if (isCandidate(entry))
                    m_list.files.push_back(ScanFile{ childRelative, entry.filePath() });
                else
                    ++m_list.skippedNotImages;
            } else {
                ++m_list.skippedNotImages; // sockets, devices, pipes: never read them
            }
        }
    }

private:
    bool isCandidate(const QFileInfo &entry) const
    {
        if (m_options.allFiles || hasImageExtension(entry.fileName()))
            return true;
        QFile file(entry.filePath());
        if (!file.open(QIODevice::ReadOnly))
            return true; // its row will say why it cannot be read
        std::array<char, 16> head{};
        const qint64 got = file.read(head.data(), qint64(head.size()));
        if (got <= 0)
            return false;
        return sniffImageFormat(
                   std::span(reinterpret_cast<const std::uint8_t *>(head.data()), size_t(got)))
            != ImageFormat::Unknown;
    }

    static QString displayName(const QString &relative)
    {
        return relative.isEmpty() ? QStringLiteral(".") : relative;
    }

    const ScanWalkOptions &m_options;
    ScanFileList &m_list;
    QHash<QString, QString> m_visited; // canonical directory -> relative path it was walked as
};

} // namespace

bool hasImageExtension(const QString &fileName)
{
    static const std::array<QLatin1String, 14> extensions{ QLatin1String(".jpg"),
        QLatin1String(".jpeg"), QLatin1String(".jpe"), QLatin1String(".jfif"),
        QLatin1String(".png"), QLatin1String(".gif"), QLatin1String(".bmp"), QLatin1String(".dib"),
        QLatin1String(".tif"), QLatin1String(".tiff"), QLatin1String(".webp"),
        QLatin1String(".heic"), QLatin1String(".heif"), QLatin1String(".avif") };
    return std::any_of(extensions.begin(), extensions.end(),
        [&fileName](QLatin1String ext) { return fileName.endsWith(ext, Qt::CaseInsensitive); });
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
    Walker(options, list).walk(info.absoluteFilePath(), QString());
    std::sort(list.files.begin(), list.files.end(),
        [](const ScanFile &a, const ScanFile &b) { return a.relativePath < b.relativePath; });
    return list;
}

} // namespace forgelens
