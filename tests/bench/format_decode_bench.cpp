// Decode time of one file per format, for the figures of `make bench` (format_bench.py):
//
//   forgelens-format-decode-bench REPEATS FILE...
//
// Each file is read once, decoded once untimed (first-use costs: tables, plugins), then REPEATS
// times; the line printed per file is "<file> <format> <width>x<height> <median ms> <min ms>
// <max ms>". In this process, without the sandbox: the decoder's own cost.
#include "forgelens/image/evidence_file.h"
#include "forgelens/image/image_decoder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace forgelens;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s REPEATS FILE...\n", argv[0]);
        return 2;
    }
    const int repeats = std::max(1, std::atoi(argv[1]));
    for (int i = 2; i < argc; ++i) {
        const QString path = QString::fromLocal8Bit(argv[i]);
        Result<EvidenceFile> file
            = readEvidenceFile(path, QFile::encodeName(path), qint64(1) << 30);
        if (!file) {
            std::fprintf(stderr, "%s: %s\n", argv[i], qPrintable(file.error().message));
            return 1;
        }
        Result<DecodedImage> first = decodeImage(file->view(), DecodeLimits{});
        if (!first) {
            std::fprintf(stderr, "%s: %s\n", argv[i], qPrintable(first.error().message));
            return 1;
        }
        std::vector<double> times;
        for (int r = 0; r < repeats; ++r) {
            QElapsedTimer timer;
            timer.start();
            const Result<DecodedImage> decoded = decodeImage(file->view(), DecodeLimits{});
            times.push_back(double(timer.nsecsElapsed()) / 1e6);
            if (!decoded)
                return 1;
        }
        std::sort(times.begin(), times.end());
        std::printf("%s %s %dx%d %.1f %.1f %.1f\n", argv[i],
            qPrintable(imageFormatName(first->format)), first->width, first->height,
            times[times.size() / 2], times.front(), times.back());
    }
    return 0;
}
