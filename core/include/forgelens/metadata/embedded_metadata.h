#pragma once

#include "forgelens/metadata/metadata_property.h"
#include "forgelens/result.h"

#include <QByteArray>
#include <QHash>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace forgelens {

// Every EXIF, IPTC and XMP property of an encoded image, and its embedded EXIF thumbnail.
struct EmbeddedMetadata {
    std::vector<MetadataProperty> properties;
    QByteArray thumbnail; // encoded (usually JPEG); empty when there is none
    // What Exiv2 read around without failing (a directory linked twice, a value past the end):
    // the metadata is malformed even though the rest of it was read.
    QStringList warnings;
    // The whole text (up to 8 MiB) of the properties generators write their settings into
    // (UserComment, Make, Model, ImageDescription, XMP's UserComment and description), which
    // `properties` caps at 4,096 characters for display: a ComfyUI graph runs to megabytes.
    // Kept in the process that reads the file; not sent over the sandbox's wire.
    QHash<QString, QString> fullText;
    // Exif.Image.Orientation (1 to 8; 1 when absent or out of range), set when Exiv2 read the
    // file's metadata without throwing: exactly what readExifOrientation() returns, so the
    // decoder can take it instead of parsing again. In the worker only, like fullText.
    std::optional<int> exifOrientation;

    // The display value of `key`, or an empty string.
    QString value(const QString &key) const;
};

// Reads with Exiv2 from the bytes in memory. Malformed metadata (a broken IFD, an IFD loop, a
// value past the end) is an error value with code "metadata-unreadable", never an exception.
// At most `maxProperties` properties are kept (a hostile file can declare millions).
Result<EmbeddedMetadata> readEmbeddedMetadata(
    std::span<const std::uint8_t> bytes, int maxProperties = 20000);

} // namespace forgelens
