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
          QStringLiteral("210"))
{
}

void EngineOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({ m_device, m_threads, m_maxPixels });
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
    return QString();
}

} // namespace forgelens::cli
