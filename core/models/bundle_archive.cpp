#include "forgelens/models/bundle_archive.h"

#include <zlib.h>

#include <QSet>

#include <optional>

namespace forgelens {
namespace {

// ZIP record signatures and fixed sizes (PKWARE APPNOTE 6.3, sections 4.3.7-4.3.16).
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kZip64EndOfCentralDirectory = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr qint64 kLocalHeaderSize = 30;
constexpr qint64 kCentralHeaderSize = 46;
constexpr qint64 kEndRecordSize = 22;
constexpr qint64 kZip64LocatorSize = 20;
constexpr qint64 kZip64EndRecordSize = 56;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint16_t kEncryptedFlag = 0x0001;
constexpr std::uint16_t kStoredMethod = 0;
constexpr std::uint16_t kDeflateMethod = 8;

// Little-endian reads that never run past the buffer: every caller checks `fits` first.
class ByteReader {
public:
    explicit ByteReader(const QByteArray &bytes)
        : m_data(reinterpret_cast<const std::uint8_t *>(bytes.constData())), m_size(bytes.size())
    {
    }
    qint64 size() const { return m_size; }
    bool fits(qint64 offset, qint64 length) const
    {
        return offset >= 0 && length >= 0 && offset <= m_size && length <= m_size - offset;
    }
    std::uint16_t u16(qint64 at) const { return std::uint16_t(m_data[at] | (m_data[at + 1] << 8)); }
    std::uint32_t u32(qint64 at) const
    {
        return std::uint32_t(u16(at)) | (std::uint32_t(u16(at + 2)) << 16);
    }
    std::uint64_t u64(qint64 at) const
    {
        return std::uint64_t(u32(at)) | (std::uint64_t(u32(at + 4)) << 32);
    }
    const std::uint8_t *at(qint64 offset) const { return m_data + offset; }

private:
    const std::uint8_t *m_data;
    qint64 m_size;
};

Error archiveError(const QString &message)
{
    return Error{ ErrorCode::BadBundle, message };
}

struct Directory {
    qint64 entries = 0;
    qint64 offset = 0;
    qint64 size = 0;
};

Result<Directory> findDirectory(const ByteReader &in)
{
    if (in.size() < kEndRecordSize)
        return archiveError(QStringLiteral("not a ZIP archive (too short)"));
    // The end record sits at the end, followed only by a comment of at most 65,535 bytes.
    qint64 end = -1;
    const qint64 earliest = qMax<qint64>(0, in.size() - kEndRecordSize - 0xFFFF);
    for (qint64 at = in.size() - kEndRecordSize; at >= earliest; --at) {
        if (in.u32(at) == kEndOfCentralDirectory
            && at + kEndRecordSize + in.u16(at + 20) == in.size()) {
            end = at;
            break;
        }
    }
    if (end < 0)
        return archiveError(QStringLiteral("not a ZIP archive (no end of central directory)"));
    if (in.u16(end + 4) != 0 || in.u16(end + 6) != 0)
        return archiveError(QStringLiteral("multi-part ZIP archives are not bundles"));
    Directory directory{ in.u16(end + 10), in.u32(end + 16), in.u32(end + 12) };
    const bool zip64 = directory.entries == 0xFFFF || directory.offset == 0xFFFFFFFF
        || directory.size == 0xFFFFFFFF;
    const qint64 locator = end - kZip64LocatorSize;
    if (locator >= 0 && in.u32(locator) == kZip64Locator) {
        const std::uint64_t record = in.u64(locator + 8);
        if (record > std::uint64_t(in.size()) || !in.fits(qint64(record), kZip64EndRecordSize)
            || in.u32(qint64(record)) != kZip64EndOfCentralDirectory)
            return archiveError(QStringLiteral("the ZIP64 end record is missing or damaged"));
        const std::uint64_t entries = in.u64(qint64(record) + 32);
        const std::uint64_t size = in.u64(qint64(record) + 40);
        const std::uint64_t offset = in.u64(qint64(record) + 48);
        if (entries > std::uint64_t(in.size()) || size > std::uint64_t(in.size())
            || offset > std::uint64_t(in.size()))
            return archiveError(QStringLiteral("the ZIP64 end record's counts are impossible"));
        directory = Directory{ qint64(entries), qint64(offset), qint64(size) };
    } else if (zip64) {
        return archiveError(QStringLiteral("the archive needs a ZIP64 end record and has none"));
    }
    if (!in.fits(directory.offset, directory.size))
        return archiveError(QStringLiteral("the central directory lies outside the file"));
    return directory;
}

// The ZIP64 extra field replaces each 32-bit field that is 0xFFFFFFFF, in a fixed order.
bool readZip64Extra(const ByteReader &in, qint64 extra, qint64 extraLength, std::uint64_t &size,
    std::uint64_t &compressed, std::uint64_t &offset)
{
    qint64 at = extra;
    while (at + 4 <= extra + extraLength) {
        const std::uint16_t id = in.u16(at);
        const qint64 length = in.u16(at + 2);
        const qint64 body = at + 4;
        if (body + length > extra + extraLength)
            return false;
        if (id == kZip64ExtraId) {
            qint64 field = body;
            for (std::uint64_t *value : { &size, &compressed, &offset }) {
                if (*value != 0xFFFFFFFF)
                    continue;
                if (field + 8 > body + length)
                    return false;
                *value = in.u64(field);
                field += 8;
            }
            return true;
        }
        at = body + length;
    }
    return size != 0xFFFFFFFF && compressed != 0xFFFFFFFF && offset != 0xFFFFFFFF;
}

// Raw deflate (no zlib header, as ZIP stores it) into exactly `size` bytes; fails when the stream
// is damaged or would produce more or fewer bytes than that.
std::optional<QByteArray> inflateExactly(const std::uint8_t *data, qint64 compressed, qint64 size)
{
    QByteArray out(size, Qt::Uninitialized);
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
        return std::nullopt;
    stream.next_in = const_cast<Bytef *>(data);
    stream.avail_in = uInt(compressed);
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(size);
    const int status = inflate(&stream, Z_FINISH);
    const bool exact = status == Z_STREAM_END && qint64(stream.total_out) == size;
    inflateEnd(&stream);
    if (!exact)
        return std::nullopt;
    return out;
}

bool nameEscapes(const QString &name)
{
    if (name.isEmpty() || name.startsWith(QLatin1Char('/')) || name.contains(QLatin1Char('\\'))
        || name.contains(QChar(0)))
        return true;
    const QStringList parts = name.split(QLatin1Char('/'));
    return parts.contains(QStringLiteral("..")) || parts.contains(QStringLiteral("."));
}

} // namespace

const BundleArchiveEntry *BundleArchive::find(const QString &relativeName) const
{
    const QString name = root + QLatin1Char('/') + relativeName;
    for (const BundleArchiveEntry &entry : entries) {
        if (entry.name == name)
            return &entry;
    }
    return nullptr;
}

Result<BundleArchive> readBundleArchive(const QByteArray &bytes, const BundleArchiveLimits &limits)
{
    const ByteReader in(bytes);
    Result<Directory> directory = findDirectory(in);
    if (!directory)
        return directory.error();
    if (directory->entries > limits.maxEntries)
        return archiveError(
            QStringLiteral("the archive lists %1 entries, more than the limit of %2")
                .arg(directory->entries)
                .arg(limits.maxEntries));
    // Each central record is at least 46 bytes: a count the directory cannot hold is a lie.
    if (directory->entries * kCentralHeaderSize > directory->size)
        return archiveError(QStringLiteral("the central directory is too small for its entries"));

    BundleArchive archive;
    archive.entries.reserve(size_t(directory->entries));
    QSet<QString> names;
    qint64 inflatedBytes = 0;
    qint64 at = directory->offset;
    const qint64 directoryEnd = directory->offset + directory->size;
    for (qint64 i = 0; i < directory->entries; ++i) {
        if (at + kCentralHeaderSize > directoryEnd || in.u32(at) != kCentralHeader)
            return archiveError(QStringLiteral("central directory record %1 is damaged").arg(i));
        const std::uint16_t flags = in.u16(at + 8);
        const std::uint16_t method = in.u16(at + 10);
        const std::uint32_t crc = in.u32(at + 16);
        std::uint64_t compressed = in.u32(at + 20);
        std::uint64_t size = in.u32(at + 24);
        const qint64 nameLength = in.u16(at + 28);
        const qint64 extraLength = in.u16(at + 30);
        const qint64 commentLength = in.u16(at + 32);
        std::uint64_t localOffset = in.u32(at + 42);
        const qint64 recordEnd = at + kCentralHeaderSize + nameLength + extraLength + commentLength;
        if (recordEnd > directoryEnd)
            return archiveError(
                QStringLiteral("central directory record %1 runs past the directory").arg(i));
        const QByteArray rawName(
            reinterpret_cast<const char *>(in.at(at + kCentralHeaderSize)), nameLength);
        const QString name = QString::fromUtf8(rawName);
        if (name.toUtf8() != rawName || nameEscapes(name))
            return archiveError(
                QStringLiteral("entry %1 has a name that is not a plain relative path").arg(i));
        if (!readZip64Extra(in, at + kCentralHeaderSize + nameLength, extraLength, size, compressed,
                localOffset))
            return archiveError(
                QStringLiteral("entry %1 (%2) has a damaged ZIP64 field").arg(i).arg(name));
        at = recordEnd;

        if (names.contains(name))
            return archiveError(QStringLiteral("entry %1 appears twice").arg(name));
        names.insert(name);
        if (flags & kEncryptedFlag)
            return archiveError(QStringLiteral("entry %1 is encrypted").arg(name));
        if (method != kStoredMethod && method != kDeflateMethod)
            return archiveError(QStringLiteral("entry %1 uses compression method %2 (only stored "
                                               "and deflate are read)")
                                    .arg(name)
                                    .arg(method));
        if (method == kStoredMethod && compressed != size)
            return archiveError(
                QStringLiteral("entry %1 is stored, but its sizes differ").arg(name));
        if (method == kDeflateMethod) {
            if (compressed == 0 || size > compressed * std::uint64_t(limits.maxCompressionRatio)
                || compressed > std::uint64_t(in.size()))
                return archiveError(
                    QStringLiteral("entry %1 is compressed %2 bytes inflating to %3, more than "
                                   "the ratio of %4 to 1 a model's files reach")
                        .arg(name)
                        .arg(compressed)
                        .arg(size)
                        .arg(limits.maxCompressionRatio));
            inflatedBytes += qint64(qMin<std::uint64_t>(size, std::uint64_t(in.size()) * 1000));
            if (inflatedBytes > limits.maxInflatedBytes)
                return archiveError(QStringLiteral("the compressed entries inflate to more than "
                                                   "the limit of %1 bytes")
                                        .arg(limits.maxInflatedBytes));
        }
        if (size > std::uint64_t(limits.maxEntryBytes))
            return archiveError(QStringLiteral("entry %1 is %2 bytes, more than the limit of %3")
                                    .arg(name)
                                    .arg(size)
                                    .arg(limits.maxEntryBytes));
        if (localOffset > std::uint64_t(in.size())
            || !in.fits(qint64(localOffset), kLocalHeaderSize)
            || in.u32(qint64(localOffset)) != kLocalHeader)
            return archiveError(
                QStringLiteral("entry %1 has no local header where the directory says").arg(name));
        const qint64 local = qint64(localOffset);
        const qint64 localNameLength = in.u16(local + 26);
        const qint64 localExtraLength = in.u16(local + 28);
        if (in.u16(local + 8) != method || localNameLength != nameLength
            || !in.fits(local + kLocalHeaderSize, localNameLength)
            || QByteArray(
                   reinterpret_cast<const char *>(in.at(local + kLocalHeaderSize)), localNameLength)
                != rawName)
            return archiveError(
                QStringLiteral("entry %1: the local header disagrees with the directory")
                    .arg(name));
        BundleArchiveEntry entry;
        entry.name = name;
        entry.dataOffset = local + kLocalHeaderSize + localNameLength + localExtraLength;
        entry.size = qint64(size);
        entry.crc32 = crc;
        if (!in.fits(entry.dataOffset, qint64(compressed)))
            return archiveError(QStringLiteral("entry %1's data lies outside the file").arg(name));
        const std::uint8_t *contents = in.at(entry.dataOffset);
        if (method == kDeflateMethod) {
            std::optional<QByteArray> inflated
                = inflateExactly(contents, qint64(compressed), entry.size);
            if (!inflated)
                return archiveError(QStringLiteral("entry %1's compressed data is damaged or does "
                                                   "not inflate to its declared %2 bytes")
                                        .arg(name)
                                        .arg(entry.size));
            entry.inflated = std::move(*inflated);
            contents = reinterpret_cast<const std::uint8_t *>(entry.inflated.constData());
        }
        // zlib's crc32 takes a uInt length: feed it in pieces.
        uLong actual = crc32(0L, Z_NULL, 0);
        for (qint64 done = 0; done < entry.size;) {
            const qint64 piece = qMin<qint64>(entry.size - done, qint64(1) << 30);
            actual = crc32(actual, contents + done, uInt(piece));
            done += piece;
        }
        if (std::uint32_t(actual) != crc)
            return archiveError(QStringLiteral("entry %1 is damaged: its CRC-32 is %2, the archive "
                                               "records %3 (changed bytes)")
                                    .arg(name)
                                    .arg(std::uint32_t(actual), 8, 16, QLatin1Char('0'))
                                    .arg(crc, 8, 16, QLatin1Char('0')));
        const QString root = name.section(QLatin1Char('/'), 0, 0);
        if (archive.root.isEmpty())
            archive.root = root;
        if (root != archive.root || !name.contains(QLatin1Char('/')))
            return archiveError(QStringLiteral("entry %1 lies outside the archive's folder %2")
                                    .arg(name, archive.root));
        archive.entries.push_back(std::move(entry));
    }
    if (archive.entries.empty())
        return archiveError(QStringLiteral("the archive is empty"));
    return archive;
}

QByteArray bundleEntryBytes(const QByteArray &archiveBytes, const BundleArchiveEntry &entry)
{
    if (!entry.inflated.isEmpty())
        return entry.inflated;
    return QByteArray::fromRawData(archiveBytes.constData() + entry.dataOffset, entry.size);
}

} // namespace forgelens
