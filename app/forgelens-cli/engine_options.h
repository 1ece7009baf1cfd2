#pragma once

#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/engine_config.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

namespace forgelens::cli {

// The options `analyze`, `scan` and `evaluate` share: the device, the operator threads, the
// image size limit, the bundles' SHA-256 pins and the threshold overrides with their pins.
class EngineOptions {
public:
    EngineOptions();
    void addTo(QCommandLineParser &parser) const;
    // Reads them into `config` and `limits`. Returns what is wrong, for the user, or empty.
    QString read(
        const QCommandLineParser &parser, EngineConfig &config, DecodeLimits &limits) const;
    // The --model-sha256 values: none, or exactly one 64-hex-digit pin per bundle (an empty
    // pin is refused: it must never mean "not pinned"). Returns what is wrong, or empty.
    QString readPins(
        const QCommandLineParser &parser, qsizetype bundleCount, QStringList &pins) const;

private:
    QCommandLineOption m_device;
    QCommandLineOption m_threads;
    QCommandLineOption m_maxPixels;
    QCommandLineOption m_pins;
    QCommandLineOption m_overrides;
    QCommandLineOption m_overridePins;
};

} // namespace forgelens::cli
