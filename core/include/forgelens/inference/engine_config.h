#pragma once

#include <QString>

namespace forgelens {

struct EngineConfig {
    enum class Device { Auto, Cpu, Cuda };

    Device device = Device::Auto; // Auto: CUDA when LibTorch sees a GPU, else CPU
    int intraOpThreads = 0; // CPU threads per operator; 0 = the cores this process may use
    int maxBatch = 8; // images stacked into one forward call
    bool warmUp = true; // one forward pass at load: checks outputs, primes allocators
    // Pin for the bundle file; empty = not pinned. Front ends refuse a pin given empty ("").
    QString expectedSha256;

    // Empty when usable, else what is wrong.
    QString validate() const;
    static QString deviceName(Device device);
};

} // namespace forgelens
