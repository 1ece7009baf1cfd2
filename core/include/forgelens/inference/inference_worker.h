#pragma once

#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/inference/prediction.h"
#include "forgelens/result.h"

#include <ATen/core/Tensor.h>

#include <future>
#include <memory>

namespace forgelens {

// The one thread that owns a loaded model and its device (DESIGN.md, "Threads"). Decoding and
// preprocessing threads submit inputs; the worker stacks what is waiting (same shape, up to the
// config's maxBatch) into one forward pass. The queue is bounded: submit() blocks while it is
// full, so producers can never run ahead of the model and memory stays flat.
class InferenceWorker {
public:
    // Starts the thread, loads and warms up the model on it, and returns once it is ready
    // (or with the load error). Blocks the caller for as long as loading takes.
    static Result<std::shared_ptr<InferenceWorker>> start(
        const QString &bundlePath, const EngineConfig &config, int queueCapacity = 32);
    ~InferenceWorker(); // stops the thread; requests still queued fail with "cancelled"

    InferenceWorker(const InferenceWorker &) = delete;
    InferenceWorker &operator=(const InferenceWorker &) = delete;

    const ModelInfo &info() const;

    // `input`: one image's preprocessed float32 [n, 3, H, W] tensor. `keepPatches`: fill
    // Prediction::patches (see Engine::predict). Thread-safe.
    std::future<Result<Prediction>> submit(at::Tensor input, bool keepPatches = false);

private:
    struct Impl;
    explicit InferenceWorker(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace forgelens
