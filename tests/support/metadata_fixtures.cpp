#include "metadata_fixtures.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QFile>
#include <QtEndian>

#include <zlib.h>

namespace forgelens::testing {
namespace {

QByteArray cborSuperbox(const QString &label, const QCborValue &value)
{
    return jumbfSuperbox(label, { jumbfBox("cbor", value.toCbor()) });
}

// Not a real X.509 certificate: just the name attributes (OID 2.5.4.3 commonName, 2.5.4.10
// organizationName, UTF8String) that ForgeLens reads from one.
QByteArray standInCertificate(const QString &issuer)
{
    const QByteArray name = issuer.toUtf8();
    return QByteArray("\x30\x82\x01\x00", 4) + QByteArray("\x06\x03\x55\x04\x03\x0c", 6)
        + char(name.size()) + name + QByteArray("\x06\x03\x55\x04\x0a\x0c", 6) + char(name.size())
        + name;
}

} // namespace

QByteArray be16(quint16 value)
{
    QByteArray out(2, '\0');
    qToBigEndian(value, out.data());
    return out;
}

QByteArray be32(quint32 value)
{
    QByteArray out(4, '\0');
    qToBigEndian(value, out.data());
    return out;
}

QByteArray le16(quint16 value)
{
    QByteArray out(2, '\0');
    qToLittleEndian(value, out.data());
    return out;
}

QByteArray le32(quint32 value)
{
    QByteArray out(4, '\0');
    qToLittleEndian(value, out.data());
    return out;
}

QByteArray readFileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray zlibCompressed(const QByteArray &data)
{
    uLongf size = compressBound(uLong(data.size()));
    QByteArray out(qsizetype(size), '\0');
    compress2(reinterpret_cast<Bytef *>(out.data()), &size,
        reinterpret_cast<const Bytef *>(data.constData()), uLong(data.size()), 9);
    out.resize(qsizetype(size));
    return out;
}

QByteArray gzipCompressed(const QByteArray &data)
{
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY); // 16: gzip wrapper
    QByteArray out(qsizetype(deflateBound(&zs, uLong(data.size())) + 64), '\0');
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return out;
}

QByteArray pngChunk(const QByteArray &type, const QByteArray &data, bool breakCrc)
{
    const QByteArray body = type + data;
    quint32 crc
        = quint32(crc32(0L, reinterpret_cast<const Bytef *>(body.constData()), uInt(body.size())));
    if (breakCrc)
        crc ^= 1u;
    return be32(quint32(data.size())) + body + be32(crc);
}

QByteArray pngWithChunks(const QList<QByteArray> &chunks)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += pngChunk("IHDR", be32(1) + be32(1) + QByteArray("\x08\x02\x00\x00\x00", 5));
    for (const QByteArray &chunk : chunks)
        png += chunk;
    png += pngChunk("IDAT", zlibCompressed(QByteArray("\x00\xff\x00\x00", 4)));
    png += pngChunk("IEND", {});
    return png;
}

QByteArray jumbfBox(const QByteArray &type, const QByteArray &payload)
{
    return be32(quint32(8 + payload.size())) + type + payload;
}

QByteArray jumbfSuperbox(const QString &label, const QList<QByteArray> &contents)
{
    QByteArray description(16, '\0'); // type UUID
    description += char(0x03); // requestable | label present
    description += label.toUtf8() + '\0';
    QByteArray payload = jumbfBox("jumd", description);
    for (const QByteArray &content : contents)
        payload += content;
    return jumbfBox("jumb", payload);
}

QByteArray c2paStore(const C2paFixture &fixture)
{
    const QCborMap action{ { QStringLiteral("action"), fixture.action },
        { QStringLiteral("digitalSourceType"), fixture.digitalSourceType },
        { QStringLiteral("softwareAgent"), fixture.softwareAgent } };
    const QByteArray assertions = jumbfSuperbox(QStringLiteral("c2pa.assertions"),
        { cborSuperbox(QStringLiteral("c2pa.actions"),
              QCborMap{ { QStringLiteral("actions"), QCborArray{ action } } }),
            cborSuperbox(QStringLiteral("c2pa.ingredient"),
                QCborMap{ { QStringLiteral("dc:title"), fixture.ingredient },
                    { QStringLiteral("relationship"), QStringLiteral("parentOf") } }) });
    QCborMap claimMap{ { QStringLiteral("dc:title"), fixture.title },
        { QStringLiteral("dc:format"), QStringLiteral("image/jpeg") } };
    if (fixture.generatorInfoMap)
        claimMap.insert(QStringLiteral("claim_generator_info"),
            QCborMap{ { QStringLiteral("name"), fixture.claimGenerator } });
    else
        claimMap.insert(QStringLiteral("claim_generator"), fixture.claimGenerator);
    const QByteArray claim = cborSuperbox(QStringLiteral("c2pa.claim.v2"), claimMap);
    const QCborMap protectedHeader{ { 1, -7 }, { 33, standInCertificate(fixture.issuer) } };
    const QCborValue cose(QCborKnownTags(18),
        QCborArray{ protectedHeader.toCborValue().toCbor(), QCborMap(),
            QCborValue(QCborValue::Null), QByteArray(64, '\x5a') });
    const QByteArray signature = cborSuperbox(QStringLiteral("c2pa.signature"), cose);
    const QByteArray manifest
        = jumbfSuperbox(QStringLiteral("urn:uuid:00000000-0000-4000-8000-000000000001"),
            { assertions, claim, signature });
    return jumbfSuperbox(QStringLiteral("c2pa"), { manifest });
}

QByteArray jpegWithApp11(
    const QByteArray &jpeg, const QByteArray &jumbf, int maxChunk, quint16 instance)
{
    QByteArray segments;
    const QByteArray boxHeader = jumbf.left(8);
    quint32 sequence = 1;
    for (qsizetype at = 0; at < jumbf.size(); at += maxChunk, ++sequence) {
        QByteArray packet = QByteArray("JP", 2) + be16(instance) + be32(sequence);
        if (at > 0)
            packet += boxHeader;
        packet += jumbf.mid(at, maxChunk);
        segments += QByteArray("\xff\xeb", 2) + be16(quint16(packet.size() + 2)) + packet;
    }
    return jpeg.left(2) + segments + jpeg.mid(2);
}

} // namespace forgelens::testing
