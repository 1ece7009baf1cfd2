#include "forgelens/inference/engine.h"

#include "forgelens/inference/usable_cores.h"
#include "forgelens/models/model_bundle.h"
#include "forgelens/models/model_head.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>

#include <chrono>
#include <map>

namespace forgelens {
namespace {

Error inferenceError(const QString &message)
{
    return Error{ ErrorCode::InferenceFailed, message };
}

QString torchMessage(const c10::Error &e)
{
    return QString::fromStdString(e.what_without_backtrace());
}

// The input shape the warm-up pass uses: what the manifest's policies produce (a fixed crop or
// resize), or a 224-pixel square when the model takes images at their own size. Unpadded tiles
// are only an upper bound on the size, and a full tile can cost seconds: 112 pixels at most.
std::vector<int64_t> warmUpShape(const InputSpec &input)
{
    int64_t height = 224;
    int64_t width = 224;
    if (input.crop != InputSpec::Crop::None) {
        height = input.cropPad ? input.cropHeight : std::min<int64_t>(input.cropHeight, 112);
        width = input.cropPad ? input.cropWidth : std::min<int64_t>(input.cropWidth, 112);
    } else if (input.resize == InputSpec::Resize::Exact) {
        height = input.resizeHeight;
        width = input.resizeWidth;
    }
    return { 1, 3, height, width };
}

struct ForwardOutput {
    at::Tensor logits; // [B, C]
    at::Tensor embedding; // [B, D] or undefined
    at::Tensor patches; // [B, h, w, D] (on the model's device) or undefined
};

// [h, w, D] on any device -> PatchEmbeddings (CPU float32).
PatchEmbeddings patchesOf(const at::Tensor &grid)
{
    const at::Tensor cpu = grid.to(torch::kCPU, torch::kFloat32).contiguous();
    PatchEmbeddings patches;
    patches.rows = int(cpu.size(0));
    patches.cols = int(cpu.size(1));
    patches.dimension = int(cpu.size(2));
    patches.values.assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
    return patches;
}

} // namespace

struct Engine::Impl {
    ModelBundle bundle;
    ModelHead head; // the manifest's head, read again in C++ for its scores
    ModelInfo info;
    EngineConfig config;
    c10::Device device = c10::Device(c10::kCPU);

    // Runs the module and checks its outputs against the manifest's contract.
    Result<ForwardOutput> forward(const at::Tensor &input)
    {
        const c10::IValue output = bundle.module.forward({ input.to(device) });
        if (!output.isGenericDict())
            return inferenceError(QStringLiteral(
                "the model returned %1, not the Dict[str, Tensor] the bundle contract requires")
                                      .arg(QString::fromStdString(output.tagKind())));
        const c10::Dict<c10::IValue, c10::IValue> dict = output.toGenericDict();
        const auto tensorAt = [&dict](const char *key) -> at::Tensor {
            const auto it = dict.find(c10::IValue(std::string(key)));
            return it != dict.end() && it->value().isTensor() ? it->value().toTensor()
                                                              : at::Tensor();
        };
        ForwardOutput out{ tensorAt("logits"), tensorAt("embedding"),
            bundle.manifest.hasPatchMap ? tensorAt("patch_embeddings") : at::Tensor() };
        const ModelManifest &manifest = bundle.manifest;
        const int64_t batch = input.size(0);
        if (!out.logits.defined() || out.logits.dim() != 2 || out.logits.size(0) != batch)
            return inferenceError(
                QStringLiteral("the model's output has no \"logits\" tensor of shape [%1, C]")
                    .arg(batch));
        if (!manifest.acceptsLogitCount(out.logits.size(1)))
            return inferenceError(
                QStringLiteral("the model returns %1 logits per image, which does not match "
                               "the manifest's %2 classes (%3)")
                    .arg(out.logits.size(1))
                    .arg(manifest.classes.size())
                    .arg(manifest.classes.join(QStringLiteral(", "))));
        if (manifest.hasEmbedding
            && (!out.embedding.defined() || out.embedding.dim() != 2
                || out.embedding.size(0) != batch))
            return inferenceError(QStringLiteral(
                "the manifest declares an embedding but the model returns no \"embedding\" "
                "tensor of shape [B, D]"));
        out.logits = out.logits.to(torch::kCPU, torch::kFloat32);
        // A NaN score would compare below every threshold and read as "not synthetic".
        if (!torch::isfinite(out.logits).all().item<bool>())
            return inferenceError(QStringLiteral(
                "the model produced a non-finite score (NaN or infinity); no verdict"));
        if (out.embedding.defined())
            out.embedding = out.embedding.to(torch::kCPU, torch::kFloat32);
        // A patch grid that breaks the contract is dropped, not fatal: the score stands without
        // it, and a map that needs it says the detector gave none.
        if (out.patches.defined()
            && (out.patches.dim() != 4 || out.patches.size(0) != batch || out.patches.size(1) < 1
                || out.patches.size(2) < 1 || out.patches.size(3) < 1
                || out.patches.size(1) * out.patches.size(2) > 65536
                || (out.embedding.defined() && out.patches.size(3) != out.embedding.size(1))))
            out.patches = at::Tensor();
        return out;
    }

    // [B, C] logits -> [B, classes] probabilities in manifest class order. One logit is the
    // sigmoid score of the (single) fake class of a binary model.
    at::Tensor probabilities(const at::Tensor &logits) const
    {
        if (logits.size(1) > 1)
            return torch::softmax(logits, 1);
        const at::Tensor fake = torch::sigmoid(logits.select(1, 0));
        const bool fakeFirst = bundle.manifest.classes.at(0) == bundle.manifest.fakeClasses.at(0);
        return fakeFirst ? torch::stack({ fake, 1 - fake }, 1)
                         : torch::stack({ 1 - fake, fake }, 1);
    }

    Prediction predictionFrom(
        const at::Tensor &probs, const at::Tensor &embedding, double millis) const
    {
        // Tiles of one image: their class probabilities are averaged, as are their embeddings.
        const at::Tensor meanProbs = probs.mean(0).contiguous();
        const ModelManifest &manifest = bundle.manifest;
        Prediction p;
        p.tiles = int(probs.size(0));
        p.classProbabilities.assign(
            meanProbs.data_ptr<float>(), meanProbs.data_ptr<float>() + meanProbs.numel());
        for (int i = 0; i < manifest.classes.size(); ++i) {
            if (manifest.fakeClasses.contains(manifest.classes.at(i)))
                p.pSynthetic += p.classProbabilities[size_t(i)];
        }
        p.threshold = manifest.threshold;
        p.synthetic = p.pSynthetic >= manifest.threshold;
        p.verdict = verdictFor(p.pSynthetic, manifest);
        p.topClass = int(meanProbs.argmax().item<int64_t>());
        if (embedding.defined()) {
            const at::Tensor meanEmbedding = embedding.mean(0).contiguous();
            p.embedding.assign(meanEmbedding.data_ptr<float>(),
                meanEmbedding.data_ptr<float>() + meanEmbedding.numel());
            if (!head.isNone())
                p.head = head.score(meanEmbedding.unsqueeze(0)).front();
        }
        p.inferenceMillis = millis;
        return p;
    }
};

Engine::Engine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
}
Engine::~Engine() = default;

const ModelInfo &Engine::info() const
{
    return m_impl->info;
}

Result<std::unique_ptr<Engine>> Engine::load(const QString &bundlePath, const EngineConfig &config)
{
    if (const QString problem = config.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadConfig, problem };

    auto impl = std::make_unique<Impl>();
    impl->config = config;
    const bool cudaAvailable = torch::cuda::is_available();
    if (config.device == EngineConfig::Device::Cuda && !cudaAvailable)
        return Error{ ErrorCode::BadConfig,
            QStringLiteral("CUDA was requested but LibTorch sees no usable GPU (is this "
                           "a CPU build of LibTorch? README.md, \"GPU build\")") };
    if (config.device != EngineConfig::Device::Cpu && cudaAvailable)
        impl->device = c10::Device(c10::kCUDA, 0);

    // Debian's LibTorch starts with one intra-op thread. The setting belongs to the calling
    // thread's OpenMP team, so the thread that will run the model sets it.
    const int threads = config.intraOpThreads > 0 ? config.intraOpThreads : usableCoreCount();
    at::set_num_threads(threads);

    BundleLoadOptions options;
    options.device = impl->device;
    if (!config.expectedSha256.isEmpty()) // EngineConfig: empty = not pinned (front ends refuse "")
        options.expectedSha256 = config.expectedSha256;
    options.thresholdOverrides = config.thresholdOverrides;
    options.overridePins = config.thresholdOverridePins;
    if (const QString problem = options.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadConfig, problem };
    Result<ModelBundle> bundle = loadModelBundle(bundlePath, options);
    if (!bundle)
        return bundle.error();
    impl->bundle = std::move(bundle).value();
    try {
        Result<ModelHead> head
            = ModelHead::fromBundle(impl->bundle.module, impl->bundle.manifest.head);
        if (!head)
            return Error{ head.error().code,
                QStringLiteral("model bundle %1: %2").arg(bundlePath, head.error().message) };
        impl->head = std::move(head).value();
    } catch (const c10::Error &e) {
        return Error{ ErrorCode::BadModel,
            QStringLiteral("model bundle %1: its head cannot be read: %2")
                .arg(bundlePath, torchMessage(e)) };
    }
    impl->info.manifest = impl->bundle.manifest;
    impl->info.bundlePath = impl->bundle.path;
    impl->info.bundleSha256 = impl->bundle.sha256;
    impl->info.manifestSha256 = impl->bundle.manifestSha256;
    impl->info.manifestSource = impl->bundle.manifestSource;
    impl->info.thresholdOverridePath = impl->bundle.thresholdOverridePath;
    impl->info.thresholdOverrideSha256 = impl->bundle.thresholdOverrideSha256;
    impl->info.device = QString::fromStdString(impl->device.str());
    impl->info.intraOpThreads = at::get_num_threads();

    if (config.warmUp) {
        try {
            torch::NoGradGuard noGrad;
            const auto start = std::chrono::steady_clock::now();
            Result<ForwardOutput> out
                = impl->forward(torch::zeros(warmUpShape(impl->bundle.manifest.input)));
            if (!out)
                return Error{ ErrorCode::BadModel,
                    QStringLiteral("model bundle %1 failed its first run: %2")
                        .arg(bundlePath, out.error().message) };
            impl->info.warmUpMillis = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - start)
                                          .count();
        } catch (const c10::Error &e) {
            return Error{ ErrorCode::BadModel,
                QStringLiteral("model bundle %1 failed its first run: %2")
                    .arg(bundlePath, torchMessage(e)) };
        } catch (const std::exception &e) {
            // TorchScript's own `raise` arrives as torch::jit::JITException, not c10::Error.
            return Error{ ErrorCode::BadModel,
                QStringLiteral("model bundle %1 failed its first run: %2")
                    .arg(bundlePath, QString::fromUtf8(e.what())) };
        }
    }
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Result<std::vector<Prediction>> Engine::predict(
    const std::vector<at::Tensor> &images, const std::vector<bool> &keepPatches)
{
    if (!keepPatches.empty() && keepPatches.size() != images.size())
        return inferenceError(QStringLiteral("one patch flag per input is needed"));
    std::vector<Prediction> predictions(images.size());
    // Group images of the same input shape (tiles included) so each group runs as batches.
    std::map<std::vector<int64_t>, std::vector<size_t>> groups;
    for (size_t i = 0; i < images.size(); ++i) {
        const at::Tensor &image = images[i];
        if (!image.defined() || image.dim() != 4 || image.size(1) != 3 || image.size(0) < 1)
            return inferenceError(
                QStringLiteral("input %1 is not a [N, 3, H, W] tensor").arg(qulonglong(i)));
        groups[image.sizes().vec()].push_back(i);
    }

    try {
        torch::NoGradGuard noGrad;
        const size_t maxBatch = size_t(m_impl->config.maxBatch);
        for (const auto &[shape, members] : groups) {
            for (size_t first = 0; first < members.size(); first += maxBatch) {
                const size_t count = std::min(maxBatch, members.size() - first);
                std::vector<at::Tensor> parts;
                for (size_t k = 0; k < count; ++k)
                    parts.push_back(images[members[first + k]]);
                const auto start = std::chrono::steady_clock::now();
                Result<ForwardOutput> out = m_impl->forward(torch::cat(parts, 0));
                if (!out)
                    return out.error();
                const at::Tensor probs = m_impl->probabilities(out->logits);
                const double millis = std::chrono::duration<double, std::milli>(
                                          std::chrono::steady_clock::now() - start)
                                          .count()
                    / double(count);
                const int64_t perImage = shape[0];
                for (size_t k = 0; k < count; ++k) {
                    const int64_t row = int64_t(k) * perImage;
                    const at::Tensor embedding = out->embedding.defined()
                        ? out->embedding.slice(0, row, row + perImage)
                        : at::Tensor();
                    const size_t index = members[first + k];
                    predictions[index] = m_impl->predictionFrom(
                        probs.slice(0, row, row + perImage), embedding, millis);
                    if (perImage == 1 && out->patches.defined() && !keepPatches.empty()
                        && keepPatches[index])
                        predictions[index].patches = patchesOf(out->patches[row]);
                }
            }
        }
    } catch (const c10::Error &e) {
        return inferenceError(QStringLiteral("the model failed: %1").arg(torchMessage(e)));
    } catch (const std::bad_alloc &) {
        return inferenceError(QStringLiteral("not enough memory to run the model"));
    } catch (const std::exception &e) {
        return inferenceError(
            QStringLiteral("the model failed: %1").arg(QString::fromUtf8(e.what())));
    }
    return predictions;
}

} // namespace forgelens
