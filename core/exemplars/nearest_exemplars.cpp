#include "forgelens/exemplars/nearest_exemplars.h"

#include <ATen/ATen.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <queue>

namespace forgelens {
namespace {

// Scales each row of `rows` [count, dimension] to unit length in place; returns which rows
// were zero (or not finite) and were left as zeros.
std::vector<bool> normaliseRows(float *rows, qint64 count, int dimension)
{
    std::vector<bool> empty(size_t(count), false);
    for (qint64 r = 0; r < count; ++r) {
        float *row = rows + r * dimension;
        double norm = 0.0;
        for (int i = 0; i < dimension; ++i)
            norm += double(row[i]) * row[i];
        norm = std::sqrt(norm);
        if (!std::isfinite(norm) || norm <= 0.0) {
            std::fill(row, row + dimension, 0.0f);
            empty[size_t(r)] = true;
            continue;
        }
        for (int i = 0; i < dimension; ++i)
            row[i] = float(double(row[i]) / norm);
    }
    return empty;
}

// Orders neighbours as the search returns them: more similar first, then lower row first.
bool before(const NearestMatch &a, const NearestMatch &b)
{
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.row < b.row;
}

} // namespace

QString NearestSearchConfig::validate() const
{
    if (exactUpTo < 0)
        return QStringLiteral("the exact-search limit cannot be negative");
    if (lists < 0 || lists > 65536)
        return QStringLiteral("the number of inverted lists must be 0 (automatic) to 65536");
    if (probes < 0)
        return QStringLiteral("the number of lists probed cannot be negative");
    return {};
}

struct NearestExemplarSearch::Impl {
    int dimension = 0;
    qint64 rows = 0;
    NearestSearchConfig::Method method = NearestSearchConfig::Method::Exact;
    std::vector<float> vectors; // [N, D], unit rows (exact search only)
    std::vector<bool> empty; // [N] (exact search only)
    std::unique_ptr<faiss::IndexFlatIP> quantiser;
    std::unique_ptr<faiss::IndexIVFFlat> lists;
    int probes = 0;

    std::vector<std::vector<NearestMatch>> exact(const float *queries, qint64 count, int k) const;
    std::vector<std::vector<NearestMatch>> approximate(
        const float *queries, qint64 count, int k) const;
};

NearestExemplarSearch::NearestExemplarSearch(std::unique_ptr<Impl> impl) : m_impl(std::move(impl))
{
}

NearestExemplarSearch::~NearestExemplarSearch() = default;

Result<std::unique_ptr<NearestExemplarSearch>> NearestExemplarSearch::build(
    std::vector<float> vectors, int dimension, const NearestSearchConfig &config)
{
    if (const QString problem = config.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };
    if (dimension < 1 || vectors.size() % size_t(dimension) != 0)
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("the embeddings are not rows of %1 values").arg(dimension) };
    auto impl = std::make_unique<Impl>();
    impl->dimension = dimension;
    impl->rows = qint64(vectors.size() / size_t(dimension));
    std::vector<bool> empty = normaliseRows(vectors.data(), impl->rows, dimension);

    using Method = NearestSearchConfig::Method;
    const bool approximate = config.method == Method::InvertedLists
        || (config.method == Method::Auto && impl->rows > config.exactUpTo);
    if (!approximate || impl->rows == 0) {
        impl->method = Method::Exact;
        impl->vectors = std::move(vectors);
        impl->empty = std::move(empty);
        return std::unique_ptr<NearestExemplarSearch>(new NearestExemplarSearch(std::move(impl)));
    }

    // Inverted lists: k-means cells of the unit vectors; a query visits the `probes` cells whose
    // centres are nearest and compares itself with every vector in them.
    const int lists = config.lists > 0
        ? config.lists
        : int(std::clamp<qint64>(qint64(std::lround(std::sqrt(double(impl->rows)))), 16, 1024));
    impl->probes = config.probes > 0 ? config.probes : std::max(16, lists / 8);
    std::vector<faiss::Index::idx_t> ids;
    std::vector<float> kept;
    kept.reserve(vectors.size());
    for (qint64 r = 0; r < impl->rows; ++r) {
        if (empty[size_t(r)])
            continue;
        ids.push_back(faiss::Index::idx_t(r));
        kept.insert(
            kept.end(), vectors.begin() + r * dimension, vectors.begin() + (r + 1) * dimension);
    }
    std::vector<float>().swap(vectors);
    const qint64 usable = qint64(ids.size());
    try {
        impl->quantiser = std::make_unique<faiss::IndexFlatIP>(dimension);
        impl->lists = std::make_unique<faiss::IndexIVFFlat>(impl->quantiser.get(), dimension,
            size_t(std::min<qint64>(lists, std::max<qint64>(usable, 1))),
            faiss::METRIC_INNER_PRODUCT);
        // k-means on an evenly spaced sample of 40 rows per list (FAISS asks for 39 at least;
        // its clustering is seeded, so a bank always gets the same lists), 10 iterations.
        impl->lists->cp.niter = 10;
        impl->lists->cp.seed = 2026;
        const qint64 sampleRows = std::min<qint64>(usable, qint64(impl->lists->nlist) * 40);
        std::vector<float> sample(size_t(sampleRows) * size_t(dimension));
        for (qint64 s = 0; s < sampleRows; ++s) {
            const qint64 r = s * usable / sampleRows;
            std::copy(kept.begin() + r * dimension, kept.begin() + (r + 1) * dimension,
                sample.begin() + s * dimension);
        }
        impl->lists->train(faiss::Index::idx_t(sampleRows), sample.data());
        impl->lists->add_with_ids(faiss::Index::idx_t(usable), kept.data(), ids.data());
        impl->lists->nprobe = size_t(std::min<qint64>(impl->probes, qint64(impl->lists->nlist)));
        impl->probes = int(impl->lists->nprobe);
    } catch (const std::exception &e) {
        return Error{ ErrorCode::InternalError,
            QStringLiteral("the nearest-exemplar index could not be built: %1")
                .arg(QString::fromUtf8(e.what())) };
    }
    impl->method = Method::InvertedLists;
    return std::unique_ptr<NearestExemplarSearch>(new NearestExemplarSearch(std::move(impl)));
}

std::vector<std::vector<NearestMatch>> NearestExemplarSearch::Impl::exact(
    const float *queries, qint64 count, int k) const
{
    std::vector<std::vector<NearestMatch>> out(static_cast<size_t>(count));
    if (rows == 0 || k < 1)
        return out;
    const at::Tensor bank = at::from_blob(const_cast<float *>(vectors.data()), { rows, dimension },
        at::TensorOptions().dtype(at::kFloat));
    // Up to 64 queries at a time: the similarity block is [64, N] float32.
    constexpr qint64 kBlock = 64;
    for (qint64 first = 0; first < count; first += kBlock) {
        const qint64 n = std::min(kBlock, count - first);
        std::vector<float> block(queries + first * dimension, queries + (first + n) * dimension);
        normaliseRows(block.data(), n, dimension);
        const at::Tensor q = at::from_blob(block.data(), { n, dimension }, at::kFloat);
        const at::Tensor similarities = at::mm(q, bank.t()).contiguous(); // [n, N]
        const float *s = similarities.data_ptr<float>();
        for (qint64 i = 0; i < n; ++i) {
            // The k best so far, the worst on top: each row costs one comparison with it.
            std::priority_queue<NearestMatch, std::vector<NearestMatch>, decltype(&before)> best(
                before);
            const float *row = s + i * rows;
            for (qint64 r = 0; r < rows; ++r) {
                if (empty[size_t(r)])
                    continue;
                const NearestMatch candidate{ r, row[r] };
                if (int(best.size()) < k) {
                    best.push(candidate);
                } else if (before(candidate, best.top())) {
                    best.pop();
                    best.push(candidate);
                }
            }
            std::vector<NearestMatch> &list = out[size_t(first + i)];
            list.resize(best.size());
            for (size_t j = list.size(); j-- > 0;) {
                list[j] = best.top();
                best.pop();
            }
        }
    }
    return out;
}

std::vector<std::vector<NearestMatch>> NearestExemplarSearch::Impl::approximate(
    const float *queries, qint64 count, int k) const
{
    std::vector<std::vector<NearestMatch>> out(static_cast<size_t>(count));
    if (k < 1 || count == 0)
        return out;
    std::vector<float> normalised(queries, queries + count * dimension);
    normaliseRows(normalised.data(), count, dimension);
    std::vector<float> similarities(size_t(count) * size_t(k));
    std::vector<faiss::Index::idx_t> labels(size_t(count) * size_t(k));
    lists->search(faiss::Index::idx_t(count), normalised.data(), faiss::Index::idx_t(k),
        similarities.data(), labels.data());
    for (qint64 i = 0; i < count; ++i) {
        std::vector<NearestMatch> &list = out[size_t(i)];
        for (int j = 0; j < k; ++j) {
            const faiss::Index::idx_t label = labels[size_t(i * k + j)];
            if (label >= 0) // -1: fewer than k vectors in the lists visited
                list.push_back(NearestMatch{ qint64(label), similarities[size_t(i * k + j)] });
        }
        std::sort(list.begin(), list.end(), before);
    }
    return out;
}

std::vector<std::vector<NearestMatch>> NearestExemplarSearch::search(
    const float *queries, qint64 count, int k) const
{
    if (m_impl->method == NearestSearchConfig::Method::InvertedLists)
        return m_impl->approximate(queries, count, k);
    return m_impl->exact(queries, count, k);
}

NearestSearchConfig::Method NearestExemplarSearch::method() const
{
    return m_impl->method;
}

qint64 NearestExemplarSearch::size() const
{
    return m_impl->rows;
}

int NearestExemplarSearch::dimension() const
{
    return m_impl->dimension;
}

qint64 NearestExemplarSearch::memoryBytes() const
{
    const qint64 vectorBytes = qint64(m_impl->vectors.size() * sizeof(float));
    if (!m_impl->lists)
        return vectorBytes;
    // Inverted lists hold each vector and its 8-byte id; the quantiser its centres.
    return m_impl->rows * (qint64(m_impl->dimension) * qint64(sizeof(float)) + 8)
        + qint64(m_impl->lists->nlist) * m_impl->dimension * qint64(sizeof(float));
}

int NearestExemplarSearch::lists() const
{
    return m_impl->lists ? int(m_impl->lists->nlist) : 0;
}

int NearestExemplarSearch::probes() const
{
    return m_impl->probes;
}

} // namespace forgelens
