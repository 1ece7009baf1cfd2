#pragma once

#include <QString>

namespace forgelens {

struct ModelManifest;

// What a model's score says about one image, in three words. Without an inconclusive band it
// is the threshold alone. "Not flagged" never means "shown to be a camera photograph".
enum class Verdict { NotFlagged, Inconclusive, Synthetic };

Verdict verdictFor(double pSynthetic, const ModelManifest &manifest);
// Stable codes for CSV and JSON: "not_flagged", "inconclusive", "synthetic".
QString verdictCode(Verdict verdict);

} // namespace forgelens
