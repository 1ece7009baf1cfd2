#pragma once

#include "forgelens/models/model_manifest.h"

#include <QString>

namespace forgelens {

// What a report needs to name the model that produced a result.
struct ModelInfo {
    ModelManifest manifest;
    QString bundlePath;
    QString bundleSha256;
    QString manifestSha256;
    QString manifestSource;
    QString thresholdOverridePath; // the threshold override applied (threshold_override.h)
    QString thresholdOverrideSha256;
    QString device; // "cpu", "cuda:0"
    int intraOpThreads = 1;
    double warmUpMillis = 0.0;
};

} // namespace forgelens
