#include "engine_options.h"

namespace forgelens::cli {

EngineOptions::EngineOptions()
    : m_device(QStringLiteral("device"),
        QStringLiteral("auto (default: CUDA when present), cpu or cuda."), QStringLiteral("DEVICE"),
        QStringLiteral("auto")),
      m_threads(QStringLiteral("threads"),
          QStringLiteral("CPU threads per operator (default: the cores this process may use)."),
          QStringLiteral("N"), QStringLiteral("0")),
      m_maxPixels(QStringLiteral("max-megapixels"),
          QStringLiteral("Refuse images larger than this (default 210)."), QStringLiteral("N"),
          QStringLiteral("210")),
      m_pins(QStringLiteral("model-sha256"),
          QStringLiteral("Refuse a bundle unless its SHA-256 is HEX: one per --model, in the "
                         "same order. A pinned bundle must carry its manifest inside."),
          QStringLiteral("HEX")),
      m_overrides(QStringLiteral("threshold-override"),
          QStringLiteral("A threshold override (evaluate --write-threshold) for the bundle it "
                         "names; repeat for several. The bundles themselves are not changed."),
          QStringLiteral("FILE")),
      m_overridePins(QStringLiteral("threshold-override-sha256"),
          QStringLiteral("Refuse an override unless its SHA-256 is HEX: one per "
                         "--threshold-override, in order. Required with --model-sha256."),
          QStringLiteral("HEX"))
{
}

void EngineOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({ m_device, m_threads, m_maxPixels, m_pins, m_overrides, m_overridePins });
}

QString EngineOptions::read(
    const QCommandLineParser &parser, EngineConfig &config, DecodeLimits &limits) const
{
    const QString device = parser.value(m_device);
    if (device == QLatin1String("cpu"))
        config.device = EngineConfig::Device::Cpu;
    else if (device == QLatin1String("cuda"))
        config.device = EngineConfig::Device::Cuda;
    else if (device != QLatin1String("auto"))
        return QStringLiteral("--device must be auto, cpu or cuda");
    bool ok = false;
    config.intraOpThreads = parser.value(m_threads).toInt(&ok);
    if (!ok || config.intraOpThreads < 0)
        return QStringLiteral("--threads must be 0 (automatic) or a positive number");
    const double megapixels = parser.value(m_maxPixels).toDouble(&ok);
    if (!ok || megapixels <= 0)
        return QStringLiteral("--max-megapixels must be a positive number");
    limits.maxPixels = qint64(megapixels * 1e6);
    config.thresholdOverrides = parser.values(m_overrides);
    config.thresholdOverridePins = parser.values(m_overridePins);
    if (!config.thresholdOverridePins.isEmpty()
        && config.thresholdOverridePins.size() != config.thresholdOverrides.size())
        return QStringLiteral("give one --threshold-override-sha256 per --threshold-override, in "
                              "the same order");
    // A pinned bundle's verdicts are vouched for by its pins alone: an unpinned file that
    // changes its threshold would slip past them.
    if (parser.isSet(m_pins) && !config.thresholdOverrides.isEmpty()
        && config.thresholdOverridePins.isEmpty())
        return QStringLiteral("--model-sha256 pins the bundles, so each --threshold-override "
                              "must be pinned too (--threshold-override-sha256)");
    return QString();
}

QString EngineOptions::readPins(
    const QCommandLineParser &parser, qsizetype bundleCount, QStringList &pins) const
{
    pins = parser.values(m_pins);
    if (pins.isEmpty())
        return {};
    if (pins.size() != bundleCount)
        return QStringLiteral("%1 --model-sha256 for %2 bundles: give one per --model, in the "
                              "same order")
            .arg(pins.size())
            .arg(bundleCount);
    for (const QString &pin : pins) {
        EngineConfig check;
        check.expectedSha256 = pin;
        if (pin.isEmpty() || !check.validate().isEmpty())
            return QStringLiteral("--model-sha256 takes the 64 hexadecimal digits of a SHA-256; "
                                  "an empty pin is refused");
    }
    return {};
}

} // namespace forgelens::cli
