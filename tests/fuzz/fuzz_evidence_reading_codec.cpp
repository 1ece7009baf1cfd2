// libFuzzer harness: the parent's reading of a sandboxed worker's reply, which a compromised
// worker may have forged.
#include "forgelens/sandbox/evidence_reading_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    qint64 pixelBytes = 0;
    forgelens::decodeEvidenceReading(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)), pixelBytes);
    return 0;
}
