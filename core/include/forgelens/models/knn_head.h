#pragma once

#include "forgelens/result.h"

#include <ATen/core/Tensor.h>

namespace torch::jit {
struct Module;
}

namespace forgelens {

// k nearest neighbours under cosine distance (scikit-learn's KNeighborsClassifier with
// metric="cosine" and uniform weights), in float64. Its tensors are the buffers of a bundle's
// `head` submodule (models/convert/sklearn_heads.py): train_embeddings [N, D] f64 with rows of
// unit length, train_is_fake [N] i64, train_labels [N] i64, k [] i64. The same search serves an
// analyst's own exemplar bank through create().
class KnnHead {
public:
    struct Search {
        at::Tensor distances; // [Q, k] f64, ascending
        at::Tensor indices; // [Q, k] i64, rows of the training matrix
    };

    static Result<KnnHead> fromModule(const torch::jit::Module &head);
    // embeddings [N, D] (normalised here), isFake [N] (nonzero = fake), labels [N], k >= 1.
    static Result<KnnHead> create(const at::Tensor &embeddings, const at::Tensor &isFake,
        const at::Tensor &labels, int64_t k);

    int64_t dimension() const { return m_train.size(1); }
    int64_t size() const { return m_train.size(0); }
    int64_t k() const { return m_k; }
    const at::Tensor &isFake() const { return m_isFake; } // [N] i64
    const at::Tensor &labels() const { return m_labels; } // [N] i64

    // queries [Q, D] -> [Q, N] f64 cosine distances, clipped to [0, 2] as scikit-learn does.
    // The searches below take this matrix, so one query's distances are computed once.
    at::Tensor distances(const at::Tensor &queries) const;
    // distances [Q, N] -> the `count` nearest training rows of each query (count <= size()).
    Search nearest(const at::Tensor &distances, int64_t count) const;
    // [Q, D] -> [Q] f64. k = 1: d_real / (d_real + d_fake) from the nearest real and nearest
    // fake row, >= 0.5 exactly when the nearest row is fake; k > 1: the share of fake rows
    // among the k nearest (predict_proba).
    at::Tensor probabilityFake(const at::Tensor &queries) const;
    // distances [Q, N] -> [Q, 2] f64: the distance to the nearest real row and to the nearest
    // fake row (infinite when the training matrix has no row of that class).
    at::Tensor nearestPerClass(const at::Tensor &distances) const;

private:
    at::Tensor m_train; // [N, D] f64, unit rows
    at::Tensor m_isFake; // [N] i64, 0 or 1
    at::Tensor m_labels; // [N] i64
    int64_t m_k = 1;
};

} // namespace forgelens
