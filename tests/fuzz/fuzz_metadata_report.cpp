// libFuzzer harness: the whole metadata layer on one file (Exiv2 EXIF/IPTC/XMP, PNG chunks,
// JPEG tables, C2PA, the thumbnail comparison, the findings).
#include "forgelens/metadata/metadata_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    forgelens::readMetadataReport(std::span<const std::uint8_t>(data, size));
    return 0;
}
