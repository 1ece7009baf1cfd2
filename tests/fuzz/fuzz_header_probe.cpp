// libFuzzer harness: the header probe every decode starts with (formats, dimensions).
#include "forgelens/image/image_header_probe.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    const std::span<const std::uint8_t> bytes(data, size);
    forgelens::sniffImageFormat(bytes);
    forgelens::probeImageHeader(bytes);
    return 0;
}
