#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>
#include <vector>

namespace forgelens {

// How pixels become the model's input tensor. Every field mirrors a torchvision tensor
// transform so that a bundle converted from a Python system is fed exactly what it was trained on.
struct InputSpec {
    enum class Resize { None, Exact, ShorterSide };
    enum class Crop { None, Center, Tiles };
    enum class Interpolation { Nearest, Bilinear, Bicubic };
    enum class Step { Resize, Crop, Normalize };

    // Pixel values after conversion from 8-bit: [0,1] divides by 255 (torchvision ToTensor),
    // [0,255] keeps the integer values as floats.
    float valueMax = 1.0f;
    bool bgr = false; // channel order fed to the model; decoded images are RGB. mean and std are
                      // given in the model's channel order (they apply after the swap).
    // Decoded images stand upright (EXIF orientation applied). Models converted from PIL /
    // torchvision pipelines saw pixels as stored: "exif_orientation": "ignore" feeds them that.
    bool applyExifOrientation = true;
    std::array<float, 3> mean{ 0.0f, 0.0f, 0.0f };
    std::array<float, 3> std{ 1.0f, 1.0f, 1.0f };

    Resize resize = Resize::None;
    int resizeHeight = 0; // Exact: output height; ShorterSide: the shorter side
    int resizeWidth = 0; // Exact only
    std::optional<int> maxSize; // ShorterSide only: cap on the longer side (torchvision max_size)
    Interpolation interpolation = Interpolation::Bilinear;
    bool antialias = false;

    Crop crop = Crop::None;
    int cropHeight = 0;
    int cropWidth = 0;
    int maxTiles = 16; // Tiles only: a larger grid is thinned to at most this many tiles
    // true: a side shorter than the crop is zero-padded up to it (torchvision's CenterCrop).
    // false: the crop shrinks to that side, so a small image is fed whole (models that take
    // images at their own size and are only tiled to bound their cost).
    bool cropPad = true;

    // The order of the three steps. DeepFakeDefenders normalises before resizing; most
    // systems resize, crop, then normalise.
    std::vector<Step> order{ Step::Resize, Step::Crop, Step::Normalize };

    // Empty when consistent, else a message naming the offending field.
    QString validate() const;
    static Result<InputSpec> fromJson(const QJsonObject &object);
};

// Scores too close to the threshold to call either way: P(synthetic) in [low, high) is
// "inconclusive", at or above high "synthetic", below low "not flagged".
struct InconclusiveBand {
    double low = 0.0;
    double high = 0.0;
    QString chosenBy;
};

struct ReportedFigure {
    QString dataset;
    QString metric;
    double value = 0.0;
};

// The manifest of a model bundle (DESIGN.md, "Model bundle contract").
struct ModelManifest {
    enum class Task { Binary, Multiclass };
    enum class Head { None, Linear, Knn, Ocsvm };

    QString id;
    QString name;
    QString version;
    QString family; // code, dfd, aligned, dfx, reference, test, ...
    QString paper;
    QString license;
    QString source;
    QString sourceSha256;
    QString trainedOn;
    std::vector<ReportedFigure> reported;

    Task task = Task::Binary;
    QStringList classes; // in the order of the logits
    QStringList fakeClasses; // the classes that count as synthetic
    InputSpec input;
    Head head = Head::None;

    double threshold = 0.5; // P(synthetic) at or above this is labelled synthetic
    QString thresholdChosenBy;
    std::optional<InconclusiveBand> inconclusive; // threshold.inconclusive; none: no band
    QString calibration;
    bool hasEmbedding = false;
    bool hasPatchMap = false;
    bool experimental = false; // shown wherever the verdict appears
    QJsonObject json; // the manifest as read, for reports and sidecars

    // Number of logits the module must return: 1 (sigmoid) or 2 for binary, one per class for
    // multiclass. The engine checks this against a real forward pass when it warms up.
    bool acceptsLogitCount(long count) const;
    // True for the untrained models the tests generate: their verdicts mean nothing.
    bool isUntrainedTestModel() const { return family == QLatin1String("test"); }

    QString validate() const;
    static Result<ModelManifest> fromJson(const QByteArray &json);
};

} // namespace forgelens
