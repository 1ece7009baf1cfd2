#pragma once

#include "forgelens/image/input_spec.h"

#include <QRect>

#include <cstdint>
#include <optional>
#include <vector>

namespace forgelens {

// The geometry of an InputSpec's resize and crop steps, computed without pixels. The
// preprocessor applies it to tensors; reports and the window use it to show which part of an
// image each detector actually scored.
struct PixelExtent {
    int64_t height = 0;
    int64_t width = 0;
};

// The size after the resize step. ShorterSide reproduces torchvision 0.14's
// `_compute_resized_output_size`: the shorter side becomes `size`, the longer one is scaled and
// truncated (int()), then both are capped by max_size. Resize None keeps the extent.
PixelExtent resizedExtent(PixelExtent in, const InputSpec &spec);

// The crop window's size on a canvas of `canvas` pixels: the crop size, or with `pad: false` the
// crop size limited to the canvas.
PixelExtent cropExtent(PixelExtent canvas, const InputSpec &spec);

// Tile origins of the "tiles" crop policy along one axis, for a (padded) length `length` and a
// tile length `tile` <= length, with `count` tiles spread evenly from 0 to length - tile.
std::vector<int> tileOrigins(int length, int tile, int count);

// Rows and columns of tiles for a padded canvas: as many as cover it, thinned to at most
// `maxTiles` while keeping the canvas's aspect.
struct TileGrid {
    int64_t rows = 1;
    int64_t cols = 1;
};
TileGrid tileGrid(PixelExtent padded, PixelExtent tile, int maxTiles);

// The rectangles of the image that became the model's inputs (one per crop or tile), in the
// coordinates of the image as shown (EXIF orientation applied), clipped to the image: zero
// padding is not part of the image. `storedWidth`/`storedHeight` are the size before
// orientation; a spec with applyExifOrientation false sees the stored pixels.
std::vector<QRect> scoredRegions(const InputSpec &spec, int width, int height, int storedWidth,
    int storedHeight, int orientation);

// A rectangle of the stored image (storedWidth x storedHeight, before orientation) moved to where
// it stands once EXIF orientation `orientation` is applied, and back: the two are inverses.
QRect shownRect(const QRect &stored, int orientation, int storedWidth, int storedHeight);
QRect storedRect(const QRect &shown, int orientation, int storedWidth, int storedHeight);

} // namespace forgelens
