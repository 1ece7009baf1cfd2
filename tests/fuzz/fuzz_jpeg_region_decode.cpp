// libFuzzer harness: the crop-only JPEG decode (core/image/jpeg_region_decode.h) on hostile
// bytes. libjpeg's errors come back through longjmp, and the crop's margins and row skips are
// our arithmetic: both must hold on any input. The decoder's own guards come first, as in
// decodeImage (the header's size, the scan count, the end-of-image marker).
#include "forgelens/image/image_header_probe.h"

#include "../../core/image/jpeg_layout.h"
#include "../../core/image/jpeg_region_decode.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    using namespace forgelens;
    const std::span<const std::uint8_t> bytes(data, size);
    const Result<ImageHeader> header = probeImageHeader(bytes);
    if (!header || header->format != ImageFormat::Jpeg)
        return 0;
    const int width = header->width;
    const int height = header->height;
    // A short run per input: the pixel limit, like the rest, is decodeImage's business.
    if (width <= 0 || height <= 0 || qint64(width) * height > 4'000'000)
        return 0;
    const JpegLayout layout = walkJpeg(bytes);
    if (!layout.endsProperly || layout.scans > 500)
        return 0;
    // The centre half, and the last pixel (the margins clipped at two edges).
    decodeJpegRegion(bytes,
        QRect(width / 4, height / 4, std::max(1, width / 2), std::max(1, height / 2)), width,
        height);
    decodeJpegRegion(bytes, QRect(width - 1, height - 1, 1, 1), width, height);
    return 0;
}
