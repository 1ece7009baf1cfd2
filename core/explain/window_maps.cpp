#include "forgelens/explain/window_maps.h"

#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/inference_worker.h"

#include <ATen/ATen.h>

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace forgelens {
namespace {

// Evenly spread origins for `count` windows of `window` pixels over `extent` pixels, the first
// at 0 and the last at extent - window.
std::vector<int> origins(int extent, int window, int count)
{
    std::vector<int> out(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i)
        out[size_t(i)] = count == 1 ? (extent - window) / 2
                                    : int(std::lround(double(i) * (extent - window) / (count - 1)));
    return out;
}

// The pixels of `rect` as an upright image of their own.
DecodedImage cut(const DecodedImage &image, const QRect &rect)
{
    DecodedImage out;
    out.width = out.storedWidth = rect.width();
    out.height = out.storedHeight = rect.height();
    out.format = image.format;
    out.orientation = 1; // already upright: nothing for the preprocessing to turn back
    out.rgb.resize(qsizetype(rect.width()) * rect.height() * 3);
    const qsizetype rowBytes = qsizetype(rect.width()) * 3;
    for (int y = 0; y < rect.height(); ++y)
        std::memcpy(out.rgb.data() + y * rowBytes,
            image.rgb.constData() + (qsizetype(rect.y() + y) * image.width + rect.x()) * 3,
            size_t(rowBytes));
    return out;
}

Error mapError(ErrorCode code, const QString &message)
{
    return Error{ code, message };
}

} // namespace

WindowPlan planWindows(int width, int height, int window, int maxWindows)
{
    WindowPlan plan;
    if (window <= 0 || width < window || height < window || maxWindows < 2) {
        plan.window = std::max(width, height);
        plan.rows = plan.cols = 1;
        plan.windows = { QRect(0, 0, width, height) };
        return plan;
    }
    plan.window = window;
    // The smallest stride of at least half a window that keeps the count within the budget.
    int cols = 1, rows = 1;
    for (int stride = std::max(1, (window + 1) / 2);; ++stride) {
        cols = (width - window + stride - 1) / stride + 1;
        rows = (height - window + stride - 1) / stride + 1;
        if (qint64(cols) * rows <= maxWindows || (cols == 1 && rows == 1))
            break;
    }
    plan.cols = cols;
    plan.rows = rows;
    plan.strideX = cols > 1 ? (width - window) / (cols - 1) : 0;
    plan.strideY = rows > 1 ? (height - window) / (rows - 1) : 0;
    const std::vector<int> xs = origins(width, window, cols);
    const std::vector<int> ys = origins(height, window, rows);
    for (int y : ys)
        for (int x : xs)
            plan.windows.emplace_back(x, y, window, window);
    const double coveredX = std::min(1.0, double(cols) * window / width);
    const double coveredY = std::min(1.0, double(rows) * window / height);
    plan.coverage = coveredX * coveredY;
    return plan;
}

int detectorWindow(const InputSpec &spec)
{
    if (spec.crop != InputSpec::Crop::None && spec.cropHeight > 0)
        return std::max(spec.cropHeight, spec.cropWidth);
    if (spec.resize == InputSpec::Resize::Exact)
        return std::max(spec.resizeHeight, spec.resizeWidth);
    if (spec.resize == InputSpec::Resize::ShorterSide)
        return spec.resizeHeight;
    return 224;
}

QString WindowMapSettings::validate() const
{
    if (maxWindows < 1 || maxWindows > 4096)
        return QStringLiteral("a map takes 1 to 4096 windows");
    if (batch < 1)
        return QStringLiteral("a map's batch must hold at least one window");
    return {};
}

Result<WindowMaps> computeWindowMaps(const DecodedImage &image, InferenceWorker &worker,
    const WindowMapSettings &settings, const std::atomic_bool *cancel,
    const std::function<void(int done, int total)> &progress)
{
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return mapError(ErrorCode::BadSettings, problem);
    if (image.isNull() || image.rgb.size() != qsizetype(image.width) * image.height * 3)
        return mapError(ErrorCode::BadSettings, QStringLiteral("there are no pixels to map"));
    QElapsedTimer clock;
    clock.start();
    const ModelManifest &manifest = worker.info().manifest;
    const WindowPlan plan = planWindows(
        image.width, image.height, detectorWindow(manifest.input), settings.maxWindows);
    const int total = int(plan.windows.size());

    std::vector<float> scores(static_cast<size_t>(total));
    std::vector<std::vector<float>> embeddings(static_cast<size_t>(total));
    int passes = 0;
    for (int first = 0; first < total; first += settings.batch) {
        if (cancel && cancel->load())
            return mapError(ErrorCode::Cancelled, QStringLiteral("the map was cancelled"));
        const int end = std::min(total, first + settings.batch);
        std::vector<std::future<Result<Prediction>>> pending;
        for (int i = first; i < end; ++i) {
            Result<at::Tensor> input
                = preprocessImage(cut(image, plan.windows[size_t(i)]), manifest.input);
            if (!input)
                return input.error();
            pending.push_back(worker.submit(*input));
        }
        for (int i = first; i < end; ++i) {
            Result<Prediction> prediction = pending[size_t(i - first)].get();
            if (!prediction)
                return prediction.error();
            scores[size_t(i)] = prediction->pSynthetic;
            embeddings[size_t(i)] = std::move(prediction->embedding);
        }
        ++passes;
        if (progress)
            progress(end, total);
    }

    WindowMaps maps;
    ImageMap &tiles = maps.tileScores;
    tiles.kind = ImageMap::Kind::TileScore;
    tiles.detectorId = manifest.id;
    tiles.imageWidth = image.width;
    tiles.imageHeight = image.height;
    tiles.rows = plan.rows;
    tiles.cols = plan.cols;
    tiles.window = plan.window;
    tiles.strideX = plan.strideX;
    tiles.strideY = plan.strideY;
    tiles.windows = plan.windows;
    tiles.coverage = plan.coverage;
    tiles.values = scores;
    tiles.low = 0.0f;
    tiles.high = 1.0f;
    tiles.units = QStringLiteral("P(synthetic)");
    tiles.reading = QStringLiteral(
        "the detector's P(synthetic) on each window on its own, at the image's full resolution; "
        "a window sees less than the whole image, so its score may differ from the image's");
    if (plan.coverage < 1.0)
        tiles.reading += QStringLiteral("; the image is larger than %1 windows cover, so they "
                                        "sample %2 % of it, with gaps between them")
                             .arg(total)
                             .arg(plan.coverage * 100.0, 0, 'f', 0);
    tiles.forwardPasses = passes;

    const bool haveEmbeddings = manifest.hasEmbedding
        && std::all_of(embeddings.begin(), embeddings.end(), [&](const std::vector<float> &e) {
               return !e.empty() && e.size() == embeddings[0].size();
           });
    if (haveEmbeddings) {
        // [n, D] unit rows; S = E Eᵀ; each window's mean similarity to every other window.
        const int64_t n = total;
        const int64_t d = int64_t(embeddings[0].size());
        at::Tensor e = at::empty({ n, d }, at::kFloat);
        for (int64_t i = 0; i < n; ++i)
            std::memcpy(
                e[i].data_ptr<float>(), embeddings[size_t(i)].data(), size_t(d) * sizeof(float));
        e = e / e.norm(2, 1, true).clamp_min(1e-12);
        const at::Tensor similarity = at::mm(e, e.t());
        const at::Tensor others
            = n > 1 ? (similarity.sum(1) - similarity.diagonal()) / double(n - 1) : at::ones({ 1 });
        const at::Tensor values = others.contiguous();
        ImageMap consistency = tiles;
        consistency.kind = ImageMap::Kind::SelfConsistency;
        consistency.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + n);
        const auto [low, high]
            = std::minmax_element(consistency.values.begin(), consistency.values.end());
        consistency.low = *low;
        consistency.high = *high;
        consistency.units = QStringLiteral("cosine similarity");
        consistency.reading = QStringLiteral(
            "how much each window resembles the rest of the image to the detector (its mean "
            "cosine similarity to every other window); a region pasted or inpainted into a "
            "photograph can stand out low even when the image's score does not. Colours span "
            "this image's own range");
        maps.selfConsistency = std::move(consistency);
    }
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    maps.tileScores.seconds = seconds;
    if (maps.selfConsistency)
        maps.selfConsistency->seconds = seconds;
    return maps;
}

} // namespace forgelens
