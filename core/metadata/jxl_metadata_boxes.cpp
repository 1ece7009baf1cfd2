#include "jxl_metadata_boxes.h"

#include "bmff_boxes.h"

#include <brotli/decode.h>

#include <cstring>
#include <memory>

namespace forgelens {
namespace {

constexpr size_t kMaxContentBytes = size_t(16) << 20;

// Decompresses at most kMaxContentBytes: a box of a few bytes can expand to gigabytes.
QByteArray inflateBrotli(const std::uint8_t *data, size_t size, QString &problem)
{
    struct Free {
        void operator()(BrotliDecoderState *state) const { BrotliDecoderDestroyInstance(state); }
    };
    std::unique_ptr<BrotliDecoderState, Free> state(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr));
    if (!state) {
        problem = QStringLiteral("the Brotli decoder could not start");
        return {};
    }
    QByteArray out;
    size_t availableIn = size;
    const std::uint8_t *nextIn = data;
    std::uint8_t buffer[65536];
    for (;;) {
        size_t availableOut = sizeof buffer;
        std::uint8_t *nextOut = buffer;
        const BrotliDecoderResult result = BrotliDecoderDecompressStream(
            state.get(), &availableIn, &nextIn, &availableOut, &nextOut, nullptr);
        out.append(reinterpret_cast<const char *>(buffer), qsizetype(sizeof buffer - availableOut));
        if (size_t(out.size()) > kMaxContentBytes) {
            problem = QStringLiteral("it decompresses to more than 16 MiB; not read");
            return {};
        }
        if (result == BROTLI_DECODER_RESULT_SUCCESS)
            return out;
        if (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT)
            continue;
        problem = result == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT
            ? QStringLiteral("its Brotli data ends early")
            : QStringLiteral("its Brotli data is damaged (%1)")
                  .arg(QLatin1String(
                      BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get()))));
        return {};
    }
}

} // namespace

std::vector<JxlMetadataBox> compressedJxlMetadataBoxes(std::span<const std::uint8_t> bytes)
{
    std::vector<JxlMetadataBox> out;
    static constexpr std::uint8_t kSignature[12]
        = { 0x00, 0x00, 0x00, 0x0C, 'J', 'X', 'L', ' ', 0x0D, 0x0A, 0x87, 0x0A };
    if (bytes.size() < 12 || std::memcmp(bytes.data(), kSignature, 12) != 0)
        return out;
    const Result<std::vector<BmffBox>> boxes = topLevelBoxes(bytes);
    if (!boxes)
        return out; // the decoder and the C2PA reader report a broken container
    for (const BmffBox &box : *boxes) {
        if (box.type != 0x62726F62u || box.end - box.payload < 4) // brob
            continue;
        const QByteArray type(reinterpret_cast<const char *>(bytes.data() + box.payload), 4);
        if (type != "Exif" && type != "xml ")
            continue;
        JxlMetadataBox entry{ type, {}, {} };
        entry.content = inflateBrotli(
            bytes.data() + box.payload + 4, size_t(box.end - box.payload - 4), entry.problem);
        out.push_back(std::move(entry));
    }
    return out;
}

} // namespace forgelens
