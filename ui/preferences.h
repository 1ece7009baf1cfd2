#pragma once

#include "forgelens/inference/engine_config.h"

#include <QStringList>

namespace forgelens {

// What the window remembers between sessions (QSettings, organisation and application
// "ForgeLens"): the device and operator threads for new detectors, the detectors to load at
// start, and the recent evidence files, bundles and cases.
struct Preferences {
    static constexpr int kRecentLimit = 10;

    EngineConfig::Device device = EngineConfig::Device::Auto;
    int threads = 0; // 0: the cores this process may use
    QStringList defaultDetectors; // bundles loaded at start, in order
    QStringList recentFiles; // newest first
    QStringList recentBundles; // newest first
    QStringList recentCases; // newest first

    static Preferences load();
    void save() const;
    EngineConfig engineConfig() const;
    // Puts `path` first in `list`, keeping at most kRecentLimit entries.
    static void remember(QStringList &list, const QString &path);
};

} // namespace forgelens
