// Map time on a 12-megapixel image, per map kind, for one detector on the CPU.
//
//   forgelens-map-bench BUNDLE [IMAGE]
//
// IMAGE defaults to a generated 4000 x 3000 picture (smooth gradients with textured patches, so
// the detector sees varied windows). Two configurations, each the median of 3 runs after one
// warm-up, alternating:
//   tile scores + self-consistency   one pass over the windows (the self-consistency map is
//                                    the n x n similarity of their embeddings, n <= 256: well
//                                    under a millisecond of it)
//   + patch similarity               patch embeddings copied out, pooled and searched in a bank
//                                    of 2,000 exemplars (1,000 per class, random unit vectors
//                                    of the detector's dimension: the search's cost, not its
//                                    meaning)
#include "forgelens/exemplars/attached_bank.h"
#include "forgelens/explain/window_maps.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/inference_worker.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

using namespace forgelens;

namespace {

DecodedImage generatedImage(int width, int height)
{
    DecodedImage image;
    image.width = image.storedWidth = width;
    image.height = image.storedHeight = height;
    image.format = ImageFormat::Png;
    image.rgb.resize(qsizetype(width) * height * 3);
    QRandomGenerator random{ 7 };
    auto *p = reinterpret_cast<unsigned char *>(image.rgb.data());
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const bool textured = ((x / 500) + (y / 500)) % 3 == 0;
            const int noise = textured ? int(random.bounded(64)) - 32 : 0;
            unsigned char *px = p + (size_t(y) * size_t(width) + size_t(x)) * 3;
            px[0] = static_cast<unsigned char>(std::clamp(x * 255 / width + noise, 0, 255));
            px[1] = static_cast<unsigned char>(std::clamp(y * 255 / height + noise, 0, 255));
            px[2] = static_cast<unsigned char>(std::clamp(128 + noise, 0, 255));
        }
    return image;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: forgelens-map-bench BUNDLE [IMAGE]\n");
        return 2;
    }
    DecodedImage image;
    QString imageName = QStringLiteral("generated 4000 x 3000");
    if (argc > 2) {
        QFile file(QString::fromLocal8Bit(argv[2]));
        if (!file.open(QIODevice::ReadOnly))
            return 2;
        const QByteArray bytes = file.readAll();
        Result<DecodedImage> decoded
            = decodeImage(std::span(reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                              size_t(bytes.size())),
                DecodeLimits{});
        if (!decoded) {
            std::fprintf(stderr, "%s\n", qPrintable(decoded.error().message));
            return 2;
        }
        image = std::move(decoded).value();
        imageName = QString::fromLocal8Bit(argv[2]);
    } else {
        image = generatedImage(4000, 3000);
    }
    EngineConfig config;
    config.maxBatch = 16;
    Result<std::shared_ptr<InferenceWorker>> worker
        = InferenceWorker::start(QString::fromLocal8Bit(argv[1]), config);
    if (!worker) {
        std::fprintf(stderr, "%s\n", qPrintable(worker.error().message));
        return 2;
    }
    const ModelInfo &info = (*worker)->info();
    QString cpu = QStringLiteral("unknown CPU");
    QFile cpuInfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuInfo.open(QIODevice::ReadOnly))
        for (const QByteArray &line : cpuInfo.readAll().split('\n'))
            if (line.startsWith("model name")) {
                cpu = QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
                break;
            }
    std::printf("machine: %s, %s, %u hardware threads; detector %s (%d intra-op threads, CPU)\n",
        qPrintable(cpu), qPrintable(QSysInfo::prettyProductName()),
        std::thread::hardware_concurrency(), qPrintable(info.manifest.id), info.intraOpThreads);
    std::printf("image: %s, %d x %d (%.1f MP)\n", qPrintable(imageName), image.width, image.height,
        image.width * double(image.height) / 1e6);

    // A bank of random unit vectors with the detector's identity and dimension.
    QTemporaryDir dir;
    std::shared_ptr<const AttachedBank> bank;
    if (info.manifest.hasEmbedding && info.manifest.hasPatchMap) {
        Result<at::Tensor> input = preprocessImage(generatedImage(256, 256), info.manifest.input);
        Result<Prediction> probe
            = input ? (*worker)->submit(*input).get() : Result<Prediction>(input.error());
        const int dimension = probe ? int(probe->embedding.size()) : 0;
        const QString path = dir.filePath(QStringLiteral("bench.sqlite"));
        auto created = ExemplarBank::create(
            path, BankIdentity{ info.bundleSha256, info.manifest.id, dimension });
        if (!created || dimension == 0) {
            std::fprintf(stderr, "cannot make the bench's bank\n");
            return 2;
        }
        QRandomGenerator random{ 11 };
        for (int i = 0; i < 2000; ++i) {
            Exemplar e;
            e.label = i % 2 ? QStringLiteral("synthetic") : QStringLiteral("real");
            e.path = QStringLiteral("%1/%2.png").arg(e.label).arg(i);
            e.sha256 = QString::number(i).rightJustified(64, QLatin1Char('0'));
            e.embedding.resize(size_t(dimension));
            double norm = 0.0;
            for (float &v : e.embedding) {
                v = float(random.generateDouble() - 0.5);
                norm += double(v) * v;
            }
            for (float &v : e.embedding)
                v = float(v / std::sqrt(norm));
            if ((*created)->insert(e))
                return 2;
        }
        if ((*created)->commit())
            return 2;
        created->reset();
        Result<std::shared_ptr<const AttachedBank>> attached = AttachedBank::open(path, info);
        if (!attached) {
            std::fprintf(stderr, "%s\n", qPrintable(attached.error().message));
            return 2;
        }
        bank = *attached;
    }

    struct Config {
        const char *name;
        bool patches;
    };
    const Config configs[] = { { "tile scores + self-consistency (one pass)", false },
        { "tile scores + self-consistency + patch similarity", true } };
    constexpr size_t kConfigs = std::size(configs);
    std::vector<std::vector<double>> seconds(kConfigs);
    int windows = 0, passes = 0;
    for (int round = 0; round < 4; ++round) { // round 0 warms up
        for (size_t c = 0; c < kConfigs; ++c) {
            if (configs[c].patches && !bank)
                continue;
            WindowMapSettings settings;
            settings.batch = 16;
            settings.bank = configs[c].patches ? bank : nullptr;
            QElapsedTimer clock;
            clock.start();
            Result<WindowMaps> maps = computeWindowMaps(image, **worker, settings);
            const double elapsed = double(clock.nsecsElapsed()) / 1e9;
            if (!maps) {
                std::fprintf(stderr, "%s\n", qPrintable(maps.error().message));
                return 1;
            }
            windows = int(maps->tileScores.values.size());
            passes = maps->tileScores.forwardPasses;
            if (round > 0)
                seconds[c].push_back(elapsed);
        }
    }
    std::printf("%d windows of %d px in %d batched forward passes\n", windows,
        detectorWindow(info.manifest.input), passes);
    for (size_t c = 0; c < kConfigs; ++c) {
        if (seconds[c].empty()) {
            std::printf("%-52s n/a (the detector has no patch embeddings)\n", configs[c].name);
            continue;
        }
        const auto [low, high] = std::minmax_element(seconds[c].begin(), seconds[c].end());
        std::printf("%-52s %.2f s (median of 3; %.2f-%.2f)\n", configs[c].name, median(seconds[c]),
            *low, *high);
    }
    return 0;
}
