#pragma once

#include <QString>
#include <QStringList>

namespace forgelens {

// Container formats ForgeLens decodes, identified by content (magic bytes), never by extension.
// New values go at the end: the sandbox's wire format and stored reports carry the number.
enum class ImageFormat {
    Unknown,
    Jpeg,
    Png,
    Gif,
    Bmp,
    Tiff,
    WebP,
    Heif, // HEIF/HEIC (HEVC-coded items in an ISO-BMFF container)
    Avif, // AV1-coded items or sequences in an ISO-BMFF container
    JpegXl, // bare codestream or ISO-BMFF container
    Jpeg2000, // JP2 container or bare J2K codestream
    Raw, // camera RAW and DNG, decoded by LibRaw
};

// Lower-case short name ("jpeg", "png", ...; "unknown").
QString imageFormatName(ImageFormat format);

// The name a person reads ("JPEG", "HEIF", "camera RAW"; "unknown").
QString imageFormatDisplayName(ImageFormat format);

// Lower-case suffixes (no dot) that image files are named with: every format above, camera RAW
// makers' own, and image formats recognised but not decoded (psd, svg, exr, ...). A scan takes
// every file so named, whatever its content, so that each gets a row.
const QStringList &imageFileSuffixes();

// The format a file's name claims (by its suffix, case-insensitive), or Unknown: for a name
// that is not an image's, or one of a format ForgeLens does not decode.
ImageFormat imageFormatForFileName(const QString &fileName);

// Where a format's orientation comes from, for "… orientation 6 applied": "EXIF", "irot/imir"
// (HEIF, AVIF), "codestream" (JPEG XL), "camera" (a RAW's flip).
QString orientationSourceName(ImageFormat format);

} // namespace forgelens
