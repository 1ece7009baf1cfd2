#include "forgelens/metadata/jpeg_structure.h"

#include <QStringList>

#include <cstdlib>

namespace forgelens {
namespace {

Error malformed(const QString &message)
{
    return Error{ ErrorCode::MalformedJpeg, message };
}

// DQT stores coefficients in zigzag order; kZigzag[i] is the natural (row-major) index of the
// i-th stored value (ITU T.81 Figure A.6).
constexpr int kZigzag[64] = { 0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26,
    33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15,
    23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63 };

// ITU T.81 Annex K.1 example tables, natural order: the base every IJG-derived encoder scales.
constexpr int kLuminance[64]
    = { 16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
          56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
          104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99 };
constexpr int kChrominance[64]
    = { 17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99,
          99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
          99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99 };

// libjpeg's jpeg_quality_scaling() and jpeg_add_quant_table() with force_baseline.
int scaledEntry(int base, int quality)
{
    const int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
    const int value = (base * scale + 50) / 100;
    return std::clamp(value, 1, 255);
}

// Table 0 is compared with the luminance base, every other with the chrominance base.
long distanceAtQuality(const std::vector<QuantizationTable> &tables, int quality)
{
    long distance = 0;
    for (const QuantizationTable &table : tables) {
        const int *base = table.id == 0 ? kLuminance : kChrominance;
        for (int i = 0; i < 64; ++i)
            distance += std::labs(long(table.values[size_t(i)]) - scaledEntry(base[i], quality));
    }
    return distance;
}

QString processName(std::uint8_t sof)
{
    // SOF0..SOF3 non-differential (Huffman), SOF5..7 differential = hierarchical, SOF9..11
    // arithmetic, SOF13..15 differential arithmetic.
    const bool hierarchical = (sof & 0x04) != 0;
    QString name;
    switch (sof & 0x03) {
    case 0:
        name = sof == 0xC0 ? QStringLiteral("baseline") : QStringLiteral("extended sequential");
        break;
    case 1: name = QStringLiteral("extended sequential"); break;
    case 2: name = QStringLiteral("progressive"); break;
    default: name = QStringLiteral("lossless"); break;
    }
    return hierarchical ? QStringLiteral("hierarchical ") + name : name;
}

} // namespace

Result<JpegStructure> readJpegStructure(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8)
        return malformed(QStringLiteral("not a JPEG file"));
    JpegStructure out;
    size_t pos = 2;
    while (pos + 4 <= bytes.size()) {
        const std::uint8_t marker = bytes[pos + 1];
        if (bytes[pos] != 0xFF || marker == 0xFF) {
            ++pos;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            pos += 2;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9)
            break; // tables and frame header precede the first scan
        const size_t length = (size_t(bytes[pos + 2]) << 8) | bytes[pos + 3];
        if (length < 2 || pos + 2 + length > bytes.size())
            return malformed(
                QStringLiteral("segment 0xFF%1 at byte %2 runs past the end of the file")
                    .arg(marker, 2, 16, QLatin1Char('0'))
                    .arg(pos));
        const std::uint8_t *payload = bytes.data() + pos + 4;
        const size_t size = length - 2;

        if (marker == 0xDB) { // DQT: one or more tables
            size_t at = 0;
            while (at < size) {
                QuantizationTable table;
                table.precision = (payload[at] >> 4) ? 16 : 8;
                table.id = payload[at] & 0x0F;
                const size_t tableBytes = table.precision == 16 ? 128 : 64;
                if (at + 1 + tableBytes > size || table.id > 3)
                    return malformed(QStringLiteral("a quantisation table (DQT) is cut short or "
                                                    "has an invalid id"));
                for (int i = 0; i < 64; ++i) {
                    const std::uint8_t *v = payload + at + 1 + (table.precision == 16 ? 2 * i : i);
                    table.values[size_t(kZigzag[i])]
                        = table.precision == 16 ? (v[0] << 8) | v[1] : v[0];
                }
                // A later table with the same id replaces the earlier one.
                std::erase_if(
                    out.tables, [&](const QuantizationTable &t) { return t.id == table.id; });
                out.tables.push_back(table);
                at += 1 + tableBytes;
            }
        } else if (marker == 0xDD && size >= 2) { // DRI
            out.restartInterval = (payload[0] << 8) | payload[1];
        } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
            && marker != 0xCC && out.components == 0) {
            out.process = processName(marker);
            out.arithmetic = marker >= 0xC9;
            if (size < 6)
                return malformed(QStringLiteral("the frame header (SOF) is cut short"));
            out.components = payload[5];
            if (size < 6 + size_t(out.components) * 3)
                return malformed(QStringLiteral("the frame header (SOF) is cut short"));
            const bool validFactors = [&] {
                for (int c = 0; c < out.components; ++c) {
                    const std::uint8_t factors = payload[7 + 3 * c];
                    if ((factors >> 4) < 1 || (factors >> 4) > 4 || (factors & 0x0F) < 1
                        || (factors & 0x0F) > 4)
                        return false;
                }
                return true;
            }();
            if (!validFactors) {
                out.subsampling = QStringLiteral("invalid sampling factors");
            } else if (out.components == 3) {
                const int h0 = payload[7] >> 4, v0 = payload[7] & 0x0F;
                const int h1 = payload[10] >> 4, v1 = payload[10] & 0x0F;
                const int h2 = payload[13] >> 4, v2 = payload[13] & 0x0F;
                const bool chromaAlike = h1 == h2 && v1 == v2; // Cb and Cr sampled alike
                if (chromaAlike && h1 == h0 && v1 == v0)
                    out.subsampling = QStringLiteral("4:4:4");
                else if (chromaAlike && h0 == 2 * h1 && v0 == 2 * v1)
                    out.subsampling = QStringLiteral("4:2:0");
                else if (chromaAlike && h0 == 2 * h1 && v0 == v1)
                    out.subsampling = QStringLiteral("4:2:2");
                else
                    out.subsampling = QStringLiteral("%1x%2, %3x%4, %5x%6")
                                          .arg(h0)
                                          .arg(v0)
                                          .arg(h1)
                                          .arg(v1)
                                          .arg(h2)
                                          .arg(v2);
            } else if (out.components == 1) {
                out.subsampling = QStringLiteral("greyscale");
            }
        }
        pos += 2 + length;
    }

    if (!out.tables.empty()) {
        std::sort(out.tables.begin(), out.tables.end(),
            [](const QuantizationTable &a, const QuantizationTable &b) { return a.id < b.id; });
        long best = -1;
        for (int quality = 1; quality <= 100; ++quality) {
            const long distance = distanceAtQuality(out.tables, quality);
            if (best < 0 || distance < best) {
                best = distance;
                out.estimatedQuality = quality;
            }
        }
        out.standardTables = best == 0;
    }
    return out;
}

} // namespace forgelens
