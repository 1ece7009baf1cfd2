#pragma once

#include <opencv2/core.hpp>

namespace forgelens {

// The EXIF orientation equal to turning the stored image `ccwQuarterTurns` x 90° anticlockwise
// and then mirroring it (ISO/IEC 23008-12 irot then imir): `mirror` -1 for none, 0 for top and
// bottom exchanged, 1 for left and right exchanged.
int exifOrientationOf(int ccwQuarterTurns, int mirror);

// Turns `image` in place the way EXIF orientation `orientation` says (1 leaves it).
void applyExifOrientation(cv::Mat &image, int orientation);

} // namespace forgelens
