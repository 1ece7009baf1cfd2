#include "c2pa_containers.h"

#include "bmff_boxes.h"

#include <cstring>
#include <vector>

namespace forgelens {
namespace {

using Bytes = std::span<const std::uint8_t>;

Error malformed(const QString &message)
{
    return Error{ ErrorCode::MalformedC2pa, message };
}

std::uint32_t be32(Bytes bytes, std::uint64_t at)
{
    return (std::uint32_t(bytes[at]) << 24) | (std::uint32_t(bytes[at + 1]) << 16)
        | (std::uint32_t(bytes[at + 2]) << 8) | std::uint32_t(bytes[at + 3]);
}

QByteArray slice(Bytes bytes, std::uint64_t at, std::uint64_t length)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data() + at), qsizetype(length));
}

// A JUMBF superbox ("jumb") whose first child, the description box ("jumd"), carries the label
// "c2pa": header (8), jumd header (8), content-type UUID (16), toggles (1), then the label.
bool isC2paSuperbox(Bytes bytes, std::uint64_t start, std::uint64_t end)
{
    const std::uint64_t label = start + 8 + 8 + 16 + 1;
    return label + 5 <= end && be32(bytes, start + 4) == 0x6A756D62u // jumb
        && be32(bytes, start + 12) == 0x6A756D64u // jumd
        && std::memcmp(bytes.data() + label, "c2pa\0", 5) == 0;
}

} // namespace

Result<std::optional<QByteArray>> bmffC2paStore(Bytes bytes)
{
    static constexpr std::uint8_t kC2paUuid[16] = { 0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C,
        0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81 };
    Result<std::vector<BmffBox>> boxes = topLevelBoxes(bytes);
    if (!boxes)
        return malformed(boxes.error().message);
    for (const BmffBox &box : *boxes) {
        if (box.type != 0x75756964u || box.payload + 16 + 4 > box.end // uuid, version/flags
            || std::memcmp(bytes.data() + box.payload, kC2paUuid, 16) != 0)
            continue;
        std::uint64_t at = box.payload + 16 + 4;
        const std::uint64_t purposeStart = at;
        while (at < box.end && bytes[at] != 0)
            ++at;
        if (at >= box.end)
            return malformed(QStringLiteral("the C2PA uuid box's purpose string is not ended"));
        const QByteArray purpose = slice(bytes, purposeStart, at - purposeStart);
        ++at;
        if (purpose != "manifest" && purpose != "original")
            continue; // "update" and "merkle" boxes carry no store of their own to read
        at += 8; // absolute offset of the first merkle box, or 0
        if (at + 8 > box.end || !isC2paSuperbox(bytes, at, box.end))
            return malformed(QStringLiteral("the C2PA uuid box holds no JUMBF manifest store"));
        const std::uint64_t storeEnd = at + be32(bytes, at);
        if (storeEnd > box.end || storeEnd <= at)
            return malformed(QStringLiteral("the C2PA manifest store runs past its uuid box"));
        return std::optional<QByteArray>(slice(bytes, at, storeEnd - at));
    }
    return std::optional<QByteArray>();
}

Result<std::optional<QByteArray>> jpegXlC2paStore(Bytes bytes)
{
    if (bytes.size() < 2 || (bytes[0] == 0xFF && bytes[1] == 0x0A))
        return std::optional<QByteArray>(); // a bare codestream cannot carry one
    Result<std::vector<BmffBox>> boxes = topLevelBoxes(bytes);
    if (!boxes)
        return malformed(boxes.error().message);
    for (const BmffBox &box : *boxes) {
        if (box.type == 0x6A756D62u && isC2paSuperbox(bytes, box.start, box.end)) // jumb
            return std::optional<QByteArray>(slice(bytes, box.start, box.end - box.start));
    }
    return std::optional<QByteArray>();
}

Result<std::optional<QByteArray>> tiffC2paStore(Bytes bytes)
{
    if (bytes.size() < 8)
        return std::optional<QByteArray>();
    const bool little = bytes[0] == 'I';
    const auto u16 = [&](std::uint64_t at) {
        return little ? std::uint16_t(bytes[at] | (bytes[at + 1] << 8))
                      : std::uint16_t((bytes[at] << 8) | bytes[at + 1]);
    };
    const auto u32 = [&](std::uint64_t at) {
        return little ? std::uint32_t(bytes[at]) | (std::uint32_t(bytes[at + 1]) << 8)
                | (std::uint32_t(bytes[at + 2]) << 16) | (std::uint32_t(bytes[at + 3]) << 24)
                      : be32(bytes, at);
    };
    // Every directory in the chain, bounded (a loop in the chain must not hold the reader).
    std::vector<std::uint64_t> directories;
    for (std::uint64_t ifd = u32(4); ifd != 0 && directories.size() < 1024;) {
        if (ifd + 2 > bytes.size())
            break;
        for (const std::uint64_t seen : directories) {
            if (seen == ifd)
                return malformed(QStringLiteral("the TIFF directories form a loop"));
        }
        directories.push_back(ifd);
        const std::uint64_t next = ifd + 2 + std::uint64_t(u16(ifd)) * 12;
        if (next + 4 > bytes.size())
            break;
        ifd = u32(next);
    }
    // The last directory first (C2PA 1.4 and later), then the first (earlier versions).
    if (directories.empty())
        return std::optional<QByteArray>();
    for (const std::uint64_t ifd : { directories.back(), directories.front() }) {
        const std::uint16_t entries = u16(ifd);
        for (std::uint16_t i = 0; i < entries; ++i) {
            const std::uint64_t entry = ifd + 2 + std::uint64_t(i) * 12;
            if (entry + 12 > bytes.size())
                break;
            if (u16(entry) != 52545)
                continue;
            if (u16(entry + 2) != 7)
                return malformed(QStringLiteral("the TIFF C2PA tag (52545) is not of type "
                                                "UNDEFINED"));
            const std::uint64_t count = u32(entry + 4);
            const std::uint64_t at = count <= 4 ? entry + 8 : u32(entry + 8);
            if (at + count > bytes.size() || count < 8)
                return malformed(QStringLiteral("the TIFF C2PA tag's data runs past the file's "
                                                "end"));
            return std::optional<QByteArray>(slice(bytes, at, count));
        }
    }
    return std::optional<QByteArray>();
}

Result<std::optional<QByteArray>> gifC2paStore(Bytes bytes)
{
    const std::uint64_t size = bytes.size();
    if (size < 13)
        return std::optional<QByteArray>();
    std::uint64_t at = 13 + ((bytes[10] & 0x80) ? 3u * (1u << ((bytes[10] & 0x07) + 1)) : 0);
    // Blocks before the first image descriptor: extensions (introducer 0x21, label, sub-blocks).
    while (at + 2 <= size && bytes[at] == 0x21) {
        const bool application = bytes[at + 1] == 0xFF;
        at += 2;
        const bool c2pa = application && at + 12 <= size && bytes[at] == 11
            && std::memcmp(bytes.data() + at + 1, "C2PA_GIF", 8) == 0;
        QByteArray joined;
        bool first = true;
        while (at < size) {
            const std::uint64_t length = bytes[at];
            if (at + 1 + length > size)
                return c2pa ? Result<std::optional<QByteArray>>(malformed(
                           QStringLiteral("the GIF C2PA extension runs past the file's end")))
                            : Result<std::optional<QByteArray>>(std::optional<QByteArray>());
            if (length == 0) {
                ++at;
                break;
            }
            if (c2pa && !first)
                joined += slice(bytes, at + 1, length);
            first = false; // the first sub-block is the identifier and authentication code
            at += 1 + length;
        }
        if (c2pa)
            return std::optional<QByteArray>(joined);
    }
    return std::optional<QByteArray>();
}

} // namespace forgelens
