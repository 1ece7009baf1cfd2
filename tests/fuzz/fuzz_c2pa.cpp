// libFuzzer harness: C2PA's JUMBF boxes and CBOR claims, both as embedded in a JPEG/PNG/WebP
// container and as a bare manifest store.
#include "forgelens/image/image_header_probe.h"
#include "forgelens/metadata/c2pa_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    using namespace forgelens;
    const std::span<const std::uint8_t> bytes(data, size);
    const ImageFormat format = sniffImageFormat(bytes);
    if (format != ImageFormat::Unknown) {
        Result<std::optional<QByteArray>> jumbf = extractC2paJumbf(bytes, format);
        if (jumbf && jumbf->has_value())
            parseC2paJumbf(**jumbf, QStringLiteral("fuzz"));
    }
    parseC2paJumbf(QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)),
        QStringLiteral("fuzz"));
    return 0;
}
