#pragma once

#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/engine_config.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

namespace forgelens::cli {

// The options `analyze` and `scan` share: the device, the operator threads and the image size
// limit.
class EngineOptions {
public:
    EngineOptions();
    void addTo(QCommandLineParser &parser) const;
    // Reads them into `config` and `limits`. Returns what is wrong, for the user, or empty.
    QString read(
        const QCommandLineParser &parser, EngineConfig &config, DecodeLimits &limits) const;

private:
    QCommandLineOption m_device;
    QCommandLineOption m_threads;
    QCommandLineOption m_maxPixels;
};

} // namespace forgelens::cli
