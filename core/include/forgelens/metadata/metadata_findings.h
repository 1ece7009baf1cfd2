#pragma once

#include "forgelens/metadata/metadata_finding.h"
#include "forgelens/metadata/metadata_report.h"

#include <vector>

namespace forgelens {

// Turns what was read into findings, most telling first: ai-generator-metadata,
// digital-source-type, c2pa-manifest, thumbnail-mismatch, software-editor, camera-metadata,
// no-camera-metadata, standard-quant-tables, jpeg-quality.
std::vector<MetadataFinding> deriveMetadataFindings(const MetadataReport &report);

} // namespace forgelens
