#pragma once

#include "forgelens/image/image_format.h"

#include <QByteArray>
#include <QMetaType>

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

    const unsigned char *constData() const
    {
        return reinterpret_cast<const unsigned char *>(rgb.constData());
    }
    bool isNull() const { return width <= 0 || height <= 0; }
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::DecodedImage)
