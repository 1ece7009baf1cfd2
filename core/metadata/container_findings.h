#pragma once

#include "forgelens/image/image_format.h"
#include "forgelens/metadata/metadata_report.h"

#include <QString>

#include <cstdint>
#include <span>

namespace forgelens {

// How many images a container holds beyond the one analysed: an animated GIF's, APNG's, WebP's or
// AVIF's frames, a multi-page TIFF's pages, a HEIF collection's top-level images. `count` is 1
// for a single image; `kind` names what is counted ("frames", "pages", "top-level images").
struct ContainerImageCount {
    int count = 1;
    QString kind;
};

ContainerImageCount countContainerImages(std::span<const std::uint8_t> bytes, ImageFormat format);

// The findings read from the file's structure rather than its metadata values: more than one
// image in the container (multiple-images), a JPEG without its end-of-image marker
// (jpeg-no-eoi), a suffix that names another format (extension-mismatch) and a size that differs
// from the one EXIF or XMP records (dimension-mismatch). Appended to report.findings.
void appendContainerFindings(std::span<const std::uint8_t> bytes, MetadataReport &report);

} // namespace forgelens
