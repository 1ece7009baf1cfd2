#pragma once

#include "forgelens/result.h"

#include <QString>

#include <memory>
#include <vector>

namespace forgelens {

// One exemplar near a query: its row in the embeddings the search was built from, and the
// cosine similarity of the two (1 = same direction).
struct NearestMatch {
    qint64 row = 0;
    float similarity = 0.0f;
};

struct NearestSearchConfig {
    enum class Method {
        Auto, // exact up to exactUpTo rows, inverted lists above
        Exact, // every row compared (LibTorch matrix product): the reference
        InvertedLists, // FAISS IndexIVFFlat on inner products: approximate, recall measured
    };
    Method method = Method::Auto;
    qint64 exactUpTo = 100'000;
    int lists = 0; // inverted lists; 0 = chosen from the row count (about sqrt(N), 16..1024)
    int probes = 0; // lists visited per query; 0 = chosen (an eighth of the lists, at least 16)

    QString validate() const; // empty when usable
};

// k-nearest search by cosine similarity over one bank's embeddings. Built once, searched from
// any number of threads at once. Exact search gives, for each query, the k rows of highest
// similarity, most similar first, ties by lower row: the neighbours scikit-learn's
// NearestNeighbors(metric="cosine", algorithm="brute") finds, in the same order where the
// similarities differ by more than float32 rounding.
class NearestExemplarSearch {
public:
    // `vectors` [N, D] row-major float32 (normalised here; a zero row never comes out as a
    // neighbour), taken over. Error codes: bad-settings, internal-error (FAISS refused).
    static Result<std::unique_ptr<NearestExemplarSearch>> build(
        std::vector<float> vectors, int dimension, const NearestSearchConfig &config = {});
    ~NearestExemplarSearch();
    NearestExemplarSearch(const NearestExemplarSearch &) = delete;
    NearestExemplarSearch &operator=(const NearestExemplarSearch &) = delete;

    // `queries` [Q, D] row-major float32 (normalised here) -> Q lists of min(k, N) neighbours.
    std::vector<std::vector<NearestMatch>> search(const float *queries, qint64 count, int k) const;

    NearestSearchConfig::Method method() const; // Exact or InvertedLists
    qint64 size() const; // N
    int dimension() const; // D
    qint64 memoryBytes() const; // what the search holds (vectors, lists)
    int lists() const; // 0 for exact search
    int probes() const;

private:
    struct Impl;
    explicit NearestExemplarSearch(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace forgelens
