#include "forgelens/sandbox/evidence_reading_codec.h"

#include <QDataStream>
#include <QIODevice>
#include <QtEndian>

namespace forgelens {
namespace {

constexpr quint32 kFormat = 0x464C4531; // "FLE1"
constexpr qint32 kLastFormat = qint32(ImageFormat::Raw); // the enum's last value

// Qt 6.4's QDataStream allocates a QString or QByteArray of the length the stream declares
// before it reads a byte of it, so a forged length of 3.5 GB is an allocation of 3.5 GB (found
// by fuzz_evidence_reading_codec). Each length is checked against the bytes left first.
class Input {
public:
    explicit Input(QDataStream &in) : m_in(in) { }
    Input &operator>>(QString &text)
    {
        if (fits())
            m_in >> text;
        return *this;
    }
    Input &operator>>(QByteArray &bytes)
    {
        if (fits())
            m_in >> bytes;
        return *this;
    }
    template <typename T> Input &operator>>(T &value) // numbers, bools, QDateTime
    {
        m_in >> value;
        return *this;
    }
    QDataStream::Status status() const { return m_in.status(); }
    qint64 bytesLeft() const { return m_in.device()->bytesAvailable(); }
    bool atEnd() const { return m_in.atEnd(); }

private:
    bool fits()
    {
        if (m_in.status() != QDataStream::Ok)
            return false;
        const QByteArray head = m_in.device()->peek(4);
        if (head.size() < 4) {
            m_in.setStatus(QDataStream::ReadPastEnd);
            return false;
        }
        const quint32 length = qFromBigEndian<quint32>(head.constData());
        if (length != 0xFFFFFFFF && qint64(length) > bytesLeft() - 4) {
            m_in.setStatus(QDataStream::ReadCorruptData);
            return false;
        }
        return true;
    }
    QDataStream &m_in;
};

// Every list is written with its count.
template <typename T, typename ReadOne>
bool readList(Input &in, std::vector<T> &out, ReadOne readOne)
{
    quint32 count = 0;
    in >> count;
    // Every item takes at least four bytes: a larger count is a lie, and nothing is reserved for
    // it up front.
    if (in.status() != QDataStream::Ok || count > quint32(in.bytesLeft() / 4))
        return false;
    out.clear();
    for (quint32 i = 0; i < count; ++i) {
        T item{};
        if (!readOne(in, item) || in.status() != QDataStream::Ok)
            return false;
        out.push_back(std::move(item));
    }
    return true;
}

template <typename T, typename WriteOne>
void writeList(QDataStream &out, const std::vector<T> &items, WriteOne writeOne)
{
    out << quint32(items.size());
    for (const T &item : items)
        writeOne(out, item);
}

// QDataStream reads a QStringList by reserving the count it is given first: a forged count of
// four billion asks for 96 GB before a single string is read (found by
// fuzz_evidence_reading_codec). Lists are read one string at a time, and the count must fit the
// bytes left.
bool readStrings(Input &in, QStringList &out)
{
    quint32 count = 0;
    in >> count;
    if (in.status() != QDataStream::Ok || count > quint32(in.bytesLeft() / 4))
        return false;
    out.clear();
    for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
        QString text;
        in >> text;
        out.append(std::move(text));
    }
    return in.status() == QDataStream::Ok;
}

void writeStrings(QDataStream &out, const QStringList &strings)
{
    out << quint32(strings.size());
    for (const QString &text : strings)
        out << text;
}

void writeError(QDataStream &out, const Error &error)
{
    out << qint32(error.code) << error.message;
}

bool readError(Input &in, Error &error)
{
    qint32 code = 0;
    in >> code >> error.message;
    if (!errorCodeFromName(errorCodeName(ErrorCode(code))).has_value())
        return false;
    error.code = ErrorCode(code);
    return true;
}

void writeOptionalError(QDataStream &out, const std::optional<Error> &error)
{
    out << error.has_value();
    if (error)
        writeError(out, *error);
}

bool readOptionalError(Input &in, std::optional<Error> &error)
{
    bool present = false;
    in >> present;
    if (!present)
        return true;
    error.emplace();
    return readError(in, *error);
}

void writeImage(QDataStream &out, const std::optional<DecodedImage> &image)
{
    out << image.has_value();
    if (!image)
        return;
    out << qint32(image->width) << qint32(image->height) << qint32(image->format)
        << qint32(image->storedWidth) << qint32(image->storedHeight) << qint32(image->orientation)
        << image->truncated << qint32(image->reduction) << qint32(image->wholeWidth)
        << qint32(image->wholeHeight) << qint32(image->region.x()) << qint32(image->region.y())
        << qint32(image->region.width()) << qint32(image->region.height());
}

bool readImage(Input &in, std::optional<DecodedImage> &image, qint64 &pixelBytes)
{
    bool present = false;
    in >> present;
    if (!present)
        return true;
    DecodedImage out;
    qint32 width = 0, height = 0, format = 0, storedWidth = 0, storedHeight = 0, orientation = 1;
    qint32 reduction = 1, fullWidth = 0, fullHeight = 0;
    // The region as four numbers, not a QRect: a forged QRect's corners would overflow the int
    // arithmetic of its width before anything could check them.
    qint32 regionX = 0, regionY = 0, regionWidth = 0, regionHeight = 0;
    in >> width >> height >> format >> storedWidth >> storedHeight >> orientation >> out.truncated
        >> reduction >> fullWidth >> fullHeight >> regionX >> regionY >> regionWidth
        >> regionHeight;
    if (width <= 0 || height <= 0 || format < 0 || format > kLastFormat || orientation < 1
        || orientation > 8)
        return false;
    const bool turned = orientation >= 5; // 5 to 8 swap the sides
    if (regionWidth != 0 || regionHeight != 0) {
        // Only a part, decoded at full size: it lies inside the image as shown, whose sides are
        // the stored ones.
        if (reduction != 1 || regionWidth != width || regionHeight != height
            || fullWidth != (turned ? storedHeight : storedWidth)
            || fullHeight != (turned ? storedWidth : storedHeight) || regionX < 0 || regionY < 0
            || qint64(regionX) + regionWidth > fullWidth
            || qint64(regionY) + regionHeight > fullHeight)
            return false;
        out.region = QRect(regionX, regionY, regionWidth, regionHeight);
        out.wholeWidth = fullWidth;
        out.wholeHeight = fullHeight;
    } else if (reduction == 1) {
        if (qint64(storedWidth) * storedHeight != qint64(width) * height)
            return false;
    } else {
        // libjpeg's reduced size: each full side divided by the reduction, rounded up.
        const auto reduced
            = [reduction](qint32 side) { return (qint64(side) + reduction - 1) / reduction; };
        if ((reduction != 2 && reduction != 4 && reduction != 8) || fullWidth <= 0
            || fullHeight <= 0 || reduced(fullWidth) != width || reduced(fullHeight) != height
            || qint64(storedWidth) * storedHeight != qint64(fullWidth) * fullHeight)
            return false;
        out.reduction = reduction;
        out.wholeWidth = fullWidth;
        out.wholeHeight = fullHeight;
    }
    out.width = width;
    out.height = height;
    out.format = ImageFormat(format);
    out.storedWidth = storedWidth;
    out.storedHeight = storedHeight;
    out.orientation = orientation;
    pixelBytes = qint64(width) * height * 3;
    image = std::move(out);
    return true;
}

void writeReport(QDataStream &out, const MetadataReport &report)
{
    out << qint32(report.format);
    writeList(out, report.embedded.properties, [](QDataStream &s, const MetadataProperty &p) {
        s << p.group << p.key << p.type << p.value << p.raw;
    });
    out << report.embedded.thumbnail;
    writeStrings(out, report.embedded.warnings);
    out << report.png.has_value();
    if (report.png) {
        writeStrings(out, report.png->chunkTypes);
        writeList(out, report.png->texts, [](QDataStream &s, const PngTextChunk &t) {
            s << t.chunkType << t.keyword << t.text << t.language << t.compressed;
        });
        out << report.png->c2paJumbf;
        writeList(out, report.png->problems, writeError);
    }
    out << report.jpeg.has_value();
    if (report.jpeg) {
        const JpegStructure &j = *report.jpeg;
        out << j.process << j.arithmetic << qint32(j.components) << j.subsampling
            << qint32(j.restartInterval);
        writeList(out, j.tables, [](QDataStream &s, const QuantizationTable &t) {
            s << qint32(t.id) << qint32(t.precision);
            for (const int v : t.values)
                s << qint32(v);
        });
        out << qint32(j.estimatedQuality) << j.standardTables;
    }
    out << report.c2pa.has_value();
    if (report.c2pa) {
        const C2paSummary &c = *report.c2pa;
        out << c.container;
        writeStrings(out, c.manifests);
        out << c.claimGenerator << c.title;
        writeList(out, c.actions, [](QDataStream &s, const C2paAction &a) {
            s << a.action << a.digitalSourceType << a.softwareAgent;
        });
        writeStrings(out, c.ingredients);
        out << c.signatureIssuer << c.signatureVerified;
    }
    out << report.thumbnail.has_value();
    if (report.thumbnail) {
        const ThumbnailComparison &t = *report.thumbnail;
        out << qint32(t.width) << qint32(t.height) << t.aspectDifference << t.correlation
            << t.mismatch << t.reason;
    }
    writeList(out, report.findings, [](QDataStream &s, const MetadataFinding &f) {
        s << qint32(f.severity) << f.code << f.message << f.evidence;
    });
    writeList(out, report.errors, writeError);
}

bool readReport(Input &in, MetadataReport &report)
{
    qint32 format = 0;
    in >> format;
    if (format < 0 || format > kLastFormat)
        return false;
    report.format = ImageFormat(format);
    if (!readList(in, report.embedded.properties, [](Input &s, MetadataProperty &p) {
            s >> p.group >> p.key >> p.type >> p.value >> p.raw;
            return true;
        }))
        return false;
    in >> report.embedded.thumbnail;
    if (!readStrings(in, report.embedded.warnings))
        return false;
    bool present = false;
    in >> present;
    if (present) {
        PngChunkScan png;
        if (!readStrings(in, png.chunkTypes))
            return false;
        if (!readList(in, png.texts, [](Input &s, PngTextChunk &t) {
                s >> t.chunkType >> t.keyword >> t.text >> t.language >> t.compressed;
                return true;
            }))
            return false;
        in >> png.c2paJumbf;
        if (!readList(in, png.problems, readError))
            return false;
        report.png = std::move(png);
    }
    in >> present;
    if (present) {
        JpegStructure j;
        qint32 components = 0, restart = 0, quality = -1;
        in >> j.process >> j.arithmetic >> components >> j.subsampling >> restart;
        if (!readList(in, j.tables, [](Input &s, QuantizationTable &t) {
                qint32 id = 0, precision = 0;
                s >> id >> precision;
                t.id = id;
                t.precision = precision;
                for (int &v : t.values) {
                    qint32 value = 0;
                    s >> value;
                    v = value;
                }
                return true;
            }))
            return false;
        in >> quality >> j.standardTables;
        j.components = components;
        j.restartInterval = restart;
        j.estimatedQuality = quality;
        report.jpeg = std::move(j);
    }
    in >> present;
    if (present) {
        C2paSummary c;
        in >> c.container;
        if (!readStrings(in, c.manifests))
            return false;
        in >> c.claimGenerator >> c.title;
        if (!readList(in, c.actions, [](Input &s, C2paAction &a) {
                s >> a.action >> a.digitalSourceType >> a.softwareAgent;
                return true;
            }))
            return false;
        if (!readStrings(in, c.ingredients))
            return false;
        in >> c.signatureIssuer >> c.signatureVerified;
        report.c2pa = std::move(c);
    }
    in >> present;
    if (present) {
        ThumbnailComparison t;
        qint32 width = 0, height = 0;
        in >> width >> height >> t.aspectDifference >> t.correlation >> t.mismatch >> t.reason;
        t.width = width;
        t.height = height;
        report.thumbnail = std::move(t);
    }
    if (!readList(in, report.findings, [](Input &s, MetadataFinding &f) {
            qint32 severity = 0;
            s >> severity >> f.code >> f.message >> f.evidence;
            if (severity < 0 || severity > qint32(MetadataFinding::Severity::Warning))
                return false;
            f.severity = MetadataFinding::Severity(severity);
            return true;
        }))
        return false;
    return readList(in, report.errors, readError);
}

} // namespace

QByteArray encodeEvidenceReading(const EvidenceReading &reading)
{
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << kFormat << qint64(reading.fileSize) << reading.digest.sha256 << reading.digest.md5
        << reading.readAtUtc << reading.metadataRead;
    writeStrings(out, reading.findingCodes);
    out << reading.metadata.has_value();
    if (reading.metadata)
        writeReport(out, *reading.metadata);
    writeImage(out, reading.image);
    writeImage(out, reading.image ? std::nullopt : reading.salvaged);
    writeOptionalError(out, reading.error);
    return bytes;
}

std::optional<EvidenceReading> decodeEvidenceReading(const QByteArray &bytes, qint64 &pixelBytes)
{
    QDataStream stream(bytes);
    stream.setVersion(QDataStream::Qt_6_4);
    Input in(stream);
    EvidenceReading reading;
    quint32 format = 0;
    qint64 fileSize = -1;
    in >> format >> fileSize >> reading.digest.sha256 >> reading.digest.md5 >> reading.readAtUtc
        >> reading.metadataRead;
    if (format != kFormat || fileSize < -1 || !readStrings(in, reading.findingCodes))
        return std::nullopt;
    reading.fileSize = fileSize;
    bool hasReport = false;
    in >> hasReport;
    if (hasReport) {
        reading.metadata.emplace();
        if (!readReport(in, *reading.metadata))
            return std::nullopt;
    }
    qint64 imageBytes = 0;
    qint64 salvagedBytes = 0;
    if (!readImage(in, reading.image, imageBytes) || !readImage(in, reading.salvaged, salvagedBytes)
        || !readOptionalError(in, reading.error) || in.status() != QDataStream::Ok || !in.atEnd())
        return std::nullopt;
    if (reading.image && reading.salvaged)
        return std::nullopt;
    pixelBytes = reading.image ? imageBytes : salvagedBytes;
    return reading;
}

} // namespace forgelens
