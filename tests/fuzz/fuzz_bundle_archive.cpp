// libFuzzer harness: a model bundle's ZIP archive and the operation check of its code, both run
// before TorchScript sees a byte of it.
#include "forgelens/models/bundle_code_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
    using namespace forgelens;
    const QByteArray bytes
        = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    BundleArchiveLimits limits;
    limits.maxInflatedBytes = 16 << 20; // keeps each run small; the bound is what is tested
    Result<BundleArchive> archive = readBundleArchive(bytes, limits);
    if (archive)
        checkBundleCode(bytes, *archive, limits);
    torchScriptOperations(bytes);
    return 0;
}
