// The two stages of a scan measured alone, for `make bench` (tests/bench/scan_bench.py):
//
//   forgelens-scan-stage-bench decode BUNDLE FOLDER [THREADS]
//     what the scan's pool does per file, on THREADS threads (default: the usable cores):
//     read + SHA-256, metadata findings, decode, preprocess as BUNDLE's manifest says.
//   forgelens-scan-stage-bench model BUNDLE [BATCH] [SECONDS]
//     the model alone on pre-made inputs of its input size, in batches of BATCH (default 16),
//     with the intra-op threads a scan gives it.
//   forgelens-scan-stage-bench profile BUNDLE JPEG [REPEATS]
//     where one file's time goes on one thread, stage by stage (median and range of REPEATS,
//     default 9, after one untimed pass): the read, the hashes (OpenSSL, and Qt's portable
//     code the scan used before), the metadata, the second Exiv2 parse for the orientation,
//     and decode + preprocess as before (whole) and now for BUNDLE's manifest: reduced
//     (reduced_jpeg_decode.h, whatever the bundle's own flag says) or only around a native
//     crop (native_crop_region.h).
//
//   forgelens-scan-stage-bench exact BUNDLE FOLDER
//     every file decoded whole and only around BUNDLE's native crop (native_crop_region.h),
//     both preprocessed: the inputs must be equal element for element (exit status 1 if not).
//
// Prints one line "rate <files or images per second>" last, for the script to read.
#include "forgelens/image/evidence_file.h"
#include "forgelens/image/exif_orientation.h"
#include "forgelens/image/file_digest.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/input_geometry.h"
#include "forgelens/image/native_crop_region.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/allocator_tuning.h"
#include "forgelens/inference/engine.h"
#include "forgelens/inference/usable_cores.h"
#include "forgelens/metadata/metadata_report.h"
#include "forgelens/scan/scan_file_list.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <QCryptographicHash>
#include <QElapsedTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>

using namespace forgelens;

namespace {

int decodeStage(const QString &bundle, const QString &folder, int threads, bool fullDecode)
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
    // As a scan decodes for this bundle alone: reduced where its manifest allows, only around
    // its crop where it crops at native resolution.
    std::vector<ReducibleResize> reduceFor;
    if (const std::optional<ReducibleResize> resize = reducibleResize(spec); resize && !fullDecode)
        reduceFor.push_back(*resize);
    std::vector<NativeCenterCrop> cropFor;
    if (const std::optional<NativeCenterCrop> crop = nativeCenterCrop(spec); crop && !fullDecode)
        cropFor.push_back(*crop);
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
                const MetadataReport report = readMetadataReport(file->view());
                Result<DecodedImage> image = decodeImage(file->view(), limits, DecodeMode::Strict,
                    {}, DecodeHints{ reduceFor, cropFor, report.embedded.exifOrientation });
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

// Median, lowest and highest milliseconds of `repeats` calls, after one untimed call.
struct Timing {
    double median = 0, low = 0, high = 0;
};

Timing timeIt(int repeats, const std::function<void()> &work)
{
    work();
    std::vector<double> ms;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer clock;
        clock.start();
        work();
        ms.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return { ms[ms.size() / 2], ms.front(), ms.back() };
}

void printTiming(const char *stage, const Timing &t)
{
    std::printf("  %-58s %8.2f ms  (%.2f-%.2f)\n", stage, t.median, t.low, t.high);
}

int profileFile(const QString &bundle, const QString &path, int repeats)
{
    at::set_num_threads(1); // as the scan's decode workers run
    EngineConfig config;
    config.warmUp = false;
    Result<std::unique_ptr<Engine>> engine = Engine::load(bundle, config);
    const DecodeLimits limits;
    Result<EvidenceFile> file = readEvidenceFile(path, limits.maxFileBytes);
    if (!engine || !file) {
        std::fprintf(stderr, "cannot load the bundle or read the file\n");
        return 1;
    }
    InputSpec spec = (*engine)->info().manifest.input;
    spec.reducedJpegDecode = true;
    const std::optional<ReducibleResize> resize = reducibleResize(spec);
    const std::vector<ReducibleResize> reduceFor
        = resize ? std::vector<ReducibleResize>{ *resize } : std::vector<ReducibleResize>{};
    const std::optional<NativeCenterCrop> crop = nativeCenterCrop(spec);
    const std::vector<NativeCenterCrop> cropFor
        = crop ? std::vector<NativeCenterCrop>{ *crop } : std::vector<NativeCenterCrop>{};
    const auto bytes = file->view();
    const QByteArrayView view(
        reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
    // Before: the decoder parses the EXIF for the orientation itself. Now: the metadata pass
    // hands it over.
    const DecodeHints hints{ reduceFor, cropFor, readExifOrientation(bytes) };
    Result<DecodedImage> whole = decodeImage(bytes, limits);
    Result<DecodedImage> reduced = decodeImage(bytes, limits, DecodeMode::Strict, {}, hints);
    if (!whole || !reduced) {
        std::fprintf(stderr, "cannot decode the file\n");
        return 1;
    }
    std::printf("%s: %d x %d, %.1f MB; now decoded: %s (%d x %d)\n", qPrintable(path), whole->width,
        whole->height, double(bytes.size()) / 1e6,
        reduced->reduction > 1 ? qPrintable(QStringLiteral("reduced 1/%1").arg(reduced->reduction))
            : reduced->isPartial() ? "only around the crop"
                                   : "whole",
        reduced->width, reduced->height);
    printTiming("read (open, read, SHA-256 + MD5 with OpenSSL)",
        timeIt(repeats, [&] { (void)readEvidenceFile(path, limits.maxFileBytes); }));
    printTiming("  of which SHA-256 + MD5, OpenSSL (now)",
        timeIt(repeats, [&] { (void)digestBytes(bytes); }));
    printTiming("  SHA-256 + MD5, Qt's portable code (before)", timeIt(repeats, [&] {
        (void)QCryptographicHash::hash(view, QCryptographicHash::Sha256);
        (void)QCryptographicHash::hash(view, QCryptographicHash::Md5);
    }));
    printTiming("metadata report (Exiv2, JPEG tables, C2PA, findings)",
        timeIt(repeats, [&] { (void)readMetadataReport(bytes); }));
    printTiming("  EXIF orientation (a second Exiv2 parse, in decode)",
        timeIt(repeats, [&] { (void)readExifOrientation(bytes); }));
    const Timing decodeWhole = timeIt(repeats, [&] { (void)decodeImage(bytes, limits); });
    // Before: the strip path for a large downscale, otherwise the whole image as floats (the
    // 8-bit crop did not exist). Now: preprocessImage's paths.
    const bool stripPath = spec.resize != InputSpec::Resize::None;
    const Timing preprocessWhole = timeIt(repeats, [&] {
        (void)(stripPath ? preprocessImage(*whole, spec) : preprocessWholeImage(*whole, spec));
    });
    const Timing decodeReduced
        = timeIt(repeats, [&] { (void)decodeImage(bytes, limits, DecodeMode::Strict, {}, hints); });
    const Timing preprocessReduced
        = timeIt(repeats, [&] { (void)preprocessImage(*reduced, spec); });
    printTiming("before: decode whole, EXIF orientation parsed again", decodeWhole);
    printTiming(stripPath ? "before: preprocess, strips of floats"
                          : "before: preprocess, whole "
                            "image as floats",
        preprocessWhole);
    printTiming(reduced->reduction > 1 ? "now: decode reduced, orientation handed over"
            : reduced->isPartial()     ? "now: decode only around the crop, orientation handed over"
                                       : "now: decode whole, orientation handed over",
        decodeReduced);
    printTiming(stripPath ? "now: preprocess" : "now: preprocess, crop or tiles cut in 8 bits",
        preprocessReduced);
    // The resize alone, on the reduced decode's pixels as floats, against OpenCV's area
    // average of the same 8-bit pixels to the same size (a speed reference only: a different
    // filter, not what any model was trained with).
    if (resize) {
        const at::Tensor floats = torch::from_blob(const_cast<char *>(reduced->rgb.constData()),
            { 1, reduced->height, reduced->width, 3 }, torch::kUInt8)
                                      .permute({ 0, 3, 1, 2 })
                                      .contiguous()
                                      .to(torch::kFloat32)
                                      .div_(255);
        const PixelExtent out
            = resizedExtent({ reduced->fullHeight(), reduced->fullWidth() }, spec);
        namespace F = torch::nn::functional;
        auto options = F::InterpolateFuncOptions()
                           .size(std::vector<int64_t>{ out.height, out.width })
                           .mode(torch::kBilinear)
                           .align_corners(false)
                           .antialias(true);
        if (spec.interpolation == InputSpec::Interpolation::Bicubic)
            options.mode(torch::kBicubic);
        printTiming("  resize alone, LibTorch antialiased (reduced input)",
            timeIt(repeats, [&] { (void)F::interpolate(floats, options); }));
        const cv::Mat pixels(
            reduced->height, reduced->width, CV_8UC3, const_cast<char *>(reduced->rgb.constData()));
        printTiming("  OpenCV INTER_AREA, 8-bit, same size (speed reference)", timeIt(repeats, [&] {
            cv::Mat small;
            cv::resize(
                pixels, small, cv::Size(int(out.width), int(out.height)), 0, 0, cv::INTER_AREA);
        }));
    }
    const double before = decodeWhole.median + preprocessWhole.median;
    const double after = decodeReduced.median + preprocessReduced.median;
    std::printf("decode + preprocess: before %.2f ms, now %.2f ms: %.2fx faster\n", before, after,
        before / after);
    std::printf("rate %.3f\n", before / after);
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

// Every file of FOLDER decoded whole and crop-only for BUNDLE's manifest, both preprocessed:
// the inputs must be equal, element for element. Exit status 1 when any differs.
int exactness(const QString &bundle, const QString &folder)
{
    EngineConfig config;
    config.warmUp = false;
    Result<std::unique_ptr<Engine>> engine = Engine::load(bundle, config);
    Result<ScanFileList> list = listScanFiles(folder, {});
    const InputSpec spec = engine ? (*engine)->info().manifest.input : InputSpec();
    const std::optional<NativeCenterCrop> crop = nativeCenterCrop(spec);
    if (!engine || !list || !crop) {
        std::fprintf(stderr,
            "cannot load the bundle, list the folder, or the bundle does not "
            "crop at native resolution\n");
        return 1;
    }
    const DecodeLimits limits;
    int files = 0, cropOnly = 0, identical = 0, differ = 0;
    for (const ScanFile &entry : list->files) {
        Result<EvidenceFile> file = readEvidenceFile(entry.absolutePath, limits.maxFileBytes);
        if (!file)
            continue;
        const std::optional<int> orientation
            = readMetadataReport(file->view()).embedded.exifOrientation;
        Result<DecodedImage> whole = decodeImage(
            file->view(), limits, DecodeMode::Strict, {}, DecodeHints{ {}, {}, orientation });
        Result<DecodedImage> part = decodeImage(file->view(), limits, DecodeMode::Strict, {},
            DecodeHints{ {}, { *crop }, orientation });
        if (!whole || !part)
            continue;
        ++files;
        if (!part->isPartial())
            continue;
        ++cropOnly;
        Result<at::Tensor> fromWhole = preprocessImage(*whole, spec);
        Result<at::Tensor> fromPart = preprocessImage(*part, spec);
        if (fromWhole && fromPart && torch::equal(*fromWhole, *fromPart)) {
            ++identical;
        } else {
            ++differ;
            std::printf("differs: %s\n", qPrintable(entry.relativePath));
        }
    }
    std::printf("%d files decoded, %d of them crop-only: %d inputs identical, %d differ\n", files,
        cropOnly, identical, differ);
    return differ == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    tuneAllocatorForInference();
    const QString mode = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (mode == QLatin1String("decode") && argc >= 4) {
        const bool fullDecode = std::strcmp(argv[argc - 1], "--full-decode") == 0;
        const int last = fullDecode ? argc - 1 : argc;
        return decodeStage(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]),
            last > 4 ? std::atoi(argv[4]) : usableCoreCount(), fullDecode);
    }
    if (mode == QLatin1String("profile") && argc >= 4)
        return profileFile(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]),
            argc > 4 ? std::max(1, std::atoi(argv[4])) : 9);
    if (mode == QLatin1String("exact") && argc >= 4)
        return exactness(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    if (mode == QLatin1String("model") && argc >= 3)
        return modelStage(QString::fromLocal8Bit(argv[2]), argc > 3 ? std::atoi(argv[3]) : 16,
            argc > 4 ? std::atof(argv[4]) : 20.0);
    std::fprintf(stderr,
        "usage: %s decode BUNDLE FOLDER [THREADS] [--full-decode] | model BUNDLE [BATCH] "
        "[SECONDS] | profile BUNDLE JPEG [REPEATS] | exact BUNDLE FOLDER\n",
        argv[0]);
    return 2;
}
