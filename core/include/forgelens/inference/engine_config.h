#pragma once

#include <QString>
#include <QStringList>

namespace forgelens {

struct EngineConfig {
    enum class Device { Auto, Cpu, Cuda };

    Device device = Device::Auto; // Auto: CUDA when LibTorch sees a GPU, else CPU
    int intraOpThreads = 0; // CPU threads per operator; 0 = the cores this process may use
    int maxBatch = 8; // images stacked into one forward call
    bool warmUp = true; // one forward pass at load: checks outputs, primes allocators
    // Pin for the bundle file; empty = not pinned. Front ends refuse a pin given empty ("").
    QString expectedSha256;
    // Threshold override files for the bundles (BundleLoadOptions::thresholdOverrides) and,
    // empty or one per file, their SHA-256 pins. Every model of a set is given all of them; each
    // takes the one naming it, and DetectorSet refuses a file that names none of its models.
    QStringList thresholdOverrides;
    QStringList thresholdOverridePins;

    // Empty when usable, else what is wrong.
    QString validate() const;
    static QString deviceName(Device device);
};

} // namespace forgelens
