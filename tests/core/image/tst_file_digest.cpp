// The hashes that identify evidence in every report: OpenSSL's (SHA-256 with the CPU's SHA
// extensions where there are some) must give the published test vectors, and agree with an
// independent implementation (Qt's) on inputs that cross the 64 KiB pieces it hashes in.
#include "forgelens/image/file_digest.h"

#include <QCryptographicHash>
#include <QTest>

using namespace forgelens;

namespace {

FileDigest digestOf(const QByteArray &bytes)
{
    return digestBytes(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) });
}

} // namespace

class TestFileDigest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void publishedVectors()
    {
        // FIPS 180-2's "abc" and RFC 1321's "abc"; and the empty input.
        const FileDigest abc = digestOf(QByteArrayLiteral("abc"));
        QCOMPARE(abc.sha256,
            QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(abc.md5, QStringLiteral("900150983cd24fb0d6963f7d28e17f72"));
        const FileDigest empty = digestOf(QByteArray());
        QCOMPARE(empty.sha256,
            QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(empty.md5, QStringLiteral("d41d8cd98f00b204e9800998ecf8427e"));
    }

    void agreesWithAnIndependentImplementation()
    {
        for (const qsizetype size : { 63, 64, 65535, 65536, 65537, 3 * 65536 + 17, 2'000'003 }) {
            QByteArray bytes(size, Qt::Uninitialized);
            std::uint32_t state = std::uint32_t(size);
            for (char &byte : bytes) {
                state = state * 1664525u + 1013904223u;
                byte = char(state >> 24);
            }
            const FileDigest digest = digestOf(bytes);
            QCOMPARE(digest.sha256,
                QString::fromLatin1(
                    QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
            QCOMPARE(digest.md5,
                QString::fromLatin1(
                    QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex()));
        }
    }
};

QTEST_GUILESS_MAIN(TestFileDigest)
#include "tst_file_digest.moc"
