#pragma once

#include "forgelens/image/image_format.h"

#include <QByteArray>
#include <QMetaType>
#include <QRect>

namespace forgelens {

// Pixels as ForgeLens analyses them: 8-bit RGB, row-major, no padding between rows
// (`rgb.size() == width * height * 3`), with the EXIF orientation already applied so that the
// image stands as a viewer shows it. QByteArray keeps copies across queued signals cheap.
struct DecodedImage {
    int width = 0;
    int height = 0;
    QByteArray rgb;
    ImageFormat format = ImageFormat::Unknown;
    int storedWidth = 0; // before orientation
    int storedHeight = 0; // before orientation
    int orientation = 1; // the EXIF orientation that was applied (1 = none)
    bool truncated = false; // decoded in DecodeMode::Salvage from a truncated file
    // A JPEG decoded smaller by libjpeg's DCT-domain scaling (only when a scan's models resize
    // it down anyway: reduced_jpeg_decode.h): 1 (full size), 2, 4 or 8. width and height are
    // then the reduced pixels' (each side rounded up, as libjpeg rounds).
    int reduction = 1;
    // A JPEG decoded only where a scan's models crop it (native_crop_region.h): the pixels are
    // the rectangle `region` of the image as shown (orientation applied), and width and height
    // its size. Empty: the pixels are the whole image.
    QRect region = QRect();
    // With a reduction or a region: the size the image has when decoded whole, as shown
    // (fullWidth, fullHeight). storedWidth and storedHeight stay the stored full size.
    int wholeWidth = 0;
    int wholeHeight = 0;

    const unsigned char *constData() const
    {
        return reinterpret_cast<const unsigned char *>(rgb.constData());
    }
    bool isNull() const { return width <= 0 || height <= 0; }
    bool isPartial() const { return !region.isEmpty(); }
    int fullWidth() const { return reduction > 1 || isPartial() ? wholeWidth : width; }
    int fullHeight() const { return reduction > 1 || isPartial() ? wholeHeight : height; }
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::DecodedImage)
