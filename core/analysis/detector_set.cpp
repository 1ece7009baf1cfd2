#include "forgelens/analysis/detector_set.h"

#include <QJsonObject>

namespace forgelens {

Result<DetectorSet> DetectorSet::fromWorkers(std::vector<std::shared_ptr<InferenceWorker>> workers)
{
    DetectorSet set;
    std::vector<QJsonObject> keys;
    for (std::shared_ptr<InferenceWorker> &worker : workers) {
        const ModelInfo &info = worker->info();
        for (const std::shared_ptr<const ModelInfo> &loaded : set.m_models) {
            if (loaded->manifest.id == info.manifest.id)
                return Error{ ErrorCode::BadSettings,
                    QStringLiteral("two models have the id \"%1\" (%2 and %3); their results "
                                   "would be indistinguishable")
                        .arg(info.manifest.id, loaded->bundlePath, info.bundlePath) };
        }
        // The manifest's `input` object as written: two specs that read the same but are
        // spelt differently are preprocessed twice, which is slower but never wrong.
        const QJsonObject key = info.manifest.json.value(QStringLiteral("input")).toObject();
        size_t g = 0;
        while (g < keys.size() && keys[g] != key)
            ++g;
        if (g == keys.size()) {
            keys.push_back(key);
            set.m_groups.push_back(InputGroup{ info.manifest.input, {} });
        }
        set.m_groups[g].members.push_back(set.m_workers.size());
        set.m_models.push_back(std::make_shared<const ModelInfo>(info));
        set.m_workers.push_back(std::move(worker));
    }
    return set;
}

Result<DetectorSet> DetectorSet::load(const QStringList &bundlePaths, const EngineConfig &config,
    int queueCapacity, const QStringList &pins)
{
    if (!pins.isEmpty() && pins.size() != bundlePaths.size())
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("%1 SHA-256 pins for %2 bundles: give one pin per bundle, in the same "
                           "order")
                .arg(pins.size())
                .arg(bundlePaths.size()) };
    std::vector<std::shared_ptr<InferenceWorker>> workers;
    for (qsizetype i = 0; i < bundlePaths.size(); ++i) {
        const QString &path = bundlePaths[i];
        EngineConfig pinned = config;
        if (!pins.isEmpty())
            pinned.expectedSha256 = pins[i];
        Result<std::shared_ptr<InferenceWorker>> worker
            = InferenceWorker::start(path, pinned, queueCapacity);
        if (!worker)
            return Error{ ErrorCode::ModelUnusable,
                QStringLiteral("%1: [%2] %3")
                    .arg(path, worker.error().codeName(), worker.error().message) };
        workers.push_back(std::move(worker).value());
    }
    for (const QString &override : config.thresholdOverrides) {
        const bool used = std::any_of(
            workers.begin(), workers.end(), [&](const std::shared_ptr<InferenceWorker> &worker) {
                return worker->info().thresholdOverridePath == override;
            });
        if (!used)
            return Error{ ErrorCode::ModelUnusable,
                QStringLiteral("the threshold override %1 names a bundle that is not among the "
                               "models (its bundle_sha256 is none of theirs)")
                    .arg(override) };
    }
    return fromWorkers(std::move(workers));
}

std::vector<ReducibleResize> DetectorSet::reducibleResizes() const
{
    std::vector<ReducibleResize> resizes;
    for (const InputGroup &group : m_groups) {
        const std::optional<ReducibleResize> resize = reducibleResize(group.spec);
        if (!resize)
            return {}; // one decode feeds every group: one that needs it whole decides
        resizes.push_back(*resize);
    }
    return resizes;
}

std::vector<NativeCenterCrop> DetectorSet::nativeCenterCrops() const
{
    std::vector<NativeCenterCrop> crops;
    for (const InputGroup &group : m_groups) {
        const std::optional<NativeCenterCrop> crop = nativeCenterCrop(group.spec);
        if (!crop)
            return {}; // one decode feeds every group: one that reads more decides
        crops.push_back(*crop);
    }
    return crops;
}

std::vector<ModelInfo> DetectorSet::models() const
{
    std::vector<ModelInfo> out;
    out.reserve(m_models.size());
    for (const std::shared_ptr<const ModelInfo> &model : m_models)
        out.push_back(*model);
    return out;
}

} // namespace forgelens
