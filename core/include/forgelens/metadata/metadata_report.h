#pragma once

#include "forgelens/image/image_format.h"
#include "forgelens/metadata/c2pa_manifest.h"
#include "forgelens/metadata/embedded_metadata.h"
#include "forgelens/metadata/jpeg_structure.h"
#include "forgelens/metadata/metadata_finding.h"
#include "forgelens/metadata/png_chunks.h"
#include "forgelens/metadata/thumbnail_comparison.h"

#include <QDateTime>
#include <QString>

#include <optional>
#include <vector>

namespace forgelens {

// What the file system says about the file, beside its bytes: its name (for a suffix that
// contradicts the content) and modification time (for EXIF dates that contradict it).
struct MetadataFileFacts {
    QString fileName;
    QDateTime modifiedUtc;
};

// Everything the file says about itself, read from its bytes (never from its pixels' content
// except to compare an embedded thumbnail with the image, and to read metadata hidden in the
// lowest bits of a lossless image's pixels).
struct MetadataReport {
    ImageFormat format = ImageFormat::Unknown;
    int width = 0; // as the header declares (0 where the size is read only when decoding)
    int height = 0;
    MetadataFileFacts file;
    EmbeddedMetadata embedded;
    std::optional<PngChunkScan> png;
    std::optional<JpegStructure> jpeg;
    std::optional<C2paSummary> c2pa;
    std::optional<ThumbnailComparison> thumbnail;
    std::vector<MetadataFinding> findings;
    std::vector<Error> errors; // a malformed part does not stop the others from being read
};

// Reads every part that applies to the format and derives the findings. Never throws; each
// malformed part adds an error and the rest is still read.
MetadataReport readMetadataReport(
    std::span<const std::uint8_t> bytes, const MetadataFileFacts &file = {});

} // namespace forgelens
