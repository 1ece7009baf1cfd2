// libFuzzer harness: the JPEG marker walker (frame, scans, quantisation tables, quality).
#include "forgelens/metadata/jpeg_structure.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    forgelens::readJpegStructure(std::span<const std::uint8_t>(data, size));
    return 0;
}
