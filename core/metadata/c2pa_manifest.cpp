#include "forgelens/metadata/c2pa_manifest.h"

#include "c2pa_containers.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>

#include <cstring>
#include <map>

namespace forgelens {
namespace {

Error malformed(const QString &message)
{
    return Error{ ErrorCode::MalformedC2pa, message };
}

std::uint32_t be32(const std::uint8_t *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
        | std::uint32_t(p[3]);
}

// JPEG: C2PA puts the store in APP11 segments of the JUMBF "JP" format: common identifier "JP",
// box instance number (2 bytes), packet sequence number (4 bytes), then the box; segments after
// the first repeat the box's header (LBox, TBox, and XLBox when LBox is 1), which is dropped
// when joining. Other JUMBF users (e.g. JPEG 360) use other instances: the one whose
// description is labelled "c2pa" is the store.
Result<std::optional<QByteArray>> jpegApp11Jumbf(std::span<const std::uint8_t> bytes)
{
    // instance -> (sequence number -> packet)
    std::map<int, std::map<std::uint32_t, QByteArray>> instances;
    size_t pos = 2;
    while (pos + 4 <= bytes.size()) {
        if (bytes[pos] != 0xFF) {
            ++pos;
            continue;
        }
        const std::uint8_t marker = bytes[pos + 1];
        if (marker == 0xFF || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            pos += marker == 0xFF ? 1 : 2;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9)
            break; // metadata segments come before the first scan
        const size_t length = (size_t(bytes[pos + 2]) << 8) | bytes[pos + 3];
        if (length < 2 || pos + 2 + length > bytes.size())
            return malformed(QStringLiteral("a JPEG segment runs past the end of the file"));
        const std::uint8_t *payload = bytes.data() + pos + 4;
        const size_t payloadSize = length - 2;
        if (marker == 0xEB && payloadSize >= 16 && payload[0] == 'J' && payload[1] == 'P') {
            const int instance = (payload[2] << 8) | payload[3];
            const std::uint32_t sequence = be32(payload + 4);
            auto &packets = instances[instance];
            if (packets.count(sequence))
                return malformed(QStringLiteral("APP11 packet %1 appears twice").arg(sequence));
            if (packets.size() < 65536)
                packets[sequence] = QByteArray(
                    reinterpret_cast<const char *>(payload + 8), qsizetype(payloadSize - 8));
        }
        pos += 2 + length;
    }
    for (const auto &[instance, packets] : instances) {
        QByteArray joined;
        qsizetype repeatedHeader = 8;
        bool first = true;
        for (const auto &[sequence, packet] : packets) {
            if (first && packet.size() >= 4)
                repeatedHeader
                    = be32(reinterpret_cast<const std::uint8_t *>(packet.constData())) == 1 ? 16
                                                                                            : 8;
            joined += first ? packet : packet.mid(repeatedHeader);
            first = false;
        }
        // jumb header (8), jumd header (8), UUID (16), toggles (1), then the label.
        const qsizetype labelAt = repeatedHeader + 8 + 16 + 1;
        if (joined.mid(repeatedHeader + 4, 4) == "jumd"
            && joined.mid(labelAt, 5) == QByteArray("c2pa\0", 5))
            return std::optional<QByteArray>(joined);
    }
    return std::optional<QByteArray>();
}

// WebP: a RIFF chunk "C2PA" holds the store.
Result<std::optional<QByteArray>> webpC2paChunk(std::span<const std::uint8_t> bytes)
{
    size_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const std::uint32_t size = std::uint32_t(bytes[pos + 4])
            | (std::uint32_t(bytes[pos + 5]) << 8) | (std::uint32_t(bytes[pos + 6]) << 16)
            | (std::uint32_t(bytes[pos + 7]) << 24);
        if (size > bytes.size() - pos - 8)
            return malformed(QStringLiteral("a WebP chunk runs past the end of the file"));
        if (std::equal(bytes.data() + pos, bytes.data() + pos + 4, "C2PA"))
            return std::optional<QByteArray>(QByteArray(
                reinterpret_cast<const char *>(bytes.data() + pos + 8), qsizetype(size)));
        pos += 8 + size_t(size) + (size & 1); // chunks are padded to even sizes
    }
    return std::optional<QByteArray>();
}

// A JUMBF box: LBox (4, big-endian; 1 = 8-byte XLBox follows; 0 = to the end), TBox (4).
struct Box {
    QByteArray type;
    QByteArray payload;
};

Result<std::vector<Box>> splitBoxes(const QByteArray &data)
{
    std::vector<Box> boxes;
    qsizetype pos = 0;
    while (pos < data.size()) {
        if (data.size() - pos < 8)
            return malformed(QStringLiteral("a JUMBF box header is cut short"));
        const auto *p = reinterpret_cast<const std::uint8_t *>(data.constData() + pos);
        quint64 length = be32(p);
        qsizetype header = 8;
        if (length == 1) {
            if (data.size() - pos < 16)
                return malformed(QStringLiteral("a JUMBF box's extended length is cut short"));
            length = (quint64(be32(p + 8)) << 32) | be32(p + 12);
            header = 16;
        } else if (length == 0) {
            length = quint64(data.size() - pos);
        }
        if (length < quint64(header) || length > quint64(data.size() - pos))
            return malformed(QStringLiteral("a JUMBF box declares %1 bytes, more than remain "
                                            "(truncated)")
                                 .arg(length));
        boxes.push_back(
            { data.mid(pos + 4, 4), data.mid(pos + header, qsizetype(length) - header) });
        pos += qsizetype(length);
    }
    return boxes;
}

// A JUMBF superbox ("jumb"): its description box ("jumd": 16-byte type UUID, toggles, then a
// NUL-terminated label when toggle bit 1 is set) and its content boxes.
struct Superbox {
    QString label;
    std::vector<Box> contents;
};

Result<Superbox> readSuperbox(const QByteArray &payload)
{
    Result<std::vector<Box>> boxes = splitBoxes(payload);
    if (!boxes)
        return boxes.error();
    if (boxes->empty() || boxes->front().type != "jumd")
        return malformed(QStringLiteral("a JUMBF superbox does not start with its description"));
    const QByteArray &description = boxes->front().payload;
    if (description.size() < 17)
        return malformed(QStringLiteral("a JUMBF description box is cut short"));
    Superbox superbox;
    if (description.at(16) & 0x02) {
        const qsizetype end = description.indexOf('\0', 17);
        superbox.label = QString::fromUtf8(description.mid(17, end < 0 ? -1 : end - 17));
    }
    superbox.contents.assign(boxes->begin() + 1, boxes->end());
    return superbox;
}

QCborValue firstCbor(const Superbox &box)
{
    for (const Box &content : box.contents) {
        if (content.type == "cbor")
            return QCborValue::fromCbor(content.payload);
    }
    return {};
}

QString textOf(const QCborValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isMap()) // e.g. softwareAgent / claim_generator_info: {"name": ..., "version": ...}
        return value.toMap().value(QStringLiteral("name")).toString();
    return {};
}

// Names in a DER certificate: the values after the OIDs for commonName (2.5.4.3) and
// organizationName (2.5.4.10), as text. The issuer's names come first in the certificate.
QString certificateNames(const QByteArray &der)
{
    QStringList names;
    for (qsizetype i = 0; i + 7 < der.size() && names.size() < 4; ++i) {
        if (der.at(i) != 0x06 || der.at(i + 1) != 0x03 || der.at(i + 2) != 0x55
            || der.at(i + 3) != 0x04 || (der.at(i + 4) != 0x03 && der.at(i + 4) != 0x0A))
            continue;
        const char tag = der.at(i + 5);
        const int length = quint8(der.at(i + 6));
        if ((tag == 0x0C || tag == 0x13 || tag == 0x16) && length < 0x80
            && i + 7 + length <= der.size())
            names.append(QString::fromUtf8(der.mid(i + 7, length)));
    }
    names.removeDuplicates();
    return names.join(QStringLiteral(", "));
}

// COSE_Sign1 (CBOR tag 18): [protected (bstr of a map), unprotected map, payload, signature].
// The certificate chain is header label 33 (x5chain); older manifests use "x5chain".
QString signatureIssuer(const QCborValue &signature)
{
    const QCborArray cose = (signature.isTag() ? signature.taggedValue() : signature).toArray();
    if (cose.size() < 2)
        return {};
    const QCborMap headers[]
        = { QCborValue::fromCbor(cose.at(0).toByteArray()).toMap(), cose.at(1).toMap() };
    for (const QCborMap &header : headers) {
        QCborValue chain = header.value(33);
        if (chain.isUndefined())
            chain = header.value(QStringLiteral("x5chain"));
        const QByteArray first
            = chain.isArray() ? chain.toArray().at(0).toByteArray() : chain.toByteArray();
        if (!first.isEmpty())
            return certificateNames(first);
    }
    return {};
}

} // namespace

Result<std::optional<QByteArray>> extractC2paJumbf(
    std::span<const std::uint8_t> bytes, ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg: return jpegApp11Jumbf(bytes);
    case ImageFormat::WebP: return webpC2paChunk(bytes);
    case ImageFormat::Heif:
    case ImageFormat::Avif: return bmffC2paStore(bytes);
    case ImageFormat::JpegXl: return jpegXlC2paStore(bytes);
    case ImageFormat::Tiff:
    case ImageFormat::Raw: // CR3 is ISO-BMFF; DNG and the others are TIFF-based
        return bytes.size() >= 8 && std::memcmp(bytes.data() + 4, "ftyp", 4) == 0
            ? bmffC2paStore(bytes)
            : tiffC2paStore(bytes);
    case ImageFormat::Gif: return gifC2paStore(bytes);
    default: return std::optional<QByteArray>(); // PNG: scanPngChunks() finds the caBX chunk
    }
}

QString c2paContainerName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Jpeg: return QStringLiteral("JPEG APP11");
    case ImageFormat::Png: return QStringLiteral("PNG caBX");
    case ImageFormat::WebP: return QStringLiteral("WebP C2PA");
    case ImageFormat::Heif: return QStringLiteral("HEIF uuid box");
    case ImageFormat::Avif: return QStringLiteral("AVIF uuid box");
    case ImageFormat::JpegXl: return QStringLiteral("JPEG XL jumb box");
    case ImageFormat::Tiff: return QStringLiteral("TIFF tag 52545");
    case ImageFormat::Raw: return QStringLiteral("DNG tag 52545");
    case ImageFormat::Gif: return QStringLiteral("GIF C2PA_GIF extension");
    default: return imageFormatDisplayName(format);
    }
}

Result<C2paSummary> parseC2paJumbf(const QByteArray &jumbf, const QString &container)
{
    Result<std::vector<Box>> top = splitBoxes(jumbf);
    if (!top)
        return top.error();
    if (top->empty() || top->front().type != "jumb")
        return malformed(QStringLiteral("the C2PA data is not a JUMBF superbox"));
    Result<Superbox> store = readSuperbox(top->front().payload);
    if (!store)
        return store.error();
    if (store->label != QLatin1String("c2pa"))
        return malformed(QStringLiteral("the JUMBF superbox is labelled \"%1\", not \"c2pa\"")
                             .arg(store->label));

    C2paSummary summary;
    summary.container = container;
    std::optional<Superbox> active;
    for (const Box &box : store->contents) {
        if (box.type != "jumb")
            continue;
        Result<Superbox> manifest = readSuperbox(box.payload);
        if (!manifest)
            return manifest.error();
        summary.manifests.append(manifest->label);
        active = std::move(manifest).value();
    }
    if (!active)
        return malformed(QStringLiteral("the C2PA store holds no manifest"));

    for (const Box &box : active->contents) {
        if (box.type != "jumb")
            continue;
        Result<Superbox> part = readSuperbox(box.payload);
        if (!part)
            return part.error();
        if (part->label.startsWith(QLatin1String("c2pa.claim"))) {
            const QCborMap claim = firstCbor(*part).toMap();
            summary.claimGenerator = claim.value(QStringLiteral("claim_generator")).toString();
            if (summary.claimGenerator.isEmpty()) {
                // C2PA 1.x: a list of {name, version}; 2.x: a single map.
                const QCborValue info = claim.value(QStringLiteral("claim_generator_info"));
                summary.claimGenerator = textOf(info.isArray() ? info.toArray().at(0) : info);
            }
            summary.title = claim.value(QStringLiteral("dc:title")).toString();
        } else if (part->label == QLatin1String("c2pa.signature")) {
            summary.signatureIssuer = signatureIssuer(firstCbor(*part));
        } else if (part->label == QLatin1String("c2pa.assertions")) {
            for (const Box &assertionBox : part->contents) {
                if (assertionBox.type != "jumb")
                    continue;
                Result<Superbox> assertion = readSuperbox(assertionBox.payload);
                if (!assertion)
                    return assertion.error();
                const QCborMap content = firstCbor(*assertion).toMap();
                if (assertion->label.startsWith(QLatin1String("c2pa.actions"))) {
                    for (const QCborValue &item :
                        content.value(QStringLiteral("actions")).toArray()) {
                        const QCborMap action = item.toMap();
                        summary.actions.push_back(
                            { action.value(QStringLiteral("action")).toString(),
                                action.value(QStringLiteral("digitalSourceType")).toString(),
                                textOf(action.value(QStringLiteral("softwareAgent"))) });
                    }
                } else if (assertion->label.startsWith(QLatin1String("c2pa.ingredient"))) {
                    summary.ingredients.append(
                        content.value(QStringLiteral("dc:title"))
                            .toString(content.value(QStringLiteral("title")).toString()));
                }
            }
        }
    }
    return summary;
}

} // namespace forgelens
