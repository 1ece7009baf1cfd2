#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

// Builders for metadata test files, written in code so every byte is known: PNG chunks,
// JUMBF boxes, a C2PA manifest store, JPEG APP11 segments. Never used on evidence.
namespace forgelens::testing {

QByteArray readFileBytes(const QString &path);

// Fixed-width integers as the bytes a file format stores them in.
QByteArray be16(quint16 value);
QByteArray be32(quint32 value);
QByteArray le16(quint16 value);
QByteArray le32(quint32 value);

QByteArray zlibCompressed(const QByteArray &data);

// A gzip member (RFC 1952: header, deflate data, CRC-32, size), as Python's gzip.compress writes
// (NovelAI's and the stealth-pnginfo extension's compressed hidden metadata).
QByteArray gzipCompressed(const QByteArray &data);

// length + type + data + CRC-32 (correct unless `breakCrc`).
QByteArray pngChunk(const QByteArray &type, const QByteArray &data, bool breakCrc = false);

// A valid 1 x 1 RGB PNG with `chunks` between IHDR and IDAT.
QByteArray pngWithChunks(const QList<QByteArray> &chunks);

QByteArray jumbfBox(const QByteArray &type, const QByteArray &payload);

// A "jumb" superbox: a "jumd" description (zero UUID, toggles "requestable | label") with
// `label`, then `contents`.
QByteArray jumbfSuperbox(const QString &label, const QList<QByteArray> &contents);

struct C2paFixture {
    QString claimGenerator = QStringLiteral("ForgeLens test generator/1.0");
    QString title = QStringLiteral("generated.jpg");
    QString action = QStringLiteral("c2pa.created");
    QString digitalSourceType
        = QStringLiteral("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");
    QString softwareAgent = QStringLiteral("Test Diffusion 2");
    QString ingredient = QStringLiteral("prompt-image.png");
    QString issuer = QStringLiteral("ForgeLens Test CA");
    bool generatorInfoMap = false; // C2PA 2.x: claim_generator_info as a map, no claim_generator
};

// A C2PA manifest store (JUMBF): one manifest with actions and ingredient assertions, a CBOR
// claim and a COSE_Sign1 signature whose x5chain holds a stand-in certificate naming `issuer`.
QByteArray c2paStore(const C2paFixture &fixture = {});

// `jpeg` with `jumbf` inserted after SOI as APP11 "JP" segments of at most `maxChunk` box bytes
// each (the later ones repeat the box header, as the JUMBF-in-JPEG format requires).
QByteArray jpegWithApp11(
    const QByteArray &jpeg, const QByteArray &jumbf, int maxChunk = 60000, quint16 instance = 1);

} // namespace forgelens::testing
