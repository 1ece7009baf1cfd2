#pragma once

#include "forgelens/explain/image_map.h"
#include "forgelens/image/decoded_image.h"
#include "forgelens/image/input_spec.h"
#include "forgelens/result.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace forgelens {

class AttachedBank;
class InferenceWorker;

// Where the windows of a map go: squares of the detector's own input size, at the image's
// native resolution, laid out so that the first and last touch the image's edges, with a
// stride of half a window or more so that there are at most `maxWindows` of them (spread
// evenly with gaps between them when that many cannot cover the image).
struct WindowPlan {
    int window = 0;
    int rows = 0;
    int cols = 0;
    int strideX = 0;
    int strideY = 0;
    std::vector<QRect> windows; // row-major
    // The share of the image's pixels inside some window: below 1 when the budget cannot cover
    // a large image (the windows then sample it, with gaps between them).
    double coverage = 1.0;
};

// `window` <= 0 or an image smaller than a window in either direction: one window, the whole
// image (the detector then sees the image as a plain analysis does).
WindowPlan planWindows(int width, int height, int window, int maxWindows);

// The side of the square a detector takes in: its crop size, else its exact resize, else the
// shorter side it resizes to; 224 when the spec takes any size.
int detectorWindow(const InputSpec &spec);

struct WindowMapSettings {
    int maxWindows = 256; // a 12-megapixel photograph in 224-pixel windows: 16 passes of 16
    int batch = 16; // windows per forward pass
    // The detector's exemplar bank, for the patch-similarity map; null: no such map.
    std::shared_ptr<const AttachedBank> bank;
    int patchNeighbours = 5; // k: exemplars of each class a region is compared with
    // Each window's patch cells are pooled into at most blocks x blocks regions before they are
    // compared with the bank, which bounds the search at maxWindows * blocks² queries.
    int patchBlocks = 4;
    QString validate() const;
};

struct WindowMaps {
    ImageMap tileScores;
    std::optional<ImageMap> selfConsistency; // when the detector exports an embedding
    std::optional<ImageMap> patchSimilarity; // when it exports patch embeddings and has a bank
    QString noSelfConsistency; // why there is none, in a sentence; empty when there is one
    QString noPatchSimilarity;
};

// The tile-score map; when the detector has an embedding, the self-consistency map; and when it
// has patch embeddings and settings.bank is set, the patch-similarity map; all from one pass
// over the windows: each window is cut from the pixels, preprocessed as the detector's
// manifest says and scored by `worker` (its own thread). `progress(done, total)` after each
// batch; `cancel` is polled between batches. Error codes: bad-settings, preprocess-failed,
// inference-failed, cancelled, bank-mismatch (a bank of another dimension).
//
// Patch similarity: the cells of each window's patch grid whose centres fall in the part of the
// image its map cell stands for (ImageMap::drawRect) are averaged into at most patchBlocks²
// regions; each region's value is s_syn - s_real, s_c being the mean cosine similarity of its
// patchNeighbours most similar exemplars of class c; the window's value is the mean over its
// regions. Units: cosine similarity, -2..2 (in practice a few tenths either side of 0).
Result<WindowMaps> computeWindowMaps(const DecodedImage &image, InferenceWorker &worker,
    const WindowMapSettings &settings = {}, const std::atomic_bool *cancel = nullptr,
    const std::function<void(int done, int total)> &progress = {});

} // namespace forgelens
