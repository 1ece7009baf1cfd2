// What a reduced JPEG decode (core/image/reduced_jpeg_decode.h) changes, for one bundle, over a
// folder of real photographs: each JPEG is decoded whole and reduced, preprocessed as the
// bundle's manifest says, and scored both ways. For `make bench` and the ΔP table in README and
// the model cards (tests/bench/reduced_decode_table.py runs it on every bundle).
//
//   forgelens-reduced-decode-delta BUNDLE FOLDER [RESERVED_SHA256_LIST] [MAX_FILES] [MARGIN]
//
// MARGIN (default kReducedDecodeMargin, 2): how many times the resize's output the reduced image
// must keep; a larger one reduces less, to see what the change of P depends on.
//
// The bundle's own reduced_jpeg_decode flag is ignored: the measure decides it. Files whose
// SHA-256 is in RESERVED_SHA256_LIST (one hash per line, as ../shared/data/reserved-sha256.txt)
// are skipped, never read further. Prints one JSON object last: files compared, skipped, how
// many at each reduction, the largest absolute difference of any input value, and the largest
// and mean absolute change of P (the probability of the fake classes), and the range of P over
// the photographs (decoded whole).
#include "forgelens/image/evidence_file.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/preprocessor.h"
#include "forgelens/inference/engine.h"
#include "forgelens/scan/scan_file_list.h"

#include <torch/torch.h>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using namespace forgelens;

namespace {

QSet<QString> readReservedHashes(const QString &path)
{
    QSet<QString> hashes;
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return hashes;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QByteArray hash = line.trimmed().split(' ').value(0).toLower();
        if (hash.size() == 64)
            hashes.insert(QString::fromLatin1(hash));
    }
    return hashes;
}

std::optional<float> scoreOf(Engine &engine, const at::Tensor &input)
{
    Result<std::vector<Prediction>> predictions = engine.predict({ input });
    if (!predictions || predictions->empty())
        return std::nullopt;
    return predictions->front().pSynthetic;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(
            stderr, "usage: %s BUNDLE FOLDER [RESERVED_SHA256_LIST] [MAX_FILES]\n", argv[0]);
        return 2;
    }
    const QString bundle = QString::fromLocal8Bit(argv[1]);
    const QString folder = QString::fromLocal8Bit(argv[2]);
    const QSet<QString> reserved
        = readReservedHashes(argc > 3 ? QString::fromLocal8Bit(argv[3]) : QString());
    const qsizetype maxFiles = argc > 4 ? std::atoll(argv[4]) : 0;
    const int margin = argc > 5 ? std::max(1, std::atoi(argv[5])) : kReducedDecodeMargin;
    if (argc > 3 && reserved.isEmpty()) {
        std::fprintf(stderr, "the reserved list %s holds no hash\n", argv[3]);
        return 2;
    }

    EngineConfig config;
    config.maxBatch = 1;
    Result<std::unique_ptr<Engine>> engine = Engine::load(bundle, config);
    if (!engine) {
        std::fprintf(stderr, "cannot load the bundle: %s\n", qPrintable(engine.error().message));
        return 1;
    }
    InputSpec spec = (*engine)->info().manifest.input;
    spec.reducedJpegDecode = true; // measured whatever the bundle says
    std::optional<ReducibleResize> resize = reducibleResize(spec);
    if (!resize) {
        std::printf("{\"reducible\": false, \"reason\": \"the preprocessing has no antialiased "
                    "resize before its crop, or it tiles: always the full decode\"}\n");
        return 0;
    }
    // A margin of m asks for m / kReducedDecodeMargin times the resize's output.
    resize->height = resize->height * margin / kReducedDecodeMargin;
    resize->width = resize->width * margin / kReducedDecodeMargin;
    Result<ScanFileList> list = listScanFiles(folder, {});
    if (!list) {
        std::fprintf(stderr, "cannot list %s\n", argv[2]);
        return 1;
    }

    const DecodeLimits limits;
    int compared = 0, skippedReserved = 0, notJpeg = 0, failed = 0;
    std::map<int, int> byReduction;
    double maxInput = 0.0, maxP = 0.0, sumP = 0.0;
    // How far P itself moves between photographs: a ΔP means little for a model whose P hardly
    // moves at all.
    double lowestP = 1.0, highestP = 0.0;
    QString worstFile;
    for (const ScanFile &entry : list->files) {
        if (maxFiles > 0 && compared >= maxFiles)
            break;
        Result<EvidenceFile> file = readEvidenceFile(entry.absolutePath, limits.maxFileBytes);
        if (!file) {
            ++failed;
            continue;
        }
        if (reserved.contains(file->digest.sha256)) {
            ++skippedReserved; // kept for independent evaluation: never measured on
            continue;
        }
        Result<DecodedImage> whole = decodeImage(file->view(), limits);
        if (!whole || whole->format != ImageFormat::Jpeg) {
            ++notJpeg;
            continue;
        }
        Result<DecodedImage> reduced = decodeImage(file->view(), limits, DecodeMode::Strict, {},
            DecodeHints{ { *resize }, {}, std::nullopt });
        if (!reduced) {
            ++failed;
            continue;
        }
        ++byReduction[reduced->reduction];
        if (reduced->reduction == 1)
            continue; // too small to reduce: the same pixels
        Result<at::Tensor> wholeInput = preprocessImage(*whole, spec);
        Result<at::Tensor> reducedInput = preprocessImage(*reduced, spec);
        if (!wholeInput || !reducedInput || !wholeInput->sizes().equals(reducedInput->sizes())) {
            ++failed;
            continue;
        }
        const std::optional<float> pWhole = scoreOf(**engine, *wholeInput);
        const std::optional<float> pReduced = scoreOf(**engine, *reducedInput);
        if (!pWhole || !pReduced) {
            ++failed;
            continue;
        }
        // In the model's units (after normalisation), as the network sees them.
        maxInput = std::max(maxInput, (*wholeInput - *reducedInput).abs().max().item<double>());
        const double deltaP = std::fabs(double(*pWhole) - double(*pReduced));
        if (deltaP > maxP) {
            maxP = deltaP;
            worstFile = entry.relativePath;
        }
        sumP += deltaP;
        lowestP = std::min(lowestP, double(*pWhole));
        highestP = std::max(highestP, double(*pWhole));
        ++compared;
    }
    QJsonObject reductions;
    for (const auto &[reduction, count] : byReduction)
        reductions.insert(QString::number(reduction), count);
    const QJsonObject result{
        { QStringLiteral("reducible"), true },
        { QStringLiteral("bundle"), (*engine)->info().manifest.id },
        { QStringLiteral("margin"), margin },
        { QStringLiteral("compared"), compared },
        { QStringLiteral("skipped_reserved"), skippedReserved },
        { QStringLiteral("not_jpeg"), notJpeg },
        { QStringLiteral("failed"), failed },
        { QStringLiteral("by_reduction"), reductions },
        { QStringLiteral("max_abs_input_difference"), maxInput },
        { QStringLiteral("max_abs_delta_p"), maxP },
        { QStringLiteral("mean_abs_delta_p"), compared ? sumP / compared : 0.0 },
        { QStringLiteral("worst_file"), worstFile },
        { QStringLiteral("p_lowest"), compared ? lowestP : 0.0 },
        { QStringLiteral("p_highest"), compared ? highestP : 0.0 },
    };
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
