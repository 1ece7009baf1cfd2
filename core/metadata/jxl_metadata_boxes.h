#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <span>
#include <vector>

namespace forgelens {

// A JPEG XL container's Exif or XMP box that was stored Brotli-compressed: a `brob` box whose
// payload is the original box type (4 bytes) and then the Brotli stream (ISO/IEC 18181-2).
// Exiv2 0.27 reads only the plain `Exif` and `xml ` boxes.
struct JxlMetadataBox {
    QByteArray type; // "Exif" or "xml "
    QByteArray content; // decompressed, at most 16 MiB; empty when it could not be
    QString problem; // why it could not be decompressed
};

std::vector<JxlMetadataBox> compressedJxlMetadataBoxes(std::span<const std::uint8_t> bytes);

} // namespace forgelens
