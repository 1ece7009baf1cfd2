#pragma once

#include <QString>

namespace forgelens {

// One EXIF, IPTC or XMP property as Exiv2 reads it.
struct MetadataProperty {
    QString group; // "Exif", "Iptc", "Xmp"
    QString key; // e.g. "Exif.Image.Make", "Xmp.iptcExt.DigitalSourceType"
    QString type; // Exiv2's type name, e.g. "Ascii", "Rational", "XmpText"
    QString value; // as Exiv2 interprets it for display (e.g. "1/250 s")
    QString raw; // the stored value as text (e.g. "1/250")
};

} // namespace forgelens
