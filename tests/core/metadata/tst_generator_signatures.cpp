// Generator signatures (core/metadata/generator_signatures.cpp), hidden metadata in the pixels'
// lowest bits (stealth_metadata.cpp), C2PA stores outside JPEG and PNG (c2pa_containers.cpp) and
// the structural findings beside them (container_findings.cpp, metadata_findings.cpp), on files
// written here byte by byte in each tool's own layout. Every layout is described above its test,
// with the tool's source file it was read from. The same bytes were written from Python and read
// back with ExifTool 12.57 (`exiftool -a -G1`, and `exiftool -validate -warning` for the TIFF and
// GIF files) when these fixtures were made, since they come from our own reading of the formats.
#include "forgelens/metadata/metadata_report.h"
#include "metadata_fixtures.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

#include <QtEndian>
#include <brotli/encode.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

// ---- bytes ----------------------------------------------------------------------------------

// UTF-16 code units of `text`, in either byte order, without a byte-order mark.
QByteArray utf16(const QString &text, bool bigEndian)
{
    QByteArray out;
    for (const QChar c : text) {
        const char high = char(c.unicode() >> 8);
        const char low = char(c.unicode() & 0xFF);
        out += bigEndian ? high : low;
        out += bigEndian ? low : high;
    }
    return out;
}

// EXIF UserComment with the "UNICODE\0" character code.
QByteArray unicodeComment(const QByteArray &utf8, bool bigEndian)
{
    return QByteArray("UNICODE", 8) + utf16(QString::fromUtf8(utf8), bigEndian);
}

// ---- reports --------------------------------------------------------------------------------

MetadataReport reportOf(const QByteArray &bytes, const MetadataFileFacts &file = {})
{
    return readMetadataReport(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) }, file);
}

// Every finding and error, for the failure messages.
QString listing(const MetadataReport &report)
{
    QStringList lines{ QStringLiteral("findings:") };
    for (const MetadataFinding &f : report.findings)
        lines.append(QStringLiteral("  %1: %2").arg(f.code, f.message));
    for (const Error &e : report.errors)
        lines.append(QStringLiteral("  error %1: %2").arg(e.codeName(), e.message));
    return lines.join(QStringLiteral("\n"));
}

std::vector<const MetadataFinding *> findingsOf(const MetadataReport &report, const QString &code)
{
    std::vector<const MetadataFinding *> out;
    for (const MetadataFinding &f : report.findings) {
        if (f.code == code)
            out.push_back(&f);
    }
    return out;
}

const MetadataFinding *finding(const MetadataReport &report, const QString &code)
{
    const std::vector<const MetadataFinding *> all = findingsOf(report, code);
    return all.empty() ? nullptr : all.front();
}

// The ai-generator-metadata finding for `generator`: "<generator> settings in <where>[: ...]".
const MetadataFinding *generatorFinding(const MetadataReport &report, const QString &generator)
{
    const QString prefix = generator + QStringLiteral(" settings in ");
    for (const MetadataFinding *f : findingsOf(report, QStringLiteral("ai-generator-metadata"))) {
        if (f->message.startsWith(prefix))
            return f;
    }
    return nullptr;
}

const QString kGeneratorCode = QStringLiteral("ai-generator-metadata");
const QString kHiddenCode = QStringLiteral("hidden-metadata");

// ---- PNG ------------------------------------------------------------------------------------

// tEXt: keyword, NUL, Latin-1 text (PIL's PngInfo.add_text for Latin-1 text).
QByteArray textChunk(const char *keyword, const QByteArray &text)
{
    return pngChunk("tEXt", QByteArray(keyword) + '\0' + text);
}

// iTXt, uncompressed: keyword, NUL, compression flag 0, method 0, empty language tag and
// translated keyword (each NUL-terminated), UTF-8 text.
QByteArray itxtChunk(const char *keyword, const QByteArray &utf8)
{
    return pngChunk("iTXt", QByteArray(keyword) + QByteArray(5, '\0') + utf8);
}

// ---- TIFF / EXIF ----------------------------------------------------------------------------

constexpr quint16 kAscii = 2;
constexpr quint16 kShort = 3;
constexpr quint16 kLong = 4;
constexpr quint16 kRational = 5;
constexpr quint16 kUndefined = 7;

struct IfdEntry {
    quint16 tag = 0;
    quint16 type = kAscii;
    QByteArray bytes; // ASCII (with its NUL) and UNDEFINED values
    QList<quint32> numbers; // SHORT and LONG values; RATIONAL: numerator, denominator
};

IfdEntry ascii(quint16 tag, const QByteArray &text)
{
    return { tag, kAscii, text + '\0', {} };
}

IfdEntry undefined(quint16 tag, const QByteArray &bytes)
{
    return { tag, kUndefined, bytes, {} };
}

IfdEntry shortValue(quint16 tag, quint32 value)
{
    return { tag, kShort, {}, { value } };
}

IfdEntry longValue(quint16 tag, quint32 value)
{
    return { tag, kLong, {}, { value } };
}

IfdEntry rational(quint16 tag, quint32 numerator, quint32 denominator)
{
    return { tag, kRational, {}, { numerator, denominator } };
}

struct TiffOrder {
    bool big = true;
    QByteArray u16(quint32 value) const
    {
        return big ? be16(quint16(value)) : le16(quint16(value));
    }
    QByteArray u32(quint32 value) const { return big ? be32(value) : le32(value); }
};

// One image file directory placed at `offset` (from the TIFF header): the entry count, the
// entries sorted by tag, the next directory's offset (0: none) unless `withNext` is false, then
// each value longer than 4 bytes, each starting on an even offset. Its size does not depend on
// the values, only on their lengths.
QByteArray ifdBlock(
    QList<IfdEntry> entries, quint32 offset, const TiffOrder &order, bool withNext = true)
{
    std::sort(entries.begin(), entries.end(),
        [](const IfdEntry &a, const IfdEntry &b) { return a.tag < b.tag; });
    const quint32 tableSize = 2 + 12 * quint32(entries.size()) + (withNext ? 4 : 0);
    QByteArray table = order.u16(quint32(entries.size()));
    QByteArray data;
    for (const IfdEntry &entry : entries) {
        QByteArray value;
        quint32 count = 0;
        if (entry.type == kShort || entry.type == kLong || entry.type == kRational) {
            for (const quint32 number : entry.numbers)
                value += entry.type == kShort ? order.u16(number) : order.u32(number);
            count = quint32(
                entry.type == kRational ? entry.numbers.size() / 2 : entry.numbers.size());
        } else {
            value = entry.bytes;
            count = quint32(value.size());
        }
        table += order.u16(entry.tag) + order.u16(entry.type) + order.u32(count);
        if (value.size() <= 4) {
            table += value + QByteArray(4 - value.size(), '\0');
        } else {
            table += order.u32(offset + tableSize + quint32(data.size()));
            data += value;
            if (data.size() % 2)
                data += '\0';
        }
    }
    return table + (withNext ? order.u32(0) : QByteArray()) + data;
}

QByteArray tiffHeader(const TiffOrder &order)
{
    return (order.big ? QByteArray("MM", 2) : QByteArray("II", 2)) + order.u16(42) + order.u32(8);
}

enum class ExifNext { Written, Omitted };

// A TIFF structure with IFD0 at byte 8 and, when `exif` is given, an Exif IFD right after IFD0's
// values, pointed at by IFD0's ExifIFDPointer (0x8769, LONG): the layout Pillow's
// Image.Exif.tobytes(), ImageSharp's ExifWriter and piexif's dump() give a few tags. piexif
// (piexif/_dump.py, _dict_to_bytes) writes no next-IFD offset after the Exif IFD's entries: its
// values follow them directly (ExifNext::Omitted).
QByteArray tiff(bool bigEndian, QList<IfdEntry> ifd0, const QList<IfdEntry> &exif = {},
    ExifNext exifNext = ExifNext::Written)
{
    const TiffOrder order{ bigEndian };
    if (exif.isEmpty())
        return tiffHeader(order) + ifdBlock(ifd0, 8, order);
    ifd0.append(longValue(0x8769, 0));
    const quint32 exifOffset = 8 + quint32(ifdBlock(ifd0, 8, order).size());
    ifd0.last().numbers = { exifOffset };
    return tiffHeader(order) + ifdBlock(ifd0, 8, order)
        + ifdBlock(exif, exifOffset, order, exifNext == ExifNext::Written);
}

// ---- JPEG -----------------------------------------------------------------------------------

cv::Mat gradient(int width, int height, int channels = 3)
{
    cv::Mat image(height, width, channels == 4 ? CV_8UC4 : CV_8UC3);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::uint8_t *pixel = image.ptr<std::uint8_t>(y) + size_t(x) * size_t(channels);
            pixel[0] = std::uint8_t(x * 255 / std::max(width - 1, 1));
            pixel[1] = std::uint8_t(y * 255 / std::max(height - 1, 1));
            pixel[2] = 128;
            if (channels == 4)
                pixel[3] = 255;
        }
    }
    return image;
}

QByteArray encoded(const cv::Mat &image, const char *extension, const std::vector<int> &params = {})
{
    std::vector<uchar> buffer;
    if (!cv::imencode(extension, image, buffer, params))
        return {};
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), qsizetype(buffer.size()));
}

// libjpeg's output through OpenCV: SOI, the JFIF APP0, tables, one scan, EOI.
QByteArray plainJpeg(int width = 64, int height = 48)
{
    return encoded(gradient(width, height), ".jpg", { cv::IMWRITE_JPEG_QUALITY, 90 });
}

QByteArray segment(quint8 marker, const QByteArray &payload)
{
    return QByteArray(1, char(0xFF)) + char(marker) + be16(quint16(payload.size() + 2)) + payload;
}

QByteArray exifApp1(const QByteArray &tiffBytes)
{
    return segment(0xE1, QByteArray("Exif\0\0", 6) + tiffBytes);
}

QByteArray xmpApp1(const QByteArray &packet)
{
    return segment(0xE1, QByteArray("http://ns.adobe.com/xap/1.0/", 29) + packet); // with its NUL
}

enum class App0 { Keep, Replace };

// `jpeg` with `segments` right after its JFIF APP0 (libjpeg, Pillow, ImageSharp), or in the
// APP0's place, where piexif.insert() puts its APP1 (piexif/_insert.py, merge_segments).
QByteArray jpegWith(
    const QByteArray &jpeg, const QList<QByteArray> &segments, App0 app0 = App0::Keep)
{
    qsizetype app0End = 2;
    if (jpeg.size() > 6 && quint8(jpeg.at(2)) == 0xFF && quint8(jpeg.at(3)) == 0xE0)
        app0End = 4 + ((quint8(jpeg.at(4)) << 8) | quint8(jpeg.at(5)));
    QByteArray out = jpeg.left(2);
    if (app0 == App0::Keep)
        out += jpeg.mid(2, app0End - 2);
    for (const QByteArray &s : segments)
        out += s;
    return out + jpeg.mid(app0End);
}

// A JPEG whose APP1 holds only an Exif IFD with one UserComment (0x9286, UNDEFINED), IFD0
// holding nothing but the pointer to it. With `piexif`, byte for byte what
// piexif.dump({"Exif": {ExifIFD.UserComment: ...}}) and piexif.insert() make (AUTOMATIC1111's
// modules/images.py save_image_with_geninfo, Easy Diffusion's save_utils.py): no next-IFD offset
// after the Exif IFD, the APP1 in the JFIF APP0's place. Without: a complete Exif IFD, the APP1
// after the APP0 (ImageSharp, hence SwarmUI).
QByteArray jpegWithUserComment(const QByteArray &comment, bool bigEndianTiff, bool piexif)
{
    return jpegWith(plainJpeg(),
        { exifApp1(tiff(bigEndianTiff, {}, { undefined(0x9286, comment) },
            piexif ? ExifNext::Omitted : ExifNext::Written)) },
        piexif ? App0::Replace : App0::Keep);
}

// ---- XMP ------------------------------------------------------------------------------------

QByteArray xmpPacket(const QByteArray &descriptions)
{
    return QByteArray("<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                      " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
        + descriptions + QByteArray(" </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
}

// ---- hidden metadata in the lowest bits -----------------------------------------------------

// The stealth layout: 15-byte signature, the payload's length in bits (32-bit big-endian), then
// the payload (stealth_metadata.h; sd-webui-stealth-pnginfo's scripts/stealth_pnginfo.py).
QByteArray stealthStream(const char *signature, const QByteArray &payload)
{
    return QByteArray(signature) + be32(quint32(payload.size()) * 8) + payload;
}

std::vector<int> bitsOf(const QByteArray &bytes)
{
    std::vector<int> bits;
    for (const char byte : bytes) {
        for (int bit = 7; bit >= 0; --bit) // most significant first
            bits.push_back((quint8(byte) >> bit) & 1);
    }
    return bits;
}

// BGRA pixels whose alpha carries `stream` column by column (x outer, y inner), one bit a pixel:
// the writer sets alpha to 254 | bit and leaves the other pixels opaque. Empty when it does not
// fit.
cv::Mat stealthAlphaImage(int width, int height, const QByteArray &stream)
{
    cv::Mat image = gradient(width, height, 4);
    const std::vector<int> bits = bitsOf(stream);
    size_t next = 0;
    for (int x = 0; x < width && next < bits.size(); ++x) {
        for (int y = 0; y < height && next < bits.size(); ++y)
            image.ptr<std::uint8_t>(y)[size_t(x) * 4 + 3] = std::uint8_t(0xFE | bits[next++]);
    }
    return next == bits.size() ? image : cv::Mat();
}

// RGB mode: three bits a pixel, in the lowest bits of red, green and blue in that order (OpenCV
// keeps B G R: channels 2, 1, 0), column by column.
cv::Mat stealthRgbImage(int width, int height, const QByteArray &stream)
{
    cv::Mat image = gradient(width, height, 3);
    const std::vector<int> bits = bitsOf(stream);
    size_t next = 0;
    for (int x = 0; x < width && next < bits.size(); ++x) {
        for (int y = 0; y < height && next < bits.size(); ++y) {
            std::uint8_t *pixel = image.ptr<std::uint8_t>(y) + size_t(x) * 3;
            for (const int channel : { 2, 1, 0 }) {
                if (next < bits.size())
                    pixel[channel] = std::uint8_t((pixel[channel] & 0xFE) | bits[next++]);
            }
        }
    }
    return next == bits.size() ? image : cv::Mat();
}

int paeth(int left, int above, int upperLeft)
{
    const int p = left + above - upperLeft;
    const int pa = std::abs(p - left), pb = std::abs(p - above), pc = std::abs(p - upperLeft);
    if (pa <= pb && pa <= pc)
        return left;
    return pb <= pc ? above : upperLeft;
}

// An 8-bit RGBA PNG of `bgra` whose rows use the five filter types in turn (row y: type y % 5),
// the way libpng's adaptive filtering mixes them, so that the first-column reader must undo each.
QByteArray pngWithEveryFilter(const cv::Mat &bgra)
{
    const int width = bgra.cols, height = bgra.rows;
    const size_t rowBytes = size_t(width) * 4;
    QByteArray raw;
    std::vector<int> previous(rowBytes, 0);
    for (int y = 0; y < height; ++y) {
        std::vector<int> row(rowBytes);
        for (int x = 0; x < width; ++x) {
            const std::uint8_t *pixel = bgra.ptr<std::uint8_t>(y) + size_t(x) * 4;
            row[size_t(x) * 4 + 0] = pixel[2];
            row[size_t(x) * 4 + 1] = pixel[1];
            row[size_t(x) * 4 + 2] = pixel[0];
            row[size_t(x) * 4 + 3] = pixel[3];
        }
        const int filter = y % 5;
        raw += char(filter);
        for (size_t i = 0; i < rowBytes; ++i) {
            const int left = i >= 4 ? row[i - 4] : 0;
            const int above = previous[i];
            const int upperLeft = i >= 4 ? previous[i - 4] : 0;
            const int predicted = filter == 1 ? left
                : filter == 2                 ? above
                : filter == 3                 ? (left + above) / 2
                : filter == 4                 ? paeth(left, above, upperLeft)
                                              : 0;
            raw += char((row[i] - predicted) & 0xFF);
        }
        previous = row;
    }
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += pngChunk(
        "IHDR", be32(quint32(width)) + be32(quint32(height)) + QByteArray("\x08\x06\0\0\0", 5));
    png += pngChunk("IDAT", zlibCompressed(raw));
    png += pngChunk("IEND", {});
    return png;
}

// ---- WebP -----------------------------------------------------------------------------------

QByteArray riffChunk(const QByteArray &fourcc, const QByteArray &payload)
{
    QByteArray chunk = fourcc + le32(quint32(payload.size())) + payload;
    if (payload.size() % 2)
        chunk += '\0';
    return chunk;
}

QByteArray webp(const QList<QByteArray> &chunks)
{
    QByteArray body("WEBP");
    for (const QByteArray &chunk : chunks)
        body += chunk;
    return QByteArray("RIFF") + le32(quint32(body.size())) + body;
}

// ---- boxes, GIF -----------------------------------------------------------------------------

QByteArray box(const QByteArray &type, const QByteArray &payload)
{
    return be32(quint32(8 + payload.size())) + type + payload;
}

// A brob box (ISO/IEC 18181-2): the original box type, then its content Brotli-compressed, as
// libjxl's encoder writes Exif and XMP when asked to compress boxes.
QByteArray brobBox(const QByteArray &type, const QByteArray &content)
{
    std::vector<std::uint8_t> compressed(BrotliEncoderMaxCompressedSize(size_t(content.size())));
    size_t size = compressed.size();
    BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
        size_t(content.size()), reinterpret_cast<const std::uint8_t *>(content.constData()), &size,
        compressed.data());
    return box("brob",
        type + QByteArray(reinterpret_cast<const char *>(compressed.data()), qsizetype(size)));
}


// One 1 x 1 image: descriptor (at 0, 0; no local colour table), LZW minimum code size 2, one
// sub-block with the codes clear (4), 0 and end (5), the terminator.
QByteArray gifImage()
{
    return QByteArray::fromHex("2c000000000100010000") + QByteArray::fromHex("0202440100");
}

// GIF89a, 1 x 1, a two-colour global table; `store` in a C2PA_GIF application extension
// (c2pa-rs sdk/src/asset_handlers/gif_io.rs: identifier "C2PA_GIF", authentication code 01 00 00,
// the store in sub-blocks of at most 255 bytes) before the first image; `frames` images, with the
// NETSCAPE2.0 loop extension and a graphic control extension before each when there are several.
QByteArray gif(int frames, const QByteArray &store = {})
{
    QByteArray out = QByteArray("GIF89a") + le16(1) + le16(1) + QByteArray::fromHex("800000")
        + QByteArray::fromHex("000000ffffff");
    if (!store.isEmpty()) {
        out += QByteArray::fromHex("21ff0b") + QByteArray("C2PA_GIF")
            + QByteArray::fromHex("010000");
        for (qsizetype at = 0; at < store.size(); at += 255) {
            const QByteArray block = store.mid(at, 255);
            out += char(block.size());
            out += block;
        }
        out += '\0';
    }
    if (frames > 1)
        out += QByteArray::fromHex("21ff0b") + QByteArray("NETSCAPE2.0")
            + QByteArray::fromHex("0301000000");
    for (int frame = 0; frame < frames; ++frame) {
        if (frames > 1)
            out += QByteArray::fromHex("21f904000a000000"); // 10/100 s, no transparency
        out += gifImage();
    }
    return out + QByteArray::fromHex("3b");
}

// The C2PA store Adobe Firefly attaches (claim generator string as Firefly writes it; the
// c2pa.created action names the agent and the IPTC trainedAlgorithmicMedia source type).
QByteArray fireflyStore()
{
    C2paFixture firefly;
    firefly.claimGenerator = QStringLiteral("Adobe_Firefly adobe_c2pa/0.7.6 c2pa-rs/0.25.2");
    firefly.title = QStringLiteral("Firefly_a_lighthouse.jpg");
    firefly.softwareAgent = QStringLiteral("Adobe Firefly");
    firefly.issuer = QStringLiteral("Adobe Product Services G3");
    return c2paStore(firefly);
}

// ---- the tools' texts -----------------------------------------------------------------------

// AUTOMATIC1111's infotext (modules/processing.py create_infotext): prompt, "Negative prompt:",
// then the settings line; `versionFields` ends it.
QByteArray webUiInfotext(const QByteArray &versionFields = "Version: v1.10.1")
{
    return QByteArray("photo of a duck\nNegative prompt: monochrome\nSteps: 15, Sampler: UniPC, "
                      "CFG scale: 5, Seed: 235284042, Size: 512x400, Model hash: c0d1994c73, "
                      "Model: realistic_realisticVisionV20_v20, ")
        + versionFields;
}

QString webUiSettings(const QString &version = QStringLiteral("v1.10.1"))
{
    return QStringLiteral("Model realistic_realisticVisionV20_v20, Model hash c0d1994c73, "
                          "Seed 235284042, Steps 15, Sampler UniPC, CFG scale 5, Size 512x400, "
                          "Version ")
        + version;
}

// ComfyUI's API graph and editor workflow as json.dumps writes them.
const QByteArray kComfyPrompt(
    R"({"3": {"inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8.0, "sampler_name": "euler", )"
    R"("scheduler": "normal", "denoise": 1.0, "model": ["4", 0]}, "class_type": "KSampler"}, )"
    R"("4": {"inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}, "class_type": )"
    R"("CheckpointLoaderSimple"}})");
const QByteArray kComfyWorkflow(
    R"({"last_node_id": 9, "nodes": [{"id": 3}, {"id": 4}], "links": []})");
const QString kComfySettings = QStringLiteral("model v1-5-pruned-emaonly.safetensors, "
                                              "seed 156680208700286, steps 20, CFG 8, "
                                              "sampler euler, scheduler normal");

// libwebp's VP8 bitstream of an 8 x 8 frame, and two ANMF frames of 8 x 8, as Pillow 9.4
// (WebPImagePlugin._save / _save_all) wrote them for ComfyUI's SaveAnimatedWEBP.
const QByteArray kVp8Frame
    = QByteArray::fromHex("3001009d012a0800080001402625a400037000fefd366800");
const QByteArray kAnmfFirst = QByteArray::fromHex(
    "0000000000000700000700006400000256503820180000003001009d012a0800080001402625a40003"
    "7000fefd366800");
const QByteArray kAnmfSecond = QByteArray::fromHex(
    "0000000000000700000700006400000056503820240000005401009d012a0800080000002625004e80"
    "280000fefcae4e4c7a2b5fc50f35bd83a60000");

// cjxl's lossless codestream of a 1 x 1 image (FF 0A ...).
const QByteArray kJxlCodestream
    = QByteArray::fromHex("ff0a001010505c080802010038004b188b15c249dae501f622c55900");

const QByteArray kFooocusParameters(
    R"({"base_model": "juggernautXL_v8Rundiffusion.safetensors", "performance": "Speed", )"
    R"("prompt": "a cat", "sampler": "dpmpp_2m_sde_gpu", "scheduler": "karras", )"
    R"("seed": "6952411511246973023", "steps": 30, "version": "Fooocus v2.4.3"})");

const QByteArray kNovelAiComment(
    R"({"prompt": "1girl, solo", "steps": 28, "height": 1216, "width": 832, "scale": 5.0, )"
    R"("seed": 3717431185, "sampler": "k_euler_ancestral", "uc": "lowres"})");

// What NovelAI hides: json.dumps of its text chunks, the settings nested as a JSON string.
const QByteArray kNovelAiHidden(
    R"json({"Title": "AI generated image", "Description": "1girl", "Software": "NovelAI", )json"
    R"json("Source": "Stable Diffusion XL C1E1DE52", "Generation time": "6.49", )json"
    R"json("Comment": "{\"steps\": 28, \"seed\": 1, \"sampler\": \"k_euler\"}"})json");

const QByteArray kSwarmParameters("{\n"
                                  "  \"sui_image_params\": {\n"
                                  "    \"prompt\": \"a dog\",\n"
                                  "    \"model\": \"OfficialStableDiffusion/sd_xl_base_1.0\",\n"
                                  "    \"seed\": 1234,\n"
                                  "    \"steps\": 20,\n"
                                  "    \"cfgscale\": 7,\n"
                                  "    \"sampler\": \"euler\",\n"
                                  "    \"swarm_version\": \"0.9.2.1\"\n"
                                  "  },\n"
                                  "  \"sui_models\": []\n"
                                  "}");
const QString kSwarmSettings = QStringLiteral("model OfficialStableDiffusion/sd_xl_base_1.0, "
                                              "seed 1234, steps 20, CFG 7, sampler euler, "
                                              "SwarmUI 0.9.2.1");

const QByteArray kEasyDiffusionJson(
    R"({"prompt": "a tree", "negative_prompt": "", "seed": 42, "use_stable_diffusion_model": )"
    R"("sd-v1-4", "sampler_name": "euler_a", "num_inference_steps": 25, "guidance_scale": 7.5, )"
    R"("width": 512, "height": 512})");
const QString kEasyDiffusionSettings
    = QStringLiteral("model sd-v1-4, seed 42, steps 25, sampler euler_a, CFG 7.5");

const QByteArray kTrainedAlgorithmicMedia(
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");

} // namespace

class TestGeneratorSignatures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void automatic1111Png();
    void automatic1111Jpeg();
    void forgeAndSdNext();
    void comfyUiPng();
    void comfyUiWebp();
    void comfyUiWebpFindingNamesTheSettings();
    void invokeAiLegacyDream();
    void invokeAi2();
    void invokeAi3();
    void fooocusPng();
    void fooocusJpeg();
    void oneFindingPerGenerator();
    void novelAiPng();
    void novelAiStealthAlpha();
    void stealthPngInfoAlpha();
    void stealthRgbComp();
    void stealthFirstColumnUndoesEveryPngFilter();
    void stealthInLosslessWebp();
    void stealthIsNotReadFromJpeg();
    void swarmUiPng();
    void swarmUiJpegUtf16LittleEndian();
    void drawThingsXmp();
    void drawThingsIsNotTakenForWebUi();
    void easyDiffusionPng();
    void easyDiffusionJpeg();
    void midjourneyPng();
    void openAiLabsJpeg();
    void googleAiCredit();
    void c2paInOtherContainers_data();
    void c2paInOtherContainers();
    void extensionMismatch();
    void dimensionMismatch();
    void jpegWithoutEoi();
    void editingHistory();
    void dateInconsistencies();
    void multipleImages();
    void jpegXlCompressedBoxesAreRead();
    void plainImagesHaveNoGeneratorFindings();
};

// AUTOMATIC1111 (modules/images.py, save_image_with_geninfo): PNG tEXt "parameters" holding the
// infotext (PIL PngInfo.add_text).
void TestGeneratorSignatures::automatic1111Png()
{
    const MetadataReport report
        = reportOf(pngWithChunks({ textChunk("parameters", webUiInfotext()) }));
    const MetadataFinding *f
        = generatorFinding(report, QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111)"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->severity, MetadataFinding::Severity::Warning);
    QCOMPARE(f->message,
        QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111) settings in PNG tEXt "
                       "\"parameters\": ")
            + webUiSettings());
    QVERIFY(f->evidence.startsWith(QStringLiteral("PNG tEXt \"parameters\": photo of a duck")));
    QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
    QVERIFY(!finding(report, kHiddenCode));
}

// AUTOMATIC1111 JPEG (modules/images.py: piexif.dump({"Exif": {piexif.ExifIFD.UserComment:
// piexif.helper.UserComment.dump(geninfo, encoding="unicode")}}), then piexif.insert): APP1
// "Exif\0\0", a big-endian TIFF ("MM\0*", IFD0 at 8), IFD0 with only the ExifIFD pointer (0x8769,
// LONG), the Exif IFD with UserComment (0x9286, UNDEFINED) = "UNICODE\0" + UTF-16BE without a
// BOM (piexif/helper.py), and no next-IFD offset after the Exif IFD's one entry (piexif's
// _dump.py); piexif.insert puts the APP1 in the place of the JFIF APP0. Checked byte for byte
// against piexif 1.1.3.
void TestGeneratorSignatures::automatic1111Jpeg()
{
    const MetadataReport report
        = reportOf(jpegWithUserComment(unicodeComment(webUiInfotext(), true), true, true));
    QCOMPARE(report.format, ImageFormat::Jpeg);
    const MetadataFinding *f
        = generatorFinding(report, QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111)"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111) settings in "
                       "Exif.Photo.UserComment: ")
            + webUiSettings());
    QVERIFY(f->evidence.contains(QStringLiteral("photo of a duck Negative prompt: monochrome")));
}

// Forge writes AUTOMATIC1111's infotext with its own version ("f" + Forge version + "v" + the
// WebUI version it forked: modules/launch_utils.py); SD.Next adds "App: SD.Next" and its commit
// as Version (modules/processing_info.py).
void TestGeneratorSignatures::forgeAndSdNext()
{
    const MetadataReport forge = reportOf(pngWithChunks({ textChunk(
        "parameters", webUiInfotext("Version: f2.0.1v1.10.1-previous-669-gdfdcbab6")) }));
    const MetadataFinding *f
        = generatorFinding(forge, QStringLiteral("Stable Diffusion WebUI Forge"));
    QVERIFY2(f, qPrintable(listing(forge)));
    QCOMPARE(f->message,
        QStringLiteral("Stable Diffusion WebUI Forge settings in PNG tEXt \"parameters\": ")
            + webUiSettings(QStringLiteral("f2.0.1v1.10.1-previous-669-gdfdcbab6")));

    const MetadataReport next = reportOf(pngWithChunks(
        { textChunk("parameters", webUiInfotext("App: SD.Next, Version: 8c9a2b1")) }));
    const MetadataFinding *n = generatorFinding(next, QStringLiteral("SD.Next"));
    QVERIFY2(n, qPrintable(listing(next)));
    QVERIFY2(n->message.contains(QStringLiteral("Seed 235284042"))
            && n->message.contains(QStringLiteral("Model realistic_realisticVisionV20_v20"))
            && n->message.contains(QStringLiteral("Version 8c9a2b1")),
        qPrintable(n->message));
    QCOMPARE(findingsOf(next, kGeneratorCode).size(), size_t(1));
}

// ComfyUI PNG (nodes.py, SaveImage.save_images): PngInfo.add_text("prompt", json.dumps(prompt))
// (the API graph), then one text per extra_pnginfo entry: "workflow" (the editor's graph).
void TestGeneratorSignatures::comfyUiPng()
{
    const MetadataReport report = reportOf(pngWithChunks(
        { textChunk("prompt", kComfyPrompt), textChunk("workflow", kComfyWorkflow) }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("ComfyUI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("ComfyUI settings in PNG tEXt \"prompt\": prompt graph, 2 nodes, ")
            + kComfySettings);
    QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
}

// ComfyUI WebP (comfy_extras/nodes_images.py, SaveAnimatedWEBP): metadata = image.getexif();
// metadata[0x0110] (Model) = "prompt:" + json.dumps(prompt); from 0x010F (Make) downwards, one
// tag per extra_pnginfo entry, "workflow:" + json.dumps(workflow); saved by Pillow. Pillow's
// Exif.tobytes() is a big-endian TIFF (IFD0: 0x010F, 0x0110, ASCII); for one frame Pillow
// (WebPImagePlugin._save) strips the "Exif\0\0" prefix: RIFF, VP8X (EXIF flag), VP8, EXIF holding
// the bare TIFF. For several frames (_save_all, WebPAnimEncoder) Pillow up to 10 keeps the
// prefix: VP8X (animation and EXIF flags), ANIM, ANMF per frame, EXIF "Exif\0\0" + TIFF. Both
// files are byte for byte what Pillow 9.4 writes for these frames and this metadata.
void TestGeneratorSignatures::comfyUiWebp()
{
    const QByteArray exif = tiff(true,
        { ascii(0x010F, "workflow:" + kComfyWorkflow), ascii(0x0110, "prompt:" + kComfyPrompt) });
    const QByteArray single = webp({ riffChunk("VP8X", QByteArray::fromHex("08000000070000070000")),
        riffChunk("VP8 ", kVp8Frame), riffChunk("EXIF", exif) });
    const QByteArray animated
        = webp({ riffChunk("VP8X", QByteArray::fromHex("0a000000070000070000")),
            riffChunk("ANIM", QByteArray(6, '\0')), riffChunk("ANMF", kAnmfFirst),
            riffChunk("ANMF", kAnmfSecond), riffChunk("EXIF", QByteArray("Exif\0\0", 6) + exif) });
    for (const QByteArray &file : { single, animated }) {
        const MetadataReport report = reportOf(file);
        QCOMPARE(report.format, ImageFormat::WebP);
        QCOMPARE(report.embedded.value(QStringLiteral("Exif.Image.Model")),
            QString::fromLatin1("prompt:" + kComfyPrompt));
        const MetadataFinding *f = generatorFinding(report, QStringLiteral("ComfyUI"));
        QVERIFY2(f, qPrintable(listing(report)));
        QVERIFY2(f->message.startsWith(QStringLiteral("ComfyUI settings in Exif.Image.")),
            qPrintable(f->message));
        QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
    }
    const MetadataReport animatedReport = reportOf(animated);
    const MetadataFinding *frames = finding(animatedReport, QStringLiteral("multiple-images"));
    QVERIFY2(frames, qPrintable(listing(animatedReport)));
    QCOMPARE(frames->message,
        QStringLiteral("The WebP holds 2 frames; only the first (the primary image) is analysed"));
}

// The same WebP: its finding must carry the API graph's settings (the "prompt:" tag), as the PNG
// one does, whichever of the two tags is read first.
void TestGeneratorSignatures::comfyUiWebpFindingNamesTheSettings()
{
    const QByteArray exif = tiff(true,
        { ascii(0x010F, "workflow:" + kComfyWorkflow), ascii(0x0110, "prompt:" + kComfyPrompt) });
    const MetadataReport report
        = reportOf(webp({ riffChunk("VP8X", QByteArray::fromHex("08000000070000070000")),
            riffChunk("VP8 ", kVp8Frame), riffChunk("EXIF", exif) }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("ComfyUI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QVERIFY2(f->message.contains(kComfySettings), qPrintable(f->message));
}

// InvokeAI before 2.0 (lstein/stable-diffusion, ldm/dream/pngwriter.py): PNG tEXt "Dream" = the
// dream> command line: quoted prompt, -s steps, -S seed, -W, -H, -C CFG, -A sampler.
void TestGeneratorSignatures::invokeAiLegacyDream()
{
    const MetadataReport report = reportOf(pngWithChunks({ textChunk(
        "Dream", R"("a castle [blurry]" -s 50 -S 2980747362 -W 512 -H 768 -C 5 -A k_lms)") }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("InvokeAI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("InvokeAI settings in PNG tEXt \"Dream\": legacy Dream line, seed "
                       "2980747362, steps 50, sampler k_lms, CFG 5"));
}

// InvokeAI 2.x (ldm/invoke/pngwriter.py, PngWriter.save_image_and_prompt_to_png): tEXt "Dream"
// (the command line), then tEXt "sd-metadata" = json.dumps of the metadata dict (model_weights,
// app_id, app_version, image: prompt list, steps, cfg_scale, seed, sampler).
void TestGeneratorSignatures::invokeAi2()
{
    const QByteArray metadata(
        R"({"model": "stable diffusion", "model_weights": "deliberateForInvoke_v08", )"
        R"("app_id": "invoke-ai/InvokeAI", "app_version": "2.3.0", "image": {"prompt": )"
        R"([{"prompt": "a castle", "weight": 1.0}], "steps": 50, "cfg_scale": 5, )"
        R"("seed": 2980747362, "sampler": "k_lms"}})");
    const MetadataReport report = reportOf(pngWithChunks(
        { textChunk("Dream", R"("a castle" -s 50 -S 2980747362 -W 512 -H 512 -C 5 -A k_lms)"),
            textChunk("sd-metadata", metadata) }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("InvokeAI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("InvokeAI settings in PNG tEXt \"sd-metadata\": version 2.3.0, model "
                       "deliberateForInvoke_v08, seed 2980747362, steps 50, sampler k_lms, CFG 5"));
}

// InvokeAI 3.x (invokeai/app/services/image_files/image_files_disk.py): tEXt "invokeai_metadata"
// = metadata.model_dump_json() (compact), "invokeai_workflow" when there is one, and
// "invokeai_graph" = the graph's JSON.
void TestGeneratorSignatures::invokeAi3()
{
    const QByteArray metadata(
        R"({"generation_mode":"txt2img","positive_prompt":"a castle","seed":123,)"
        R"("cfg_scale":7.5,"steps":30,"scheduler":"euler","model":{"model_name":)"
        R"("stable-diffusion-v1-5","base_model":"sd-1","model_type":"main"}})");
    const MetadataReport report = reportOf(pngWithChunks({ textChunk("invokeai_metadata", metadata),
        textChunk("invokeai_graph", R"({"id":"g","nodes":{}})") }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("InvokeAI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("InvokeAI settings in PNG tEXt \"invokeai_metadata\": model "
                       "stable-diffusion-v1-5, seed 123, steps 30, scheduler euler, CFG 7.5, "
                       "mode txt2img"));
    QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
}

// Fooocus PNG (modules/private_logger.py, log): pnginfo.add_text("parameters", the parameters as
// JSON with sorted keys, modules/meta_parser.py FooocusMetadataParser.to_string; the seed is a
// string), then add_text("fooocus_scheme", "fooocus").
void TestGeneratorSignatures::fooocusPng()
{
    const MetadataReport report = reportOf(pngWithChunks(
        { textChunk("parameters", kFooocusParameters), textChunk("fooocus_scheme", "fooocus") }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("Fooocus"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("Fooocus settings in PNG tEXt \"parameters\": version Fooocus v2.4.3, "
                       "model juggernautXL_v8Rundiffusion.safetensors, performance Speed, seed "
                       "6952411511246973023, steps 30, sampler dpmpp_2m_sde_gpu, scheduler "
                       "karras"));
    QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
}

static QByteArray fooocusJpegFile()
{
    // modules/private_logger.py get_exif: exif = Image.Exif(); exif[0x9286] = metadata;
    // exif[0x0131] = "Fooocus v" + version; exif[0x927C] = scheme. Pillow writes all three in
    // IFD0, as ASCII (type 2, NUL-terminated), big-endian, after the JFIF APP0 (this APP1 is
    // byte for byte Pillow 9.4's).
    QByteArray parameters = kFooocusParameters;
    parameters.replace("Fooocus v2.4.3", "Fooocus v2.5.5");
    return jpegWith(plainJpeg(),
        { exifApp1(tiff(true,
            { ascii(0x0131, "Fooocus v2.5.5"), ascii(0x9286, parameters),
                ascii(0x927C, "fooocus") })) });
}

// Fooocus JPEG: UserComment in IFD0 as plain ASCII, with no 8-byte character code.
void TestGeneratorSignatures::fooocusJpeg()
{
    const MetadataReport report = reportOf(fooocusJpegFile());
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("Fooocus"));
    QVERIFY2(f, qPrintable(listing(report)));
    QVERIFY2(f->message.startsWith(QStringLiteral("Fooocus settings in Exif.Image.")),
        qPrintable(f->message));
    QVERIFY2(f->message.endsWith(QStringLiteral(
                 ": version Fooocus v2.5.5, model juggernautXL_v8Rundiffusion.safetensors, "
                 "performance Speed, seed 6952411511246973023, steps 30, sampler "
                 "dpmpp_2m_sde_gpu, scheduler karras")),
        qPrintable(f->message));
}

// One finding per generator (generator_signatures.cpp, class Findings): a file that names its
// tool in Software and carries its settings elsewhere is one generator, not two.
void TestGeneratorSignatures::oneFindingPerGenerator()
{
    const MetadataReport report = reportOf(fooocusJpegFile());
    int naming = 0;
    for (const MetadataFinding *f : findingsOf(report, kGeneratorCode))
        naming += f->message.contains(QStringLiteral("fooocus"), Qt::CaseInsensitive);
    QVERIFY2(naming == 1, qPrintable(listing(report)));
}

// NovelAI PNG (what its site's downloads carry): tEXt Title, Description (the prompt), Software
// "NovelAI", Source (the model), Generation time, Comment (the settings as JSON).
void TestGeneratorSignatures::novelAiPng()
{
    const MetadataReport report = reportOf(pngWithChunks(
        { textChunk("Title", "AI generated image"), textChunk("Description", "1girl, solo"),
            textChunk("Software", "NovelAI"), textChunk("Source", "Stable Diffusion XL C1E1DE52"),
            textChunk("Generation time", "6.49"), textChunk("Comment", kNovelAiComment) }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("NovelAI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("NovelAI settings in PNG tEXt \"Software\": model Stable Diffusion XL "
                       "C1E1DE52, seed 3717431185, steps 28, sampler k_euler_ancestral, CFG 5, "
                       "width 832, height 1216"));
}

// NovelAI's stealth copy: alpha mode, "stealth_pngcomp", gzip of the JSON of its text chunks.
// 24 x 240: the signature lies in the first column's first 120 rows, read without decoding the
// image (the PNG fast path); 64 x 64: shorter than the signature, so the whole image is decoded.
void TestGeneratorSignatures::novelAiStealthAlpha()
{
    const QByteArray stream = stealthStream("stealth_pngcomp", gzipCompressed(kNovelAiHidden));
    for (const auto &[width, height] : { std::pair{ 24, 240 }, std::pair{ 64, 64 } }) {
        const cv::Mat image = stealthAlphaImage(width, height, stream);
        QVERIFY(!image.empty());
        const QByteArray png = encoded(image, ".png");
        QCOMPARE(quint8(png.at(25)), quint8(6)); // RGBA
        const MetadataReport report = reportOf(png);
        const MetadataFinding *hidden = finding(report, kHiddenCode);
        QVERIFY2(hidden, qPrintable(listing(report)));
        QCOMPARE(hidden->severity, MetadataFinding::Severity::Warning);
        QVERIFY2(
            hidden->message.startsWith(QStringLiteral(
                "Text is hidden in the pixels' lowest bits (stealth_pngcomp, alpha low bits)")),
            qPrintable(hidden->message));
        const MetadataFinding *f = generatorFinding(report, QStringLiteral("NovelAI"));
        QVERIFY2(f, qPrintable(listing(report)));
        QCOMPARE(f->message,
            QStringLiteral("NovelAI settings in the pixels' lowest bits (stealth_pngcomp, alpha "
                           "low bits): model Stable Diffusion XL C1E1DE52, seed 1, steps 28, "
                           "sampler k_euler"));
    }
}

// The sd-webui-stealth-pnginfo extension (AUTOMATIC1111, Forge): alpha mode "stealth_pnginfo",
// the infotext as plain UTF-8.
void TestGeneratorSignatures::stealthPngInfoAlpha()
{
    const QByteArray stream = stealthStream("stealth_pnginfo", webUiInfotext());
    for (const auto &[width, height] : { std::pair{ 24, 240 }, std::pair{ 64, 64 } }) {
        const cv::Mat image = stealthAlphaImage(width, height, stream);
        QVERIFY(!image.empty());
        const MetadataReport report = reportOf(encoded(image, ".png"));
        const MetadataFinding *hidden = finding(report, kHiddenCode);
        QVERIFY2(hidden, qPrintable(listing(report)));
        QVERIFY(hidden->message.contains(QStringLiteral("(stealth_pnginfo, alpha low bits)")));
        const MetadataFinding *f
            = generatorFinding(report, QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111)"));
        QVERIFY2(f, qPrintable(listing(report)));
        QCOMPARE(f->message,
            QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111) settings in the pixels' lowest "
                           "bits (stealth_pnginfo, alpha low bits): ")
                + webUiSettings());
    }
}

// The extension's RGB mode on an image without alpha: "stealth_rgbcomp", three bits a pixel (R,
// G, B lowest bits), the infotext gzip-compressed.
void TestGeneratorSignatures::stealthRgbComp()
{
    const QByteArray stream = stealthStream("stealth_rgbcomp", gzipCompressed(webUiInfotext()));
    for (const auto &[width, height] : { std::pair{ 16, 200 }, std::pair{ 48, 32 } }) {
        const cv::Mat image = stealthRgbImage(width, height, stream);
        QVERIFY(!image.empty());
        const QByteArray png = encoded(image, ".png");
        QCOMPARE(quint8(png.at(25)), quint8(2)); // RGB
        const MetadataReport report = reportOf(png);
        const MetadataFinding *hidden = finding(report, kHiddenCode);
        QVERIFY2(hidden, qPrintable(listing(report)));
        QVERIFY(hidden->message.contains(QStringLiteral("(stealth_rgbcomp, RGB low bits)")));
        const MetadataFinding *f
            = generatorFinding(report, QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111)"));
        QVERIFY2(f, qPrintable(listing(report)));
        QVERIFY2(f->message.endsWith(webUiSettings()), qPrintable(f->message));
    }
}

// The PNG fast path inflates only the first column: rows filtered with None, Sub, Up, Average and
// Paeth in turn must all give back the alpha bits.
void TestGeneratorSignatures::stealthFirstColumnUndoesEveryPngFilter()
{
    const QByteArray stream = stealthStream("stealth_pngcomp", gzipCompressed(kNovelAiHidden));
    const cv::Mat image = stealthAlphaImage(24, 240, stream);
    QVERIFY(!image.empty());
    const MetadataReport report = reportOf(pngWithEveryFilter(image));
    QVERIFY2(finding(report, kHiddenCode), qPrintable(listing(report)));
    QVERIFY2(generatorFinding(report, QStringLiteral("NovelAI")), qPrintable(listing(report)));
}

// Lossless WebP keeps the lowest bits (SwarmUI writes stealth metadata into WebP as well).
void TestGeneratorSignatures::stealthInLosslessWebp()
{
    const QByteArray stream = stealthStream("stealth_pnginfo", webUiInfotext());
    const cv::Mat image = stealthAlphaImage(64, 64, stream);
    QVERIFY(!image.empty());
    const QByteArray file = encoded(image, ".webp", { cv::IMWRITE_WEBP_QUALITY, 101 }); // lossless
    QVERIFY(!file.isEmpty());
    QCOMPARE(file.mid(12, 4), QByteArray("VP8L"));
    const MetadataReport report = reportOf(file);
    QVERIFY2(finding(report, kHiddenCode), qPrintable(listing(report)));
    QVERIFY2(generatorFinding(report, QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111)")),
        qPrintable(listing(report)));
}

// A JPEG of the same pixels: lossy, so its low bits are not read at all.
void TestGeneratorSignatures::stealthIsNotReadFromJpeg()
{
    const QByteArray stream = stealthStream("stealth_rgbcomp", gzipCompressed(webUiInfotext()));
    const cv::Mat image = stealthRgbImage(16, 200, stream);
    QVERIFY(!image.empty());
    const MetadataReport report
        = reportOf(encoded(image, ".jpg", { cv::IMWRITE_JPEG_QUALITY, 100 }));
    QCOMPARE(report.format, ImageFormat::Jpeg);
    QVERIFY2(!finding(report, kHiddenCode), qPrintable(listing(report)));
    QVERIFY2(!finding(report, kGeneratorCode), qPrintable(listing(report)));
}

// SwarmUI PNG (src/Utils/Image.cs via ImageSharp PngTextData): text "parameters" = the
// Newtonsoft-indented JSON {"sui_image_params": {...}, "sui_models": [...]}.
void TestGeneratorSignatures::swarmUiPng()
{
    const MetadataReport report
        = reportOf(pngWithChunks({ textChunk("parameters", kSwarmParameters) }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("SwarmUI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("SwarmUI settings in PNG tEXt \"parameters\": ") + kSwarmSettings);
    QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
}

// SwarmUI JPEG: ExifProfile UserComment = EncodedString(Unicode, json) in the Exif IFD, which
// ImageSharp (ExifEncodedStringHelpers) writes as "UNICODE\0" + UTF-16 little-endian, in its
// little-endian ("II*\0") TIFF; and the same text in a big-endian TIFF, whose byte order says
// nothing about the text's (the decoder must tell it by the content).
void TestGeneratorSignatures::swarmUiJpegUtf16LittleEndian()
{
    for (const bool bigEndianTiff : { false, true }) {
        const MetadataReport report = reportOf(
            jpegWithUserComment(unicodeComment(kSwarmParameters, false), bigEndianTiff, false));
        QCOMPARE(report.embedded.value(QStringLiteral("Exif.Photo.UserComment")),
            QString::fromUtf8(kSwarmParameters));
        const MetadataFinding *f = generatorFinding(report, QStringLiteral("SwarmUI"));
        QVERIFY2(f, qPrintable(listing(report)));
        QCOMPARE(f->message,
            QStringLiteral("SwarmUI settings in Exif.Photo.UserComment: ") + kSwarmSettings);
    }
}

static QByteArray drawThingsFile()
{
    // Draw Things (its ImageMetadata XMP writer): PNG iTXt "XML:com.adobe.xmp" holding one
    // rdf:Description with xmp:CreatorTool "Draw Things", dc:description (prompt, "-" negative
    // prompt, settings line) and exif:UserComment (the settings as JSON), each language
    // alternative with one x-default item.
    const QByteArray description(
        "  <rdf:Description rdf:about=\"\"\n"
        "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
        "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
        "    xmlns:exif=\"http://ns.adobe.com/exif/1.0/\">\n"
        "   <xmp:CreatorTool>Draw Things</xmp:CreatorTool>\n"
        "   <dc:description>\n"
        "    <rdf:Alt>\n"
        "     <rdf:li xml:lang=\"x-default\">a fox\n-blurry\nSteps: 20, Sampler: Euler A, "
        "Guidance Scale: 4.5, Seed: 42, Size: 64x32, Model: sd_xl_base_1.0_f16.ckpt</rdf:li>\n"
        "    </rdf:Alt>\n"
        "   </dc:description>\n"
        "   <exif:UserComment>\n"
        "    <rdf:Alt>\n"
        "     <rdf:li xml:lang=\"x-default\">{\"c\":\"a fox\",\"uc\":\"blurry\",\"model\":"
        "\"sd_xl_base_1.0_f16.ckpt\",\"sampler\":\"Euler A\",\"scale\":4.5,\"seed\":42,"
        "\"size\":\"64x32\",\"steps\":20}</rdf:li>\n"
        "    </rdf:Alt>\n"
        "   </exif:UserComment>\n"
        "  </rdf:Description>\n");
    return pngWithChunks({ itxtChunk("XML:com.adobe.xmp", xmpPacket(description)) });
}

void TestGeneratorSignatures::drawThingsXmp()
{
    const MetadataReport report = reportOf(drawThingsFile());
    QCOMPARE(report.embedded.value(QStringLiteral("Xmp.xmp.CreatorTool")),
        QStringLiteral("Draw Things"));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("Draw Things"));
    QVERIFY2(f, qPrintable(listing(report)));
    QVERIFY2(f->message.endsWith(QStringLiteral(": model sd_xl_base_1.0_f16.ckpt, seed 42, steps "
                                                "20, sampler Euler A, CFG 4.5, size 64x32")),
        qPrintable(f->message));
}

// Draw Things' description ends in a "Steps: ..., Sampler: ..." line of its own: the file is
// Draw Things', not AUTOMATIC1111's.
void TestGeneratorSignatures::drawThingsIsNotTakenForWebUi()
{
    const MetadataReport report = reportOf(drawThingsFile());
    for (const MetadataFinding *f : findingsOf(report, kGeneratorCode))
        QVERIFY2(!f->message.startsWith(QStringLiteral("Stable Diffusion WebUI")),
            qPrintable(listing(report)));
}

// Easy Diffusion PNG (ui/easydiffusion/utils/save_utils.py): PngInfo.add_text(key, str(value))
// for each key of the task's metadata, so one text chunk per setting; its "prompt" is the plain
// prompt, not ComfyUI's JSON.
void TestGeneratorSignatures::easyDiffusionPng()
{
    const MetadataReport report = reportOf(pngWithChunks({ textChunk("prompt", "a tree"),
        textChunk("negative_prompt", ""), textChunk("seed", "42"),
        textChunk("use_stable_diffusion_model", "sd-v1-4"), textChunk("sampler_name", "euler_a"),
        textChunk("num_inference_steps", "25"), textChunk("guidance_scale", "7.5"),
        textChunk("width", "512"), textChunk("height", "512") }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("Easy Diffusion"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("Easy Diffusion settings in PNG tEXt \"use_stable_diffusion_model\": ")
            + kEasyDiffusionSettings);
    QVERIFY2(!generatorFinding(report, QStringLiteral("ComfyUI")), qPrintable(listing(report)));
    QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
}

// Easy Diffusion JPEG (save_utils.py): piexif's UserComment, "UNICODE\0" + UTF-16BE of
// json.dumps(metadata), inserted as AUTOMATIC1111's is.
void TestGeneratorSignatures::easyDiffusionJpeg()
{
    const MetadataReport report
        = reportOf(jpegWithUserComment(unicodeComment(kEasyDiffusionJson, true), true, true));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("Easy Diffusion"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("Easy Diffusion settings in Exif.Photo.UserComment: ")
            + kEasyDiffusionSettings);
}

// Midjourney PNG downloads: tEXt Description = the prompt with its parameters and "Job ID:
// <uuid>", tEXt Author = the user, and iTXt XML:com.adobe.xmp with Iptc4xmpExt:DigImageGUID
// (the job) and Iptc4xmpExt:DigitalSourceType trainedAlgorithmicMedia.
void TestGeneratorSignatures::midjourneyPng()
{
    const QByteArray description(
        "  <rdf:Description rdf:about=\"\"\n"
        "    xmlns:iptcExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\">\n"
        "   <iptcExt:DigImageGUID>a7421d2f-b262-44f9-977c-ac23e9c7d3e3</iptcExt:DigImageGUID>\n"
        "   <iptcExt:DigitalSourceType>"
        + kTrainedAlgorithmicMedia
        + "</iptcExt:DigitalSourceType>\n"
          "  </rdf:Description>\n");
    const MetadataReport report = reportOf(pngWithChunks(
        { textChunk("Description",
              "a lighthouse --ar 2:1 --v 6 Job ID: a7421d2f-b262-44f9-977c-ac23e9c7d3e3"),
            textChunk("Author", "someone"),
            itxtChunk("XML:com.adobe.xmp", xmpPacket(description)) }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("Midjourney"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("Midjourney settings in PNG tEXt \"Description\": job "
                       "a7421d2f-b262-44f9-977c-ac23e9c7d3e3, --v 6, --ar 2:1"));
    const MetadataFinding *source = finding(report, QStringLiteral("digital-source-type"));
    QVERIFY2(source, qPrintable(listing(report)));
    QCOMPARE(source->message,
        QStringLiteral("XMP declares the digital source type \"trainedAlgorithmicMedia\""));
    QCOMPARE(findingsOf(report, kGeneratorCode).size(), size_t(1));
}

// OpenAI Labs (DALL·E 2 downloads): EXIF UserComment "ASCII\0\0\0" + "Made with OpenAI Labs".
// This is the convention the issue states; no published OpenAI source confirms it.
void TestGeneratorSignatures::openAiLabsJpeg()
{
    const MetadataReport report = reportOf(
        jpegWithUserComment(QByteArray("ASCII\0\0\0", 8) + "Made with OpenAI Labs", false, false));
    const std::vector<const MetadataFinding *> found = findingsOf(report, kGeneratorCode);
    QVERIFY2(found.size() == 1, qPrintable(listing(report)));
    QVERIFY2(found.front()->message.startsWith(QStringLiteral("OpenAI"))
            && found.front()->message.contains(QStringLiteral("Made with OpenAI Labs")),
        qPrintable(found.front()->message));
}

// Google's generated images (Gemini, Pixel's Magic Editor): XMP photoshop:Credit "Made with
// Google AI" with Iptc4xmpExt:DigitalSourceType trainedAlgorithmicMedia, in a JPEG's XMP APP1.
void TestGeneratorSignatures::googleAiCredit()
{
    const QByteArray description(
        "  <rdf:Description rdf:about=\"\"\n"
        "    xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"\n"
        "    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\">\n"
        "   <photoshop:Credit>Made with Google AI</photoshop:Credit>\n"
        "   <Iptc4xmpExt:DigitalSourceType>"
        + kTrainedAlgorithmicMedia
        + "</Iptc4xmpExt:DigitalSourceType>\n"
          "  </rdf:Description>\n");
    const MetadataReport report
        = reportOf(jpegWith(plainJpeg(), { xmpApp1(xmpPacket(description)) }));
    const MetadataFinding *f = generatorFinding(report, QStringLiteral("Google AI"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("Google AI settings in Xmp.photoshop.Credit: the credit line \"Made with "
                       "Google AI\""));
    QVERIFY2(finding(report, QStringLiteral("digital-source-type")), qPrintable(listing(report)));
}

// C2PA stores outside JPEG and PNG, as c2pa-rs writes them (sdk/src/asset_handlers/):
//  - HEIF/AVIF (bmff_io.rs): a top-level uuid box, UUID D8FEC3D6-1B0E-483C-9297-5828877EC481,
//    version and flags (4 zero bytes), purpose "manifest\0", the 8-byte offset of the first merkle
//    box (0: none), then the JUMBF store; here after the ftyp box.
//  - JPEG XL (jpegxl_io.rs): the store's "jumb" superbox as a top-level box of the container
//    (signature box, ftyp "jxl ", jumb, then the codestream in jxlc).
//  - TIFF (tiff_io.rs): tag 52545 (0xCD41), UNDEFINED, in the first IFD (the only one here).
//  - GIF (gif_io.rs): an application extension "C2PA_GIF" before the first image (gif()).
void TestGeneratorSignatures::c2paInOtherContainers_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("container");
    const QByteArray store = fireflyStore();
    const QByteArray uuidBox = box("uuid",
        QByteArray::fromHex("d8fec3d61b0e483c92975828877ec481") + QByteArray(4, '\0')
            + QByteArray("manifest", 9) + QByteArray(8, '\0') + store);
    QTest::newRow("HEIF") << box("ftyp", QByteArray("heic") + be32(0) + "mif1heic") + uuidBox
                          << QStringLiteral("HEIF uuid box");
    QTest::newRow("AVIF") << box("ftyp", QByteArray("avif") + be32(0) + "avifmif1miaf") + uuidBox
                          << QStringLiteral("AVIF uuid box");
    QTest::newRow("JPEG XL") << QByteArray::fromHex("0000000c4a584c200d0a870a")
            + box("ftyp", QByteArray("jxl ") + be32(0) + "jxl ") + store
            + box("jxlc", kJxlCodestream)
                             << QStringLiteral("JPEG XL jumb box");

    // A 1 x 1 8-bit greyscale TIFF, little-endian: baseline tags, then 52545; the pixel after
    // IFD0's values.
    const TiffOrder order{ false };
    QList<IfdEntry> ifd0{ shortValue(256, 1), shortValue(257, 1), shortValue(258, 8),
        shortValue(259, 1), shortValue(262, 1), longValue(273, 0), shortValue(277, 1),
        shortValue(278, 1), longValue(279, 1), rational(282, 72, 1), rational(283, 72, 1),
        shortValue(296, 2), undefined(52545, store) };
    ifd0[5].numbers = { 8 + quint32(ifdBlock(ifd0, 8, order).size()) };
    QTest::newRow("TIFF") << tiffHeader(order) + ifdBlock(ifd0, 8, order)
            + QByteArray(1, char(0x80))
                          << QStringLiteral("TIFF tag 52545");
    QTest::newRow("GIF") << gif(1, store) << QStringLiteral("GIF C2PA_GIF extension");
}

void TestGeneratorSignatures::c2paInOtherContainers()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, container);
    const MetadataReport report = reportOf(file);
    QVERIFY2(report.c2pa.has_value(), qPrintable(listing(report)));
    QCOMPARE(report.c2pa->container, container);
    QCOMPARE(report.c2pa->claimGenerator,
        QStringLiteral("Adobe_Firefly adobe_c2pa/0.7.6 c2pa-rs/0.25.2"));
    const MetadataFinding *f = nullptr;
    for (const MetadataFinding *g : findingsOf(report, kGeneratorCode)) {
        if (g->message.contains(QStringLiteral("Firefly")))
            f = g;
    }
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->message,
        QStringLiteral("The C2PA manifest in the %1 (signature NOT verified) names the generator "
                       "\"Adobe Firefly\"")
            .arg(container));
    QVERIFY2(finding(report, QStringLiteral("c2pa-manifest")), qPrintable(listing(report)));
    const MetadataFinding *source = finding(report, QStringLiteral("digital-source-type"));
    QVERIFY2(source, qPrintable(listing(report)));
    QCOMPARE(source->severity, MetadataFinding::Severity::Warning);
}

void TestGeneratorSignatures::extensionMismatch()
{
    const QByteArray jpeg = plainJpeg();
    const MetadataReport renamed = reportOf(jpeg, { QStringLiteral("photo.png"), {} });
    const MetadataFinding *f = finding(renamed, QStringLiteral("extension-mismatch"));
    QVERIFY2(f, qPrintable(listing(renamed)));
    QCOMPARE(f->severity, MetadataFinding::Severity::Notice);
    QVERIFY2(
        f->message.startsWith(QStringLiteral("The file is named as PNG but its content is JPEG")),
        qPrintable(f->message));
    QVERIFY(!finding(
        reportOf(jpeg, { QStringLiteral("photo.jpg"), {} }), QStringLiteral("extension-mismatch")));
    QVERIFY(!finding(reportOf(jpeg, { QStringLiteral("PHOTO.JPEG"), {} }),
        QStringLiteral("extension-mismatch")));
}

// A 64 x 48 JPEG whose Exif IFD records PixelXDimension / PixelYDimension (0xA002, 0xA003, LONG).
void TestGeneratorSignatures::dimensionMismatch()
{
    const auto recording = [](quint32 x, quint32 y) {
        return reportOf(jpegWith(plainJpeg(64, 48),
            { exifApp1(tiff(false, {}, { longValue(0xA002, x), longValue(0xA003, y) })) }));
    };
    const MetadataReport resized = recording(4032, 3024);
    QCOMPARE(resized.width, 64);
    QCOMPARE(resized.height, 48);
    const MetadataFinding *f = finding(resized, QStringLiteral("dimension-mismatch"));
    QVERIFY2(f, qPrintable(listing(resized)));
    QVERIFY2(f->message.startsWith(QStringLiteral(
                 "The metadata records an image of 4032 \u00d7 3024 pixels, but this file's image "
                 "is 64 \u00d7 48")),
        qPrintable(f->message));
    QVERIFY(!finding(recording(64, 48), QStringLiteral("dimension-mismatch")));
    QVERIFY(!finding(recording(48, 64), QStringLiteral("dimension-mismatch"))); // rotated
}

void TestGeneratorSignatures::jpegWithoutEoi()
{
    const QByteArray jpeg = plainJpeg();
    QCOMPARE(jpeg.right(2), QByteArray("\xff\xd9", 2));
    const MetadataReport cut = reportOf(jpeg.left(jpeg.size() - 2));
    const MetadataFinding *f = finding(cut, QStringLiteral("jpeg-no-eoi"));
    QVERIFY2(f, qPrintable(listing(cut)));
    QCOMPARE(f->severity, MetadataFinding::Severity::Warning);
    QVERIFY(!finding(reportOf(jpeg), QStringLiteral("jpeg-no-eoi")));
}

// Photoshop's xmpMM:History: an rdf:Seq of stEvt resource events (attributes action,
// instanceID, when, softwareAgent, changed), in a JPEG's XMP APP1.
void TestGeneratorSignatures::editingHistory()
{
    const QByteArray description(
        "  <rdf:Description rdf:about=\"\"\n"
        "    xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n"
        "    xmlns:stEvt=\"http://ns.adobe.com/xap/1.0/sType/ResourceEvent#\">\n"
        "   <xmpMM:History>\n"
        "    <rdf:Seq>\n"
        "     <rdf:li stEvt:action=\"created\" stEvt:instanceID=\"xmp.iid:0a1b\"\n"
        "      stEvt:when=\"2024-01-02T10:00:00Z\" stEvt:softwareAgent=\"Adobe Photoshop 25.0\"/>\n"
        "     <rdf:li stEvt:action=\"saved\" stEvt:instanceID=\"xmp.iid:0a1c\"\n"
        "      stEvt:when=\"2024-01-03T11:00:00Z\"\n"
        "      stEvt:softwareAgent=\"Adobe Photoshop Lightroom Classic 13.0 (Windows)\"\n"
        "      stEvt:changed=\"/\"/>\n"
        "    </rdf:Seq>\n"
        "   </xmpMM:History>\n"
        "  </rdf:Description>\n");
    const MetadataReport report
        = reportOf(jpegWith(plainJpeg(), { xmpApp1(xmpPacket(description)) }));
    const MetadataFinding *f = finding(report, QStringLiteral("editing-history"));
    QVERIFY2(f, qPrintable(listing(report)));
    QCOMPARE(f->severity, MetadataFinding::Severity::Notice);
    QVERIFY2(f->message.startsWith(QStringLiteral("XMP records 2 editing step(s): created by "
                                                  "Adobe Photoshop 25.0")),
        qPrintable(f->message));
    QVERIFY2(f->message.contains(
                 QStringLiteral("saved by Adobe Photoshop Lightroom Classic 13.0 (Windows)")),
        qPrintable(f->message));
    QVERIFY2(f->message.contains(QStringLiteral("2024-01-02T10:00:00Z")), qPrintable(f->message));
}

// DateTime (0x0132) in IFD0; DateTimeOriginal (0x9003), DateTimeDigitized (0x9004) and
// OffsetTimeOriginal (0x9011) in the Exif IFD, ASCII, little-endian as cameras write them.
void TestGeneratorSignatures::dateInconsistencies()
{
    const auto dates = [](const QList<IfdEntry> &ifd0, const QList<IfdEntry> &exif,
                           const QString &modifiedUtc = {}) {
        MetadataFileFacts facts{ QStringLiteral("photo.jpg"), {} };
        if (!modifiedUtc.isEmpty())
            facts.modifiedUtc = QDateTime::fromString(modifiedUtc, Qt::ISODate);
        const MetadataReport report
            = reportOf(jpegWith(plainJpeg(), { exifApp1(tiff(false, ifd0, exif)) }), facts);
        QStringList messages;
        for (const MetadataFinding *f : findingsOf(report, QStringLiteral("date-inconsistency")))
            messages.append(f->message);
        return messages;
    };

    QCOMPARE(
        dates({}, { ascii(0x9003, "2024:05:01 12:00:00"), ascii(0x9004, "2024:05:03 12:00:00") }),
        QStringList{ QStringLiteral("EXIF's DateTimeOriginal and DateTimeDigitized differ by 2 "
                                    "days: usual for a scanned print, unusual for a camera") });
    QCOMPARE(
        dates({ ascii(0x0132, "2024:04:30 12:00:00") }, { ascii(0x9003, "2024:05:01 12:00:00") }),
        QStringList{ QStringLiteral("EXIF's DateTime (last change) is 24 hours before "
                                    "DateTimeOriginal (when it was taken)") });
    QCOMPARE(dates({}, { ascii(0x9003, "2024:05:02 12:00:00"), ascii(0x9011, "+00:00") },
                 QStringLiteral("2024-05-01T12:00:00Z")),
        QStringList{ QStringLiteral("EXIF says the photograph was taken 24 hours after the file "
                                    "system says the file was last modified") });
    // Consistent: all three the same, taken half a minute before the file was written.
    QCOMPARE(dates({ ascii(0x0132, "2024:05:01 12:00:00") },
                 { ascii(0x9003, "2024:05:01 12:00:00"), ascii(0x9004, "2024:05:01 12:00:00"),
                     ascii(0x9011, "+00:00") },
                 QStringLiteral("2024-05-01T12:00:30Z")),
        QStringList());
    // Without an offset the camera's zone is unknown: eight hours ahead may be a time zone.
    QCOMPARE(
        dates({}, { ascii(0x9003, "2024:05:01 20:00:00") }, QStringLiteral("2024-05-01T12:00:00Z")),
        QStringList());
}

void TestGeneratorSignatures::multipleImages()
{
    const auto message = [](const MetadataReport &report) {
        const MetadataFinding *f = finding(report, QStringLiteral("multiple-images"));
        return f ? f->message : listing(report);
    };
    QCOMPARE(message(reportOf(gif(3))),
        QStringLiteral("The GIF holds 3 frames; only the first (the primary image) is analysed"));
    QVERIFY(!finding(reportOf(gif(1)), QStringLiteral("multiple-images")));

    // Two pages written by libtiff through OpenCV.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("pages.tiff"));
    const std::vector<cv::Mat> pages{ gradient(16, 16), gradient(16, 16) };
    QVERIFY(cv::imwritemulti(path.toStdString(), pages));
    QCOMPARE(message(reportOf(readFileBytes(path))),
        QStringLiteral("The TIFF holds 2 pages; only the first (the primary image) is analysed"));

    // APNG (the APNG specification): IHDR, acTL (num_frames 4, num_plays 0), fcTL 0 + IDAT (the
    // default image is the first frame), then fcTL + fdAT for each other frame, sequence numbers
    // counting up across fcTL and fdAT.
    const QByteArray pixels = zlibCompressed(QByteArray::fromHex("00ff0000"));
    const auto fctl = [](quint32 sequence) {
        return pngChunk("fcTL",
            be32(sequence) + be32(1) + be32(1) + be32(0) + be32(0) + be16(1) + be16(10)
                + QByteArray(2, '\0'));
    };
    QByteArray apng("\x89PNG\r\n\x1a\n", 8);
    apng += pngChunk("IHDR", be32(1) + be32(1) + QByteArray("\x08\x02\0\0\0", 5));
    apng += pngChunk("acTL", be32(4) + be32(0));
    apng += fctl(0) + pngChunk("IDAT", pixels);
    for (quint32 sequence = 1; sequence < 7; sequence += 2)
        apng += fctl(sequence) + pngChunk("fdAT", be32(sequence + 1) + pixels);
    apng += pngChunk("IEND", {});
    QCOMPARE(message(reportOf(apng)),
        QStringLiteral(
            "The PNG holds 4 frames (APNG); only the first (the primary image) is analysed"));
}

// Negative controls: what OpenCV writes carries no generator's signature and hides nothing.
void TestGeneratorSignatures::plainImagesHaveNoGeneratorFindings()
{
    for (const QByteArray &file :
        { encoded(gradient(64, 48), ".png"), encoded(gradient(48, 200, 4), ".png"), plainJpeg(),
            encoded(gradient(64, 48), ".tiff") }) {
        QVERIFY(!file.isEmpty());
        const MetadataReport report = reportOf(file);
        QVERIFY(report.format != ImageFormat::Unknown);
        QVERIFY2(!finding(report, kGeneratorCode), qPrintable(listing(report)));
        QVERIFY2(!finding(report, kHiddenCode), qPrintable(listing(report)));
        QVERIFY2(!finding(report, QStringLiteral("multiple-images")), qPrintable(listing(report)));
        QVERIFY2(
            !finding(report, QStringLiteral("date-inconsistency")), qPrintable(listing(report)));
    }
}

// JPEG XL keeps Exif and XMP in `Exif` and `xml ` boxes, or Brotli-compressed in `brob` boxes
// (ISO/IEC 18181-2; libjxl's JxlEncoderUseBoxes with compression). Exiv2 0.27 reads only the
// plain ones; the compressed ones are decompressed and read with Exiv2's own parsers. An Exif
// box is a 4-byte offset to the TIFF header (0 here), then the TIFF structure.
void TestGeneratorSignatures::jpegXlCompressedBoxesAreRead()
{
    const QByteArray exif = be32(0) + tiff(true, { ascii(0x0131, "Fooocus v2.5.5") });
    const QByteArray xmp
        = xmpPacket("  <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                    "   xmp:CreatorTool=\"ForgeLens brob test\"/>\n");
    const QByteArray head = QByteArray::fromHex("0000000c4a584c200d0a870a")
        + box("ftyp", QByteArray("jxl ") + be32(0) + "jxl ");
    const MetadataReport report = reportOf(
        head + brobBox("Exif", exif) + brobBox("xml ", xmp) + box("jxlc", kJxlCodestream));
    QCOMPARE(report.format, ImageFormat::JpegXl);
    QCOMPARE(report.embedded.value(QStringLiteral("Exif.Image.Software")),
        QStringLiteral("Fooocus v2.5.5"));
    QCOMPARE(report.embedded.value(QStringLiteral("Xmp.xmp.CreatorTool")),
        QStringLiteral("ForgeLens brob test"));
    bool named = false;
    for (const MetadataFinding *f : findingsOf(report, kGeneratorCode))
        named = named
            || f->message == QStringLiteral("Exif.Image.Software names the generator \"fooocus\"");
    QVERIFY2(named, qPrintable(listing(report)));

    // Its Brotli stream cut short: said, and the rest of the file still read.
    QByteArray cut = brobBox("Exif", exif);
    cut.chop(4);
    cut.replace(0, 4, be32(quint32(cut.size())));
    const MetadataReport damaged
        = reportOf(head + cut + brobBox("xml ", xmp) + box("jxlc", kJxlCodestream));
    QCOMPARE(damaged.embedded.value(QStringLiteral("Xmp.xmp.CreatorTool")),
        QStringLiteral("ForgeLens brob test"));
    bool said = false;
    for (const Error &error : damaged.errors)
        said = said || error.message.contains(QStringLiteral("compressed Exif box"));
    QVERIFY2(said, qPrintable(listing(damaged)));
}

QTEST_GUILESS_MAIN(TestGeneratorSignatures)
#include "tst_generator_signatures.moc"
