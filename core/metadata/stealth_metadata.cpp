#include "forgelens/metadata/stealth_metadata.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <zlib.h>

#include <array>
#include <cstring>
#include <vector>

namespace forgelens {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr int kSignatureBits = 15 * 8;
constexpr qsizetype kMaxPayloadBytes = 1 << 20;

std::uint32_t be32(Bytes bytes, size_t at)
{
    return (std::uint32_t(bytes[at]) << 24) | (std::uint32_t(bytes[at + 1]) << 16)
        | (std::uint32_t(bytes[at + 2]) << 8) | std::uint32_t(bytes[at + 3]);
}

// The low bits in the stealth order, from pixels given column by column.
class BitStream {
public:
    void push(int bit) { m_bits.push_back(std::uint8_t(bit & 1)); }
    size_t size() const { return m_bits.size(); }
    QByteArray bytes(size_t firstBit, size_t count) const
    {
        QByteArray out;
        for (size_t byte = 0; byte < count; ++byte) {
            int value = 0;
            for (size_t bit = 0; bit < 8; ++bit)
                value = (value << 1) | m_bits[firstBit + byte * 8 + bit];
            out.append(char(value));
        }
        return out;
    }

private:
    std::vector<std::uint8_t> m_bits;
};

QString signatureIn(const BitStream &bits, bool alpha)
{
    if (bits.size() < size_t(kSignatureBits))
        return {};
    const QByteArray head = bits.bytes(0, 15);
    for (const char *name : alpha ? std::array{ "stealth_pnginfo", "stealth_pngcomp" }
                                  : std::array{ "stealth_rgbinfo", "stealth_rgbcomp" }) {
        if (head == name)
            return QString::fromLatin1(name);
    }
    return {};
}

// Pixels (channels in R G B A order) of column 0, rows 0..rows-1, of a non-interlaced 8-bit
// RGB or RGBA PNG, inflating only as much of the image data as those rows need. Each row is a
// filter byte and the row's bytes; the first pixel's filters have no left neighbour, so Sub is
// the raw value, and Up, Paeth (which then predicts the pixel above) and Average (half of it)
// need only the first pixel of the row above.
// The pixel limit is applied from IHDR, before anything is inflated: a few bytes of header can
// declare a row of hundreds of megabytes.
std::optional<std::vector<std::array<std::uint8_t, 4>>> pngFirstColumn(
    Bytes bytes, int rows, qint64 maxPixels, int &width, int &height, int &channels)
{
    if (bytes.size() < 33 || be32(bytes, 12) != 0x49484452u) // IHDR first
        return std::nullopt;
    const std::uint32_t declaredWidth = be32(bytes, 16), declaredHeight = be32(bytes, 20);
    if (declaredWidth == 0 || declaredHeight == 0 || declaredWidth > 0x7FFFFFFFu
        || declaredHeight > 0x7FFFFFFFu || qint64(declaredWidth) * declaredHeight > maxPixels)
        return std::nullopt;
    width = int(declaredWidth);
    height = int(declaredHeight);
    const int depth = bytes[24], colour = bytes[25], interlace = bytes[28];
    if (depth != 8 || interlace != 0 || (colour != 2 && colour != 6))
        return std::nullopt;
    channels = colour == 6 ? 4 : 3;
    const size_t rowBytes = 1 + size_t(width) * size_t(channels);
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK)
        return std::nullopt;
    std::vector<std::uint8_t> row(rowBytes);
    std::vector<std::array<std::uint8_t, 4>> column;
    std::array<std::uint8_t, 4> above{};
    size_t filled = 0;
    size_t at = 8;
    bool failed = false;
    while (!failed && at + 12 <= bytes.size() && int(column.size()) < rows) {
        const size_t length = be32(bytes, at);
        const std::uint32_t type = be32(bytes, at + 4);
        if (length > bytes.size() - at - 12)
            break;
        if (type == 0x49444154u) { // IDAT
            zs.next_in = const_cast<Bytef *>(bytes.data() + at + 8);
            zs.avail_in = uInt(length);
            while (zs.avail_in > 0 && int(column.size()) < rows) {
                zs.next_out = row.data() + filled;
                zs.avail_out = uInt(rowBytes - filled);
                const int status = inflate(&zs, Z_NO_FLUSH);
                filled = rowBytes - zs.avail_out;
                if (filled == rowBytes) {
                    std::array<std::uint8_t, 4> pixel{ 0, 0, 0, 255 };
                    for (int c = 0; c < channels; ++c) {
                        const int raw = row[1 + size_t(c)];
                        switch (row[0]) {
                        case 2: // Up
                        case 4: pixel[c] = std::uint8_t(raw + above[c]); break; // Paeth
                        case 3: pixel[c] = std::uint8_t(raw + above[c] / 2); break; // Average
                        default: pixel[c] = std::uint8_t(raw); break; // None, Sub
                        }
                    }
                    column.push_back(pixel);
                    above = pixel;
                    filled = 0;
                }
                if (status == Z_STREAM_END || (status != Z_OK && status != Z_BUF_ERROR)) {
                    failed = status != Z_STREAM_END;
                    break;
                }
                if (status == Z_BUF_ERROR && zs.avail_in == 0)
                    break;
            }
        } else if (type == 0x49454E44u) { // IEND
            break;
        }
        at += 12 + length;
    }
    inflateEnd(&zs);
    return column;
}

QByteArray gunzip(const QByteArray &data, QString &problem)
{
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        problem = QStringLiteral("zlib could not start");
        return {};
    }
    QByteArray out(kMaxPayloadBytes, Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    const int status = inflate(&zs, Z_FINISH);
    out.truncate(qsizetype(zs.total_out));
    inflateEnd(&zs);
    if (status != Z_STREAM_END)
        problem = status == Z_BUF_ERROR && zs.avail_out == 0
            ? QStringLiteral("the hidden metadata inflates to more than a megabyte; cut there")
            : QStringLiteral("the hidden metadata's gzip data is damaged");
    return out;
}

// Every pixel's low bits in stealth order, then the payload after the signature.
std::optional<StealthMetadata> readFromPixels(const cv::Mat &image, bool alpha)
{
    BitStream bits;
    const int channels = image.channels();
    if (alpha && channels != 4)
        return std::nullopt;
    // OpenCV's order is B G R (A): the RGB mode's red, green, blue are channels 2, 1, 0.
    const size_t needed = size_t(kSignatureBits) + 32 + size_t(kMaxPayloadBytes) * 8;
    for (int x = 0; x < image.cols && bits.size() < needed; ++x) {
        for (int y = 0; y < image.rows && bits.size() < needed; ++y) {
            const std::uint8_t *pixel = image.ptr<std::uint8_t>(y) + size_t(x) * size_t(channels);
            if (alpha) {
                bits.push(pixel[3]);
            } else {
                bits.push(pixel[2]);
                bits.push(pixel[1]);
                bits.push(pixel[0]);
            }
        }
    }
    const QString signature = signatureIn(bits, alpha);
    if (signature.isEmpty())
        return std::nullopt;
    StealthMetadata out;
    out.signature = signature;
    out.alpha = alpha;
    if (bits.size() < size_t(kSignatureBits) + 32) {
        out.problem = QStringLiteral("the image ends before the hidden metadata's length");
        return out;
    }
    const QByteArray lengthBytes = bits.bytes(kSignatureBits, 4);
    const std::uint32_t lengthBits
        = be32(Bytes(reinterpret_cast<const std::uint8_t *>(lengthBytes.constData()), 4), 0);
    const size_t available = (bits.size() - size_t(kSignatureBits) - 32) / 8;
    const size_t payloadBytes = std::min<size_t>(lengthBits / 8, available);
    if (payloadBytes < lengthBits / 8)
        out.problem = QStringLiteral("the hidden metadata declares %1 bytes; %2 were read")
                          .arg(lengthBits / 8)
                          .arg(payloadBytes);
    const QByteArray payload = bits.bytes(size_t(kSignatureBits) + 32, payloadBytes);
    QString problem;
    const QByteArray text
        = signature.endsWith(QLatin1String("comp")) ? gunzip(payload, problem) : payload;
    if (!problem.isEmpty())
        out.problem = problem;
    out.text = QString::fromUtf8(text);
    return out;
}

std::optional<StealthMetadata> decodeAndRead(Bytes bytes, bool tryAlpha, bool tryRgb)
{
    cv::Mat image;
    try {
        const cv::Mat encoded(
            1, int(bytes.size()), CV_8UC1, const_cast<std::uint8_t *>(bytes.data()));
        image = cv::imdecode(encoded, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const cv::Exception &) {
        return std::nullopt;
    }
    if (image.empty() || image.depth() != CV_8U)
        return std::nullopt;
    if (tryAlpha) {
        if (auto found = readFromPixels(image, true))
            return found;
    }
    if (tryRgb && image.channels() >= 3)
        return readFromPixels(image, false);
    return std::nullopt;
}

} // namespace

std::optional<StealthMetadata> readStealthMetadata(
    Bytes bytes, ImageFormat format, qint64 maxPixels)
{
    if (format == ImageFormat::Png) {
        int width = 0, height = 0, channels = 0;
        // 120 rows cover the alpha signature, 40 the RGB one; a shorter image continues into
        // the next column, which only a whole decode gives.
        const auto column
            = pngFirstColumn(bytes, kSignatureBits, maxPixels, width, height, channels);
        if (!column)
            return std::nullopt;
        if (height < kSignatureBits) // cheap to decode whole, and the only way to read it
            return decodeAndRead(bytes, channels == 4, true);
        BitStream alphaBits, rgbBits;
        for (const auto &pixel : *column) {
            alphaBits.push(pixel[3]);
            for (int c = 0; c < 3; ++c)
                rgbBits.push(pixel[c]);
        }
        const bool alpha = channels == 4 && !signatureIn(alphaBits, true).isEmpty();
        const bool rgb = !signatureIn(rgbBits, false).isEmpty();
        if (!alpha && !rgb)
            return std::nullopt;
        return decodeAndRead(bytes, alpha, rgb);
    }
    if (format == ImageFormat::WebP && bytes.size() >= 30) {
        // Lossless (VP8L), or extended with an alpha chunk: the alpha plane is lossless even when
        // the colour is not (SwarmUI writes stealth alpha into WebP).
        const QByteArray head
            = QByteArray::fromRawData(reinterpret_cast<const char *>(bytes.data()),
                qsizetype(std::min<size_t>(bytes.size(), 4096)));
        const bool lossless = head.mid(12, 4) == "VP8L";
        const bool alphaChunk = head.mid(12, 4) == "VP8X" && (bytes[20] & 0x10) != 0;
        if (!lossless && !alphaChunk)
            return std::nullopt;
        qint64 width = 0, height = 0;
        if (lossless) { // 14 bits each of width-1 and height-1 after the signature byte
            const std::uint32_t bits = std::uint32_t(bytes[21]) | (std::uint32_t(bytes[22]) << 8)
                | (std::uint32_t(bytes[23]) << 16) | (std::uint32_t(bytes[24]) << 24);
            width = qint64(bits & 0x3FFFu) + 1;
            height = qint64((bits >> 14) & 0x3FFFu) + 1;
        } else { // the VP8X canvas: 24 bits each of width-1 and height-1
            width = qint64(bytes[24] | (bytes[25] << 8) | (bytes[26] << 16)) + 1;
            height = qint64(bytes[27] | (bytes[28] << 8) | (bytes[29] << 16)) + 1;
        }
        if (width * height > maxPixels)
            return std::nullopt;
        return decodeAndRead(bytes, true, lossless);
    }
    return std::nullopt;
}

MetadataProperty stealthProperty(const StealthMetadata &stealth)
{
    return MetadataProperty{ QStringLiteral("Hidden"),
        QStringLiteral("Hidden.%1").arg(stealth.signature),
        stealth.alpha ? QStringLiteral("alpha low bits") : QStringLiteral("RGB low bits"),
        stealth.text, stealth.text };
}

} // namespace forgelens
