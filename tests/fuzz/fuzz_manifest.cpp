// libFuzzer harness: a model bundle's manifest JSON (bundles are untrusted input).
#include "forgelens/models/model_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    forgelens::ModelManifest::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    return 0;
}
