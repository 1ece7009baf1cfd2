#pragma once

#include "forgelens/models/head_scores.h"
#include "forgelens/models/knn_head.h"
#include "forgelens/models/linear_head.h"
#include "forgelens/models/model_manifest.h"
#include "forgelens/models/ocsvm_head.h"
#include "forgelens/result.h"

#include <variant>
#include <vector>

namespace forgelens {

// The head a manifest names, read in C++ from the buffers of the bundle's `head` submodule, so
// the engine can say how far from the boundary an image lies (the module itself returns only
// logits). Empty for head "none".
class ModelHead {
public:
    ModelHead() = default;
    // Error code: bad-model (the module lacks the head's buffers, or their shapes disagree).
    static Result<ModelHead> fromBundle(const torch::jit::Module &module, ModelManifest::Head kind);

    bool isNone() const { return std::holds_alternative<std::monostate>(m_head); }
    // embeddings [N, D] -> one HeadScores per row.
    std::vector<HeadScores> score(const at::Tensor &embeddings) const;

private:
    std::variant<std::monostate, LinearHead, KnnHead, OcsvmHead> m_head;
};

} // namespace forgelens
