// libFuzzer harness: the EXIF orientation read (Exiv2) that every decode applies.
#include "forgelens/image/exif_orientation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    forgelens::readExifOrientation(std::span<const std::uint8_t>(data, size));
    return 0;
}
