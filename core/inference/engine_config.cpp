#include "forgelens/inference/engine_config.h"

#include <algorithm>

namespace forgelens {

QString EngineConfig::validate() const
{
    if (intraOpThreads < 0)
        return QStringLiteral("the thread count must be 0 (automatic) or positive");
    if (maxBatch < 1 || maxBatch > 4096)
        return QStringLiteral("the batch size must lie between 1 and 4096");
    if (!expectedSha256.isEmpty()) {
        static const QString hexDigits = QStringLiteral("0123456789abcdefABCDEF");
        const bool hex = std::all_of(expectedSha256.begin(), expectedSha256.end(),
            [](QChar c) { return hexDigits.contains(c); });
        if (expectedSha256.size() != 64 || !hex)
            return QStringLiteral("a pinned SHA-256 is 64 hexadecimal digits");
    }
    return {};
}

QString EngineConfig::deviceName(Device device)
{
    switch (device) {
    case Device::Auto: return QStringLiteral("auto");
    case Device::Cpu: return QStringLiteral("cpu");
    case Device::Cuda: return QStringLiteral("cuda");
    }
    return {};
}

} // namespace forgelens
