#include "preferences.h"

#include <QSettings>

namespace forgelens {

Preferences Preferences::load()
{
    QSettings store(QStringLiteral("ForgeLens"), QStringLiteral("ForgeLens"));
    Preferences p;
    const QString device = store.value(QStringLiteral("engine/device")).toString();
    p.device = device == QLatin1String("cpu") ? EngineConfig::Device::Cpu
        : device == QLatin1String("cuda")     ? EngineConfig::Device::Cuda
                                              : EngineConfig::Device::Auto;
    p.threads = qMax(0, store.value(QStringLiteral("engine/threads"), 0).toInt());
    p.defaultDetectors = store.value(QStringLiteral("detectors/default")).toStringList();
    p.recentFiles = store.value(QStringLiteral("recent/files")).toStringList().mid(0, kRecentLimit);
    p.recentBundles
        = store.value(QStringLiteral("recent/bundles")).toStringList().mid(0, kRecentLimit);
    p.recentCases = store.value(QStringLiteral("recent/cases")).toStringList().mid(0, kRecentLimit);
    return p;
}

void Preferences::save() const
{
    QSettings store(QStringLiteral("ForgeLens"), QStringLiteral("ForgeLens"));
    store.setValue(QStringLiteral("engine/device"), EngineConfig::deviceName(device));
    store.setValue(QStringLiteral("engine/threads"), threads);
    store.setValue(QStringLiteral("detectors/default"), defaultDetectors);
    store.setValue(QStringLiteral("recent/files"), recentFiles);
    store.setValue(QStringLiteral("recent/bundles"), recentBundles);
    store.setValue(QStringLiteral("recent/cases"), recentCases);
}

EngineConfig Preferences::engineConfig() const
{
    EngineConfig config;
    config.device = device;
    config.intraOpThreads = threads;
    return config;
}

void Preferences::remember(QStringList &list, const QString &path)
{
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kRecentLimit)
        list.removeLast();
}

} // namespace forgelens
