#pragma once

#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/inference/prediction.h"
#include "forgelens/result.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <vector>

namespace forgelens {

// Runs one model bundle. Not thread-safe: one thread owns an Engine (see InferenceWorker).
class Engine {
public:
    // Loads the bundle on the configured device, sets the intra-op thread count, and (when
    // config.warmUp) runs one forward pass that checks the module's outputs against the
    // manifest: `logits` [B, C] with C fitting the class list, `embedding` [B, D] when declared.
    // Error codes: bad-config, those of loadModelBundle(), bad-model.
    static Result<std::unique_ptr<Engine>> load(
        const QString &bundlePath, const EngineConfig &config);
    ~Engine();

    const ModelInfo &info() const;

    // `images[i]` is one image's preprocessed input, float32 [n_i, 3, H, W] on any device
    // (n_i > 1 for tiles). Inputs of the same shape are stacked into batches of up to
    // config.maxBatch images. Returns one Prediction per image, in order.
    // `keepPatches` is empty or holds one flag per image: whether its Prediction::patches is
    // filled (for a model whose manifest declares `patch_map`; the copy costs memory, so a scan
    // never asks).
    // Error code: inference-failed (the whole call fails: a batch shares one forward pass).
    Result<std::vector<Prediction>> predict(
        const std::vector<at::Tensor> &images, const std::vector<bool> &keepPatches = {});

private:
    struct Impl;
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace forgelens
