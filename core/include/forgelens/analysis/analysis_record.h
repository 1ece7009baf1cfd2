#pragma once

#include "forgelens/image/file_digest.h"
#include "forgelens/image/image_format.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/inference/prediction.h"
#include "forgelens/metadata/metadata_report.h"
#include "forgelens/result.h"

#include <QDateTime>
#include <QMetaType>
#include <QRect>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace forgelens {

// One detector's part of a record. It names the model that produced it, so a result can never
// be shown next to another model (the window's detector list may have changed since).
struct DetectorResult {
    std::shared_ptr<const ModelInfo> model;
    std::optional<Prediction> prediction; // Prediction::embedding only when it was requested
    std::optional<Error> error; // preprocess-failed, inference-failed, cancelled, ...
    // The parts of the image the model scored (a centre crop, or each tile), in the
    // coordinates of the image as shown (EXIF orientation applied). Empty before decoding.
    std::vector<QRect> regions;

    bool ok() const { return prediction.has_value(); }
};

// Everything known about one analysed file (DESIGN.md, "The analysis spine"): what every front
// end shows, writes or measures is a projection of it. Made by analyzeFile() (or the two
// stages the scan pipeline runs apart).
struct AnalysisRecord {
    QString path; // as it was read
    qint64 fileSize = -1; // -1: the file could not be read
    FileDigest digest; // of the bytes read; empty when the file could not be read
    QDateTime readAtUtc;

    ImageFormat format = ImageFormat::Unknown;
    int width = 0; // as analysed, after the EXIF orientation; 0 when not decoded
    int height = 0;
    int storedWidth = 0; // before orientation
    int storedHeight = 0;
    int orientation = 1; // the EXIF orientation that was applied
    // Whether a scan decoded only the detectors' crops (native_crop_region.h): the scores are
    // the same either way; this says which decode produced them.
    bool cropOnlyDecode = false;

    bool metadataRead = false;
    QStringList findingCodes; // metadata findings' codes, in the order found (when read)
    std::optional<MetadataReport> metadata; // the whole report, when it was requested

    // One per detector of the set, in the set's order, also when the file failed before any
    // detector ran (then each carries no prediction and no error of its own).
    std::vector<DetectorResult> detectors;
    // What stopped the file before the detectors (not-found, truncated, decompression-bomb,
    // cancelled, ...); the detectors then did not run.
    std::optional<Error> fileError;

    QDateTime startedUtc;
    QDateTime finishedUtc;

    bool decoded() const { return width > 0; }
    // Read, decoded and scored by every detector.
    bool ok() const;
    // The error that explains the record: the file's own, else the first detector's (its
    // message prefixed with the detector's id). None when ok().
    std::optional<Error> firstError() const;
    // How many detectors scored it (report/verdict_statement.h says how they agree).
    int scoredCount() const;
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::AnalysisRecord)
