#pragma once

#include "forgelens/result.h"

#include <QJsonObject>
#include <QString>

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
    // input.resize.reduced_jpeg_decode: the bundle's maker measured that a JPEG decoded reduced
    // before this resize (reduced_jpeg_decode.h) changes its P by at most 1e-3 on real
    // photographs. Absent: false, always the full decode.
    bool reducedJpegDecode = false;

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

} // namespace forgelens
