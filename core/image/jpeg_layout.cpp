#include "jpeg_layout.h"

namespace forgelens {

JpegLayout walkJpeg(std::span<const std::uint8_t> bytes)
{
    JpegLayout layout;
    const size_t size = bytes.size();
    const auto isRestart = [](std::uint8_t m) { return m >= 0xD0 && m <= 0xD7; };
    size_t pos = 2; // after SOI
    while (pos + 1 < size) {
        const std::uint8_t marker = bytes[pos + 1];
        if (bytes[pos] != 0xFF || marker == 0xFF) { // stray byte, or a fill byte before a marker
            ++pos;
            continue;
        }
        if (marker == 0xD9) { // EOI
            layout.endsProperly = true;
            return layout;
        }
        if (marker == 0x00 || marker == 0x01 || isRestart(marker)) { // no length field
            pos += 2;
            continue;
        }
        if (pos + 4 > size)
            return layout;
        const size_t length = (size_t(bytes[pos + 2]) << 8) | bytes[pos + 3];
        if (length < 2)
            return layout;
        if (marker >= 0xC0 && marker <= 0xC2)
            layout.huffman = true;
        pos += 2 + length;
        if (marker == 0xDA) {
            ++layout.scans;
            // Entropy-coded data runs to the first marker that is neither a stuffed zero
            // (FF 00) nor a restart marker.
            const size_t start = pos;
            while (pos + 1 < size
                && !(bytes[pos] == 0xFF && bytes[pos + 1] != 0x00 && !isRestart(bytes[pos + 1])))
                ++pos;
            layout.entropyBytes += qint64(qMin(pos, size) - qMin(start, size));
        }
    }
    return layout;
}

} // namespace forgelens
