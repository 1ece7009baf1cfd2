#include "bmff_boxes.h"

namespace forgelens {
namespace {

std::uint32_t be32(std::span<const std::uint8_t> bytes, std::uint64_t at)
{
    return (std::uint32_t(bytes[at]) << 24) | (std::uint32_t(bytes[at + 1]) << 16)
        | (std::uint32_t(bytes[at + 2]) << 8) | std::uint32_t(bytes[at + 3]);
}

} // namespace

Result<std::vector<BmffBox>> topLevelBoxes(std::span<const std::uint8_t> bytes)
{
    std::vector<BmffBox> boxes;
    std::uint64_t at = 0;
    const std::uint64_t size = bytes.size();
    while (at + 8 <= size && boxes.size() < 100000) {
        std::uint64_t length = be32(bytes, at);
        BmffBox box{ be32(bytes, at + 4), at, at + 8, 0 };
        if (length == 1) {
            if (at + 16 > size)
                return Error{ ErrorCode::MetadataMalformed,
                    QStringLiteral("a box's 64-bit size runs past the file's end") };
            length = (std::uint64_t(be32(bytes, at + 8)) << 32) | be32(bytes, at + 12);
            box.payload = at + 16;
        } else if (length == 0) {
            length = size - at;
        }
        if (length < box.payload - at)
            return Error{ ErrorCode::MetadataMalformed,
                QStringLiteral("box %1 at byte %2 declares a size smaller than its header")
                    .arg(box.type, 8, 16, QLatin1Char('0'))
                    .arg(at) };
        if (length > size - at)
            break; // cut short: the decoder says the file is truncated; the boxes before stand
        box.end = at + length;
        boxes.push_back(box);
        at = box.end;
    }
    return boxes;
}

} // namespace forgelens
