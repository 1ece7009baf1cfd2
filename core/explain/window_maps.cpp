#include "forgelens/explain/window_maps.h"

#include "forgelens/exemplars/attached_bank.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/inference_worker.h"

#include <ATen/ATen.h>

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

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

// The patch cells of one window that stand for `area` (image pixels), pooled into at most
// blocks x blocks regions: each region's mean cell, appended to `into` ([regions, D]).
// Cell (i, j) of an h x w grid over a window covers its pixels [j W / w, (j + 1) W / w) across
// and likewise down. Returns the number of regions appended.
int poolPatches(const PatchEmbeddings &patches, const QRect &window, const QRect &area, int blocks,
    std::vector<float> &into)
{
    const int h = patches.rows, w = patches.cols, d = patches.dimension;
    const auto centre = [](int index, int cells, int extent) {
        return (double(index) + 0.5) * double(extent) / double(cells);
    };
    // Cells whose centres lie in `area`, as index ranges.
    int i0 = h, i1 = -1, j0 = w, j1 = -1;
    for (int i = 0; i < h; ++i) {
        const double y = window.y() + centre(i, h, window.height());
        if (y >= area.top() && y < area.bottom() + 1) {
            i0 = std::min(i0, i);
            i1 = std::max(i1, i);
        }
    }
    for (int j = 0; j < w; ++j) {
        const double x = window.x() + centre(j, w, window.width());
        if (x >= area.left() && x < area.right() + 1) {
            j0 = std::min(j0, j);
            j1 = std::max(j1, j);
        }
    }
    if (i1 < i0 || j1 < j0)
        return 0;
    const int spanRows = i1 - i0 + 1, spanCols = j1 - j0 + 1;
    const int blockRows = std::min(blocks, spanRows), blockCols = std::min(blocks, spanCols);
    for (int br = 0; br < blockRows; ++br) {
        for (int bc = 0; bc < blockCols; ++bc) {
            const int r0 = i0 + br * spanRows / blockRows,
                      r1 = i0 + (br + 1) * spanRows / blockRows;
            const int c0 = j0 + bc * spanCols / blockCols,
                      c1 = j0 + (bc + 1) * spanCols / blockCols;
            const size_t base = into.size();
            into.resize(base + size_t(d), 0.0f);
            for (int i = r0; i < r1; ++i)
                for (int j = c0; j < c1; ++j) {
                    const float *cell = patches.cell(i, j);
                    for (int k = 0; k < d; ++k)
                        into[base + size_t(k)] += cell[k];
                }
            // The mean's direction is what the cosine reads; its length does not matter.
        }
    }
    return blockRows * blockCols;
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
    if (patchNeighbours < 1 || patchNeighbours > 100)
        return QStringLiteral("a patch-similarity map compares with 1 to 100 exemplars");
    if (patchBlocks < 1 || patchBlocks > 16)
        return QStringLiteral("a window is pooled into 1 to 16 blocks across");
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

    // The grid's geometry first: the patch pooling needs each cell's drawing rectangle.
    ImageMap geometry;
    geometry.kind = ImageMap::Kind::TileScore;
    geometry.detectorId = manifest.id;
    geometry.imageWidth = image.width;
    geometry.imageHeight = image.height;
    geometry.rows = plan.rows;
    geometry.cols = plan.cols;
    geometry.window = plan.window;
    geometry.strideX = plan.strideX;
    geometry.strideY = plan.strideY;
    geometry.windows = plan.windows;
    geometry.coverage = plan.coverage;

    const AttachedBank *bank = settings.bank.get();
    QString noPatches;
    if (!manifest.hasPatchMap)
        noPatches = QStringLiteral("%1 exports no patch embeddings (its manifest declares no "
                                   "patch_map), so its regions cannot be compared with exemplars")
                        .arg(manifest.id);
    else if (!bank)
        noPatches = QStringLiteral(
            "no exemplar bank is attached to %1: the patch-similarity map compares each region "
            "with a bank's synthetic and real exemplars (attach or build one beside the detector)")
                        .arg(manifest.id);
    else if (bank->syntheticCount() == 0 || bank->realCount() == 0)
        noPatches = QStringLiteral("the bank attached to %1 holds no %2 exemplars, and the map "
                                   "compares with both classes")
                        .arg(manifest.id,
                            bank->syntheticCount() == 0 ? QStringLiteral("synthetic")
                                                        : QStringLiteral("real"));
    const bool wantPatches = noPatches.isEmpty();
    std::vector<float> regions; // [sum of regionCounts, D]
    std::vector<int> regionCounts(static_cast<size_t>(total), 0);

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
            pending.push_back(worker.submit(*input, wantPatches));
        }
        for (int i = first; i < end; ++i) {
            Result<Prediction> prediction = pending[size_t(i - first)].get();
            if (!prediction)
                return prediction.error();
            scores[size_t(i)] = prediction->pSynthetic;
            embeddings[size_t(i)] = std::move(prediction->embedding);
            if (wantPatches && !prediction->patches.isEmpty()) {
                if (prediction->patches.dimension != bank->info().identity.dimension)
                    return mapError(ErrorCode::BankMismatch,
                        QStringLiteral("%1's patch embeddings have %2 values, its bank's %3")
                            .arg(manifest.id)
                            .arg(prediction->patches.dimension)
                            .arg(bank->info().identity.dimension));
                regionCounts[size_t(i)] = poolPatches(prediction->patches, plan.windows[size_t(i)],
                    geometry.drawRect(i / plan.cols, i % plan.cols), settings.patchBlocks, regions);
            }
        }
        ++passes;
        if (progress)
            progress(end, total);
    }

    WindowMaps maps;
    maps.tileScores = std::move(geometry);
    ImageMap &tiles = maps.tileScores;
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
    } else {
        maps.noSelfConsistency = manifest.hasEmbedding
            ? QStringLiteral("%1 returned no embedding for some windows").arg(manifest.id)
            : QStringLiteral("%1 exports no embedding (its manifest declares none), so its "
                             "windows cannot be compared with each other")
                  .arg(manifest.id);
    }

    const int regionTotal = std::accumulate(regionCounts.begin(), regionCounts.end(), 0);
    if (wantPatches && regionTotal == 0)
        noPatches
            = QStringLiteral("%1 returned no patch embeddings for this image").arg(manifest.id);
    if (noPatches.isEmpty()) {
        if (cancel && cancel->load())
            return mapError(ErrorCode::Cancelled, QStringLiteral("the map was cancelled"));
        const ClassSimilarity similarity
            = bank->classSimilarity(regions.data(), regionTotal, settings.patchNeighbours);
        ImageMap patchMap = tiles;
        patchMap.kind = ImageMap::Kind::PatchSimilarity;
        patchMap.values.assign(size_t(total), 0.0f);
        size_t region = 0;
        float extreme = 0.0f;
        for (int i = 0; i < total; ++i) {
            const int count = regionCounts[size_t(i)];
            double sum = 0.0;
            for (int r = 0; r < count; ++r, ++region)
                sum += double(similarity.synthetic[region]) - double(similarity.real[region]);
            const float value = count > 0 ? float(sum / count) : 0.0f;
            patchMap.values[size_t(i)] = value;
            extreme = std::max(extreme, std::abs(value));
        }
        // Symmetric about 0, so the colour in the middle of the legend means "as close to
        // either class".
        patchMap.low = -std::max(extreme, 1e-3f);
        patchMap.high = std::max(extreme, 1e-3f);
        patchMap.units = QStringLiteral("cosine similarity, synthetic minus real exemplars");
        patchMap.reading = QStringLiteral(
            "how much closer each region's local features lie to the %1 synthetic than to the %2 "
            "real exemplars of the bank (mean similarity of the %3 nearest of each); above 0 "
            "resembles the bank's generated images more. It describes resemblance to these "
            "exemplars only; colours span this image's own range")
                               .arg(bank->syntheticCount())
                               .arg(bank->realCount())
                               .arg(settings.patchNeighbours);
        maps.patchSimilarity = std::move(patchMap);
    }
    maps.noPatchSimilarity = noPatches;
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    maps.tileScores.seconds = seconds;
    if (maps.selfConsistency)
        maps.selfConsistency->seconds = seconds;
    if (maps.patchSimilarity)
        maps.patchSimilarity->seconds = seconds;
    return maps;
}

} // namespace forgelens
