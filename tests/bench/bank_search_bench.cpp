// `make bench`, the exemplar banks' part: nearest-exemplar search at 10k, 100k and 1M
// embeddings of 128 and 192 values (clustered unit vectors, as a detector's embeddings of many
// images are), exact and with inverted lists: build time, time per query, recall@10 of the
// approximate search against the exact one, and the memory each holds. Targets: at most 20 ms
// per query at 1M with recall@10 of at least 0.95.
//
// usage: forgelens-bank-search-bench [MAX_ROWS]   (default 1000000)
#include "forgelens/exemplars/nearest_exemplars.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QThread>

#include <random>
#include <set>
#include <vector>

using namespace forgelens;

namespace {

// `rows` unit vectors around `clusters` random centres (spread 0.5 per value around centres of
// unit-variance values), seeded.
std::vector<float> clustered(qint64 rows, int dimension, int clusters, unsigned seed)
{
    std::mt19937 random(seed);
    std::normal_distribution<float> normal;
    std::mt19937 centreRandom(1234); // the same centres for the bank and its queries
    std::vector<float> centres(size_t(clusters) * size_t(dimension));
    for (float &v : centres)
        v = normal(centreRandom);
    std::uniform_int_distribution<int> pick(0, clusters - 1);
    std::vector<float> out(size_t(rows) * size_t(dimension));
    for (qint64 r = 0; r < rows; ++r) {
        const int c = pick(random);
        for (int i = 0; i < dimension; ++i)
            out[size_t(r * dimension + i)]
                = centres[size_t(c * dimension + i)] + 0.5f * normal(random);
    }
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const qint64 maxRows = argc > 1 ? QString::fromLocal8Bit(argv[1]).toLongLong() : 1'000'000;
    constexpr int kQueries = 200;
    constexpr int kK = 10;
    out << "machine: " << QThread::idealThreadCount() << " cores; " << kQueries
        << " queries per size, k = " << kK << "; clustered unit vectors (1000 clusters)\n";
    out.flush();
    for (const int dimension : { 128, 192 }) {
        for (const qint64 rows : { qint64(10'000), qint64(100'000), qint64(1'000'000) }) {
            if (rows > maxRows)
                continue;
            const std::vector<float> vectors = clustered(rows, dimension, 1000, 7);
            const std::vector<float> queries = clustered(kQueries, dimension, 1000, 8);
            NearestSearchConfig exactConfig;
            exactConfig.method = NearestSearchConfig::Method::Exact;
            QElapsedTimer clock;
            clock.start();
            auto exact = NearestExemplarSearch::build(vectors, dimension, exactConfig);
            const double exactBuild = clock.nsecsElapsed() / 1e9;
            NearestSearchConfig listsConfig;
            listsConfig.method = NearestSearchConfig::Method::InvertedLists;
            clock.restart();
            auto lists = NearestExemplarSearch::build(vectors, dimension, listsConfig);
            const double listsBuild = clock.nsecsElapsed() / 1e9;
            if (!exact || !lists) {
                out << "cannot build the searches\n";
                return 1;
            }
            // One query at a time, as the window and `bank query` ask.
            std::vector<std::vector<NearestMatch>> truth, found;
            clock.restart();
            for (int q = 0; q < kQueries; ++q)
                truth.push_back((*exact)->search(queries.data() + q * dimension, 1, kK).front());
            const double exactMs = clock.nsecsElapsed() / 1e6 / kQueries;
            clock.restart();
            for (int q = 0; q < kQueries; ++q)
                found.push_back((*lists)->search(queries.data() + q * dimension, 1, kK).front());
            const double listsMs = clock.nsecsElapsed() / 1e6 / kQueries;
            qint64 hits = 0;
            for (int q = 0; q < kQueries; ++q) {
                std::set<qint64> expected;
                for (const NearestMatch &m : truth[size_t(q)])
                    expected.insert(m.row);
                for (const NearestMatch &m : found[size_t(q)])
                    hits += expected.contains(m.row);
            }
            const double recall = double(hits) / (kQueries * kK);
            out << QString::number(rows).rightJustified(8) << " x " << dimension << ": exact "
                << QString::number(exactMs, 'f', 2) << " ms/query ("
                << QString::number(double((*exact)->memoryBytes()) / (1 << 20), 'f', 0)
                << " MiB, built in " << QString::number(exactBuild, 'f', 2)
                << " s); inverted lists (" << (*lists)->lists() << " lists, " << (*lists)->probes()
                << " probed) " << QString::number(listsMs, 'f', 2) << " ms/query, recall@10 "
                << QString::number(recall, 'f', 3) << " ("
                << QString::number(double((*lists)->memoryBytes()) / (1 << 20), 'f', 0)
                << " MiB, built in " << QString::number(listsBuild, 'f', 1) << " s)";
            if (rows == 1'000'000)
                out << (listsMs <= 20.0 && recall >= 0.95 ? "  [targets met]"
                                                          : "  [targets NOT met]");
            out << '\n';
            out.flush();
        }
    }
    return 0;
}
