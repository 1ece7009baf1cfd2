#pragma once

#include "forgelens/metadata/metadata_finding.h"
#include "forgelens/metadata/metadata_report.h"

#include <vector>

namespace forgelens {

// ai-generator-metadata findings: each generator's own convention for writing its settings,
// recognised with the generator named and its key settings (model, seed, steps, sampler) in
// the message, and generator names in Software/CreatorTool/credit fields and C2PA claims.
// README's table lists the conventions; each test in tst_generator_signatures writes a file in
// that tool's exact layout. hidden-metadata: text found in the pixels' lowest bits.
void addGeneratorSignatureFindings(const MetadataReport &report, std::vector<MetadataFinding> &out);

} // namespace forgelens
