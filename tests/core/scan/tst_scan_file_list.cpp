#include "forgelens/scan/scan_file_list.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <unistd.h>

using namespace forgelens;

namespace {

const QByteArray kPngMagic("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

QStringList relativePaths(const ScanFileList &list)
{
    QStringList paths;
    for (const ScanFile &file : list.files)
        paths.append(file.relativePath);
    return paths;
}

} // namespace

class TestScanFileList : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const QString root = m_dir->path();
        writeFile(root + QStringLiteral("/b.jpg"), "not really a jpeg");
        writeFile(root + QStringLiteral("/a/deep/er/photo.PNG"), kPngMagic);
        writeFile(root + QStringLiteral("/a/no-extension"), kPngMagic);
        writeFile(root + QStringLiteral("/a/notes.txt"), "minutes of the meeting");
        writeFile(root + QStringLiteral("/a/empty.dat"), QByteArray());
        writeFile(root + QStringLiteral("/a/empty.png"), QByteArray());
        writeFile(root + QStringLiteral("/.hidden.webp"), "RIFF");
        writeFile(root + QStringLiteral("/Ünï 写真.gif"), "GIF89a");
        QVERIFY(QFile::link(root + QStringLiteral("/a/deep"), root + QStringLiteral("/link-dir")));
        QVERIFY(QFile::link(root + QStringLiteral("/a"), root + QStringLiteral("/a/deep/loop")));
        QVERIFY(QFile::link(
            root + QStringLiteral("/b.jpg"), root + QStringLiteral("/a/link-file.jpg")));
        QVERIFY(QFile::link(
            root + QStringLiteral("/nowhere.jpg"), root + QStringLiteral("/dangling.jpg")));
    }

    void takesImagesByContentOrNameInStableOrder()
    {
        Result<ScanFileList> list = listScanFiles(m_dir->path(), {});
        QVERIFY(list);
        // Sorted by relative path; the text file renamed .jpg and the empty .png are taken
        // (their rows will say what is wrong); the text and empty .dat files are not.
        QCOMPARE(relativePaths(*list),
            (QStringList{ QStringLiteral(".hidden.webp"), QStringLiteral("a/deep/er/photo.PNG"),
                QStringLiteral("a/empty.png"), QStringLiteral("a/no-extension"),
                QStringLiteral("b.jpg"), QStringLiteral("Ünï 写真.gif") }));
        QCOMPARE(list->skippedNotImages, qint64(2));
        QCOMPARE(list->skippedSymlinks, qint64(4));
        QVERIFY(list->problems.isEmpty());
        QCOMPARE(list->files.front().absolutePath,
            QDir(m_dir->path()).absoluteFilePath(QStringLiteral(".hidden.webp")));
    }

    void allFilesTakesEveryRegularFile()
    {
        Result<ScanFileList> list = listScanFiles(m_dir->path(), { false, true });
        QVERIFY(list);
        QVERIFY(relativePaths(*list).contains(QStringLiteral("a/notes.txt")));
        QVERIFY(relativePaths(*list).contains(QStringLiteral("a/empty.dat")));
        QCOMPARE(list->skippedNotImages, qint64(0));
    }

    void followsLinksAndWalksEachFolderOnce()
    {
        Result<ScanFileList> list = listScanFiles(m_dir->path(), { true, false });
        QVERIFY(list);
        const QStringList paths = relativePaths(*list);
        QVERIFY(paths.contains(QStringLiteral("a/link-file.jpg")));
        // a/deep is reached as a/deep and as link-dir; a/deep/loop leads back to a.
        QCOMPARE(paths.count(QStringLiteral("a/deep/er/photo.PNG"))
                + paths.count(QStringLiteral("link-dir/er/photo.PNG")),
            1);
        QVERIFY(!paths.contains(QStringLiteral("a/deep/loop/no-extension")));
        QCOMPARE(list->problems.size(), 2);
        QCOMPARE(list->skippedSymlinks, qint64(1)); // the dangling one
    }

    void unreadableFolderIsReportedNotSkippedSilently()
    {
        if (::geteuid() == 0)
            QSKIP("root reads every folder whatever its mode");
        const QString locked = m_dir->path() + QStringLiteral("/a/deep");
        QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
        Result<ScanFileList> list = listScanFiles(m_dir->path(), {});
        QFile::setPermissions(
            locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QVERIFY(list);
        QCOMPARE(list->problems.size(), 1);
        QVERIFY(list->problems.first().startsWith(QStringLiteral("a/deep: ")));
    }

    void refusesAMissingRoot()
    {
        Result<ScanFileList> list = listScanFiles(m_dir->path() + QStringLiteral("/missing"), {});
        QVERIFY(!list);
        QCOMPARE(list.error().codeName(), QStringLiteral("root-unreadable"));
        Result<ScanFileList> file = listScanFiles(m_dir->path() + QStringLiteral("/b.jpg"), {});
        QVERIFY(!file);
        QCOMPARE(file.error().codeName(), QStringLiteral("root-unreadable"));
    }

    void cleanup() { m_dir.reset(); }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(TestScanFileList)
#include "tst_scan_file_list.moc"
