// The two stages of a scan measured alone, for `make bench` (tests/bench/scan_bench.py):
//
//   forgelens-scan-stage-bench decode BUNDLE FOLDER [THREADS]
//     what the scan's pool does per file, on THREADS threads (default: the usable cores):
//     read + SHA-256, metadata findings, decode, preprocess as BUNDLE's manifest says.
//   forgelens-scan-stage-bench model BUNDLE [BATCH] [SECONDS]
//     the model alone on pre-made inputs of its input size, in batches of BATCH (default 16),
//     with the intra-op threads a scan gives it.
//
// Prints one line "rate <files or images per second>" last, for the script to read.
#include "forgelens/image/evidence_file.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/allocator_tuning.h"
#include "forgelens/inference/engine.h"
#include "forgelens/inference/usable_cores.h"
#include "forgelens/metadata/metadata_report.h"
#include "forgelens/scan/scan_file_list.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <QElapsedTimer>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace forgelens;

namespace {

int decodeStage(const QString &bundle, const QString &folder, int threads)
{
    EngineConfig config;
    config.warmUp = false;
    Result<std::unique_ptr<Engine>> engine = Engine::load(bundle, config);
    Result<ScanFileList> list = listScanFiles(folder, {});
    if (!engine || !list) {
        std::fprintf(stderr, "cannot load the bundle or list the folder\n");
        return 1;
    }
    const InputSpec spec = (*engine)->info().manifest.input;
    const DecodeLimits limits;
    std::atomic<size_t> next{ 0 };
    std::atomic<int> failures{ 0 };
    QElapsedTimer clock;
    clock.start();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            at::set_num_threads(1); // as the scan's decode workers run
            for (size_t i = next++; i < list->files.size(); i = next++) {
                Result<EvidenceFile> file
                    = readEvidenceFile(list->files[i].absolutePath, limits.maxFileBytes);
                if (!file) {
                    ++failures;
                    continue;
                }
                readMetadataReport(file->view());
                Result<DecodedImage> image = decodeImage(file->view(), limits);
                if (!image || !preprocessImage(*image, spec))
                    ++failures;
            }
        });
    }
    for (std::thread &thread : pool)
        thread.join();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    std::printf("decode stage: %zu files, %d failed, %.2f s on %d threads\n", list->files.size(),
        failures.load(), seconds, threads);
    std::printf("rate %.3f\n", double(list->files.size()) / seconds);
    return 0;
}

int modelStage(const QString &bundle, int batch, double seconds)
{
    EngineConfig config;
    config.maxBatch = batch;
    Result<std::unique_ptr<Engine>> engine = Engine::load(bundle, config);
    if (!engine) {
        std::fprintf(stderr, "cannot load the bundle: %s\n", qPrintable(engine.error().message));
        return 1;
    }
    const InputSpec &spec = (*engine)->info().manifest.input;
    const int64_t height = spec.crop != InputSpec::Crop::None ? spec.cropHeight : spec.resizeHeight;
    const int64_t width = spec.crop != InputSpec::Crop::None ? spec.cropWidth : spec.resizeWidth;
    torch::manual_seed(0);
    std::vector<at::Tensor> inputs;
    for (int i = 0; i < batch; ++i)
        inputs.push_back(torch::randn({ 1, 3, height, width }));
    (*engine)->predict(inputs); // warm the allocator with the batch's shapes
    QElapsedTimer clock;
    clock.start();
    qint64 images = 0;
    while (double(clock.nsecsElapsed()) / 1e9 < seconds) {
        if (!(*engine)->predict(inputs)) {
            std::fprintf(stderr, "inference failed\n");
            return 1;
        }
        images += batch;
    }
    const double elapsed = double(clock.nsecsElapsed()) / 1e9;
    std::printf("model stage: %lld images of %lldx%lld in batches of %d, %.2f s, %d threads\n",
        static_cast<long long>(images), static_cast<long long>(width),
        static_cast<long long>(height), batch, elapsed, (*engine)->info().intraOpThreads);
    std::printf("rate %.3f\n", double(images) / elapsed);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    tuneAllocatorForInference();
    const QString mode = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (mode == QLatin1String("decode") && argc >= 4)
        return decodeStage(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]),
            argc > 4 ? std::atoi(argv[4]) : usableCoreCount());
    if (mode == QLatin1String("model") && argc >= 3)
        return modelStage(QString::fromLocal8Bit(argv[2]), argc > 3 ? std::atoi(argv[3]) : 16,
            argc > 4 ? std::atof(argv[4]) : 20.0);
    std::fprintf(stderr,
        "usage: %s decode BUNDLE FOLDER [THREADS] | model BUNDLE [BATCH] [SECONDS]\n", argv[0]);
    return 2;
}
