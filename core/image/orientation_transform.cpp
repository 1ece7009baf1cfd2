#include "orientation_transform.h"

#include <opencv2/core.hpp>

namespace forgelens {

int exifOrientationOf(int ccwQuarterTurns, int mirror)
{
    // Rows: no mirror, top/bottom exchanged, left/right exchanged; columns: 0-3 quarter turns
    // anticlockwise. E.g. a quarter turn anticlockwise is EXIF 8; then exchanging left and
    // right maps (x, y) to (H-1-y, W-1-x), the transverse (7).
    static constexpr int kTable[3][4] = { { 1, 8, 3, 6 }, { 4, 5, 2, 7 }, { 2, 7, 4, 5 } };
    const int turns = ((ccwQuarterTurns % 4) + 4) % 4;
    const int row = mirror == 0 ? 1 : mirror == 1 ? 2 : 0;
    return kTable[row][turns];
}

void applyExifOrientation(cv::Mat &image, int orientation)
{
    cv::Mat out;
    switch (orientation) {
    case 2: cv::flip(image, out, 1); break;
    case 3: cv::rotate(image, out, cv::ROTATE_180); break;
    case 4: cv::flip(image, out, 0); break;
    case 5: cv::transpose(image, out); break;
    case 6: cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE); break;
    case 7:
        // Transverse: mirror across the anti-diagonal = transpose, then rotate by 180°.
        cv::transpose(image, out);
        cv::flip(out, out, -1);
        break;
    case 8: cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: return;
    }
    image = out;
}

} // namespace forgelens
