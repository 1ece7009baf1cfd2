#pragma once

#include "forgelens/image/input_spec.h"
#include "forgelens/image/native_crop_region.h"
#include "forgelens/image/reduced_jpeg_decode.h"
#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/result.h"

#include <QStringList>

#include <memory>
#include <vector>

namespace forgelens {

// The detectors analysed together: loaded bundles, each on its own InferenceWorker, grouped by
// input specification so a file is decoded once and preprocessed once per distinct spec
// (DESIGN.md, "The analysis spine"). A value: copies share the workers, so a job can hold the
// set it started with while the window loads or unloads detectors.
class DetectorSet {
public:
    // Detectors whose manifests' `input` objects are equal share one preprocessed tensor.
    struct InputGroup {
        InputSpec spec;
        std::vector<size_t> members; // indices into the set
    };

    DetectorSet() = default;

    // Refuses two detectors with the same id (error bad-settings): their columns and rows
    // could not be told apart.
    static Result<DetectorSet> fromWorkers(std::vector<std::shared_ptr<InferenceWorker>> workers);
    // Loads each bundle (in order) on its own worker thread. `pins` is empty (none pinned) or
    // holds one SHA-256 per bundle, in the same order. Error model-unusable names the bundle
    // that failed and why; bad-settings for a repeated id or pins that do not pair up.
    static Result<DetectorSet> load(const QStringList &bundlePaths, const EngineConfig &config,
        int queueCapacity = 32, const QStringList &pins = {});

    size_t size() const { return m_workers.size(); }
    bool empty() const { return m_workers.empty(); }
    InferenceWorker &worker(size_t index) const { return *m_workers.at(index); }
    const std::shared_ptr<InferenceWorker> &sharedWorker(size_t index) const
    {
        return m_workers.at(index);
    }
    // The model's identity, shared by every record the detector produces.
    const std::shared_ptr<const ModelInfo> &model(size_t index) const { return m_models.at(index); }
    // Every detector's identity, in the set's order.
    const std::vector<std::shared_ptr<const ModelInfo>> &sharedModels() const { return m_models; }
    std::vector<ModelInfo> models() const;
    const std::vector<InputGroup> &groups() const { return m_groups; }
    // The first resize of every group, when all of them allow a reduced JPEG decode
    // (reducibleResize); empty when any group needs the full decode.
    std::vector<ReducibleResize> reducibleResizes() const;
    // The crop of every group, when all of them begin with a centre crop at native resolution
    // (nativeCenterCrop); empty when any group reads more of the image.
    std::vector<NativeCenterCrop> nativeCenterCrops() const;

private:
    std::vector<std::shared_ptr<InferenceWorker>> m_workers;
    std::vector<std::shared_ptr<const ModelInfo>> m_models;
    std::vector<InputGroup> m_groups;
};

} // namespace forgelens
