#include "forgelens/metadata/png_chunks.h"

#include <zlib.h>

namespace forgelens {
namespace {

std::uint32_t readBe32(const std::uint8_t *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
        | std::uint32_t(p[3]);
}

// A chunk type as text; bytes outside printable ASCII are shown as hex so that a hostile file
// cannot put control characters into a report.
QString chunkTypeName(const std::uint8_t *p)
{
    QString name;
    for (int i = 0; i < 4; ++i) {
        if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '%') // '%' would act as a QString::arg marker
            name += QLatin1Char(char(p[i]));
        else
            name += QStringLiteral("\\x%1").arg(p[i], 2, 16, QLatin1Char('0'));
    }
    return name;
}

// Inflates a zlib stream, stopping with an error past `limit` bytes of output: a zTXt chunk of
// a few kilobytes can otherwise expand to gigabytes.
Result<QByteArray> inflateBounded(std::span<const std::uint8_t> input, qint64 limit)
{
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK)
        return Error{ ErrorCode::PngTextInflate, QStringLiteral("zlib failed to start") };
    QByteArray out;
    char buffer[16384];
    stream.next_in = const_cast<Bytef *>(input.data());
    stream.avail_in = uInt(input.size());
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef *>(buffer);
        stream.avail_out = sizeof(buffer);
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END)
            break;
        const qsizetype produced = qsizetype(sizeof(buffer) - stream.avail_out);
        if (out.size() + produced > limit) {
            inflateEnd(&stream);
            return Error{ ErrorCode::PngTextTooLarge,
                QStringLiteral("a compressed text chunk expands past %1 bytes; not read further "
                               "(a decompression bomb?)")
                    .arg(limit) };
        }
        out.append(buffer, produced);
        if (status == Z_OK && produced == 0 && stream.avail_in == 0) {
            status = Z_BUF_ERROR; // input ended before the stream did
            break;
        }
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END)
        return Error{ ErrorCode::PngTextInflate,
            QStringLiteral("a compressed text chunk's zlib data is damaged or cut short") };
    return out;
}

// Splits at the first NUL: keyword and the rest. Returns false when there is none.
bool splitAtNul(const QByteArray &data, qsizetype from, QByteArray &head, qsizetype &next)
{
    const qsizetype nul = data.indexOf('\0', from);
    if (nul < 0)
        return false;
    head = data.mid(from, nul - from);
    next = nul + 1;
    return true;
}

} // namespace

Result<PngChunkScan> scanPngChunks(
    std::span<const std::uint8_t> bytes, const PngChunkLimits &limits)
{
    static constexpr std::uint8_t kSignature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    if (bytes.size() < 8 || !std::equal(kSignature, kSignature + 8, bytes.data()))
        return Error{ ErrorCode::MalformedPng, QStringLiteral("not a PNG file") };

    PngChunkScan scan;
    size_t pos = 8;
    qint64 textBytes = 0;
    bool sawEnd = false;
    bool tooManyTexts = false;
    const auto addProblem = [&scan](ErrorCode code, const QString &message) {
        if (scan.problems.size() < 100) // a hostile file can have millions of bad chunks
            scan.problems.push_back({ code, message });
    };
    while (pos < bytes.size()) {
        if (bytes.size() - pos < 12)
            return Error{ ErrorCode::MalformedPng,
                QStringLiteral("the file ends inside a chunk header at byte %1").arg(pos) };
        const std::uint32_t length = readBe32(bytes.data() + pos);
        const QString type = chunkTypeName(bytes.data() + pos + 4);
        if (length > limits.maxChunkBytes || length > bytes.size() - pos - 12)
            return Error{ ErrorCode::MalformedPng,
                QStringLiteral("chunk %1 at byte %2 declares %3 bytes, past the end of the file "
                               "(or over the limit)")
                    .arg(type, QString::number(pos), QString::number(length)) };
        if (scan.chunkTypes.size() < limits.maxListedChunks)
            scan.chunkTypes.append(type);
        const std::uint8_t *typeAndData = bytes.data() + pos + 4;
        const std::uint32_t storedCrc = readBe32(typeAndData + 4 + length);
        const auto computedCrc = std::uint32_t(crc32(0L, typeAndData, uInt(4 + length)));
        if (storedCrc != computedCrc)
            addProblem(ErrorCode::PngCrcMismatch,
                QStringLiteral("chunk %1 at byte %2 fails its CRC check (damaged or edited by "
                               "hand)")
                    .arg(type, QString::number(pos)));

        const QByteArray data(reinterpret_cast<const char *>(typeAndData + 4), qsizetype(length));
        const bool isText = type == QLatin1String("tEXt") || type == QLatin1String("zTXt")
            || type == QLatin1String("iTXt");
        const qint64 textBudget
            = qMin(limits.maxInflatedTextBytes, limits.maxTotalTextBytes - textBytes);
        if (isText && (int(scan.texts.size()) >= limits.maxTextChunks || textBudget <= 0)) {
            if (!tooManyTexts)
                addProblem(ErrorCode::PngTooManyTextChunks,
                    QStringLiteral("more than %1 text chunks or %2 bytes of text; the rest are "
                                   "not read")
                        .arg(limits.maxTextChunks)
                        .arg(limits.maxTotalTextBytes));
            tooManyTexts = true;
        } else if (isText) {
            PngTextChunk text;
            text.chunkType = type;
            QByteArray keyword;
            qsizetype next = 0;
            if (!splitAtNul(data, 0, keyword, next)) {
                addProblem(ErrorCode::PngTextMalformed,
                    QStringLiteral("%1 chunk at byte %2 has no keyword separator")
                        .arg(type, QString::number(pos)));
            } else {
                text.keyword = QString::fromLatin1(keyword);
                Result<QByteArray> body = QByteArray();
                bool utf8 = false;
                if (type == QLatin1String("tEXt")) {
                    body = data.mid(next).left(textBudget);
                } else if (type == QLatin1String("zTXt")) {
                    text.compressed = true;
                    const QByteArray compressed = data.mid(next + 1); // after the method byte
                    if (next >= data.size() || data.at(next) != 0) // 0 = zlib, the only method
                        body = Error{ ErrorCode::PngTextMalformed,
                            QStringLiteral("unknown compression method") };
                    else
                        body = inflateBounded(
                            { reinterpret_cast<const std::uint8_t *>(compressed.constData()),
                                size_t(compressed.size()) },
                            textBudget);
                } else { // iTXt: flag, method, language\0, translated keyword\0, text
                    utf8 = true;
                    QByteArray language;
                    QByteArray translated;
                    qsizetype afterLanguage = 0;
                    qsizetype afterTranslated = 0;
                    if (next + 2 > data.size()
                        || !splitAtNul(data, next + 2, language, afterLanguage)
                        || !splitAtNul(data, afterLanguage, translated, afterTranslated)) {
                        body = Error{ ErrorCode::PngTextMalformed,
                            QStringLiteral("iTXt chunk at byte %1 is cut short").arg(pos) };
                    } else {
                        text.language = QString::fromLatin1(language);
                        text.compressed = data.at(next) != 0;
                        const QByteArray rest = data.mid(afterTranslated);
                        if (text.compressed && data.at(next + 1) != 0)
                            body = Error{ ErrorCode::PngTextMalformed,
                                QStringLiteral("unknown compression method") };
                        else if (text.compressed)
                            body = inflateBounded(
                                { reinterpret_cast<const std::uint8_t *>(rest.constData()),
                                    size_t(rest.size()) },
                                textBudget);
                        else
                            body = rest.left(textBudget);
                    }
                }
                if (body) {
                    textBytes += body->size();
                    text.text = utf8 ? QString::fromUtf8(*body) : QString::fromLatin1(*body);
                    scan.texts.push_back(std::move(text));
                } else {
                    Error problem = body.error();
                    problem.message
                        = QStringLiteral("%1 \"%2\": %3").arg(type, text.keyword, problem.message);
                    if (scan.problems.size() < 100)
                        scan.problems.push_back(std::move(problem));
                }
            }
        } else if (type == QLatin1String("caBX")) {
            scan.c2paJumbf = data;
        }

        pos += 12 + size_t(length);
        if (type == QLatin1String("IEND")) {
            sawEnd = true;
            break; // bytes after IEND are not part of the PNG
        }
    }
    if (!sawEnd)
        addProblem(ErrorCode::PngNoIend,
            QStringLiteral("the file ends without an IEND chunk (truncated?)"));
    return scan;
}

} // namespace forgelens
