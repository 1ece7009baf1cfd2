#pragma once

#include <QJsonObject>
#include <QRect>
#include <QString>

#include <vector>

namespace forgelens {

// One map over an image: a grid of cells, each the window of the image (pixels, upright) its
// value was computed on, and one value per cell. Windows may overlap (stride < window); a cell
// is drawn over the part of its window nearest its centre (ImageMap::drawRect). On an image
// too large for the window budget they leave gaps, which no cell stands for (coverage < 1).
struct ImageMap {
    enum class Kind {
        TileScore, // the detector's P(synthetic) on each window
        SelfConsistency, // each window's mean cosine similarity to every other window
        // each window's local features: similarity to the bank's synthetic exemplars minus
        // similarity to its real ones
        PatchSimilarity,
    };
    Kind kind = Kind::TileScore;
    QString detectorId;
    int imageWidth = 0;
    int imageHeight = 0;
    int rows = 0;
    int cols = 0;
    int window = 0; // window side, pixels
    int strideX = 0; // pixels between window origins
    int strideY = 0;
    double coverage = 1.0; // share of the image's pixels inside some window
    std::vector<QRect> windows; // [rows * cols], row-major
    std::vector<float> values; // [rows * cols]
    float low = 0.0f; // the legend's range
    float high = 1.0f;
    QString units; // "P(synthetic)", "cosine similarity"
    QString reading; // how to read it, in one sentence
    int forwardPasses = 0; // batched model calls it took
    double seconds = 0.0;

    bool isNull() const { return values.empty(); }
    float value(int row, int col) const { return values.at(size_t(row * cols + col)); }
    // The part of the image cell (row, col) stands for: its window cut at the midpoints between
    // its centre and its neighbours' (the whole window when windows do not overlap).
    QRect drawRect(int row, int col) const;
};

// "tile-score", "self-consistency", "patch-similarity"
QString imageMapKindName(ImageMap::Kind kind);

// The numeric grid as JSON (schema "forgelens.image-map", version 1): kind, detector, image
// size, grid size, window and stride, units, range, and `values` as rows of numbers, with each
// cell's window as [x, y, width, height].
QJsonObject imageMapToJson(const ImageMap &map);
// The map back from that JSON (as a case keeps it), checked as input from elsewhere: a known
// kind, a grid of at most 4096 cells whose values and windows fit it, windows inside the image.
// Null (isNull()) when it is not such a map.
ImageMap imageMapFromJson(const QJsonObject &json);

} // namespace forgelens
