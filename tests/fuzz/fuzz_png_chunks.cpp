// libFuzzer harness: the PNG chunk walker (CRCs, text chunks inflated with a bound, caBX).
#include "forgelens/metadata/png_chunks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    forgelens::scanPngChunks(std::span<const std::uint8_t>(data, size));
    return 0;
}
