#pragma once

#include "forgelens/image/decoded_image.h"

#include <QImage>

namespace forgelens {

// A QImage that shares the decoded pixels (no copy); it keeps the buffer alive itself.
QImage toQImage(const DecodedImage &image);

} // namespace forgelens
