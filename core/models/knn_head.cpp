#include "forgelens/models/knn_head.h"

#include "head_buffer.h"

#include <torch/script.h>

#include <limits>

namespace forgelens {
namespace {

Error knnError(const QString &message)
{
    return Error{ ErrorCode::BadModel, message };
}

// Rows scaled to unit length; an all-zero row stays zero, as scikit-learn's normalize() leaves it.
at::Tensor unitRows(const at::Tensor &rows)
{
    const at::Tensor norms = rows.mul(rows).sum(1, true).sqrt();
    return rows.div(torch::where(norms == 0.0, torch::ones_like(norms), norms));
}

} // namespace

Result<KnnHead> KnnHead::fromModule(const torch::jit::Module &head)
{
    Result<at::Tensor> train = headBuffer(head, "train_embeddings", torch::kFloat64, 2);
    if (!train)
        return train.error();
    Result<at::Tensor> isFake = headBuffer(head, "train_is_fake", torch::kInt64, 1);
    if (!isFake)
        return isFake.error();
    Result<at::Tensor> labels = headBuffer(head, "train_labels", torch::kInt64, 1);
    if (!labels)
        return labels.error();
    Result<at::Tensor> k = headBuffer(head, "k", torch::kInt64, 0);
    if (!k)
        return k.error();
    return create(*train, *isFake, *labels, k->item<int64_t>());
}

Result<KnnHead> KnnHead::create(
    const at::Tensor &embeddings, const at::Tensor &isFake, const at::Tensor &labels, int64_t k)
{
    if (embeddings.dim() != 2 || embeddings.size(0) < 1 || embeddings.size(1) < 1)
        return knnError(QStringLiteral("a kNN head needs a [N, D] matrix of embeddings"));
    const int64_t rows = embeddings.size(0);
    if (isFake.dim() != 1 || isFake.size(0) != rows || labels.dim() != 1 || labels.size(0) != rows)
        return knnError(
            QStringLiteral("a kNN head needs one label and one fake flag per embedding"));
    if (k < 1 || k > rows)
        return knnError(
            QStringLiteral("a kNN head's k must lie between 1 and the %1 embeddings").arg(rows));
    KnnHead out;
    out.m_train = unitRows(embeddings.to(torch::kCPU, torch::kFloat64)).contiguous();
    out.m_isFake = isFake.to(torch::kCPU).ne(0).to(torch::kInt64).contiguous();
    out.m_labels = labels.to(torch::kCPU, torch::kInt64).contiguous();
    out.m_k = k;
    return out;
}

at::Tensor KnnHead::distances(const at::Tensor &queries) const
{
    const at::Tensor unit = unitRows(queries.to(torch::kCPU, torch::kFloat64));
    return torch::clamp(1.0 - unit.matmul(m_train.t()), 0.0, 2.0);
}

KnnHead::Search KnnHead::nearest(const at::Tensor &distances, int64_t count) const
{
    const auto [values, indices] = torch::topk(distances, std::min(count, size()), 1, false, true);
    return { values, indices };
}

at::Tensor KnnHead::nearestPerClass(const at::Tensor &all) const
{
    const at::Tensor fakeMask = m_isFake.eq(1).unsqueeze(0); // [1, N]
    const at::Tensor inf = torch::full_like(all, std::numeric_limits<double>::infinity());
    const at::Tensor nearestReal = torch::where(fakeMask, inf, all).amin(1);
    const at::Tensor nearestFake = torch::where(fakeMask, all, inf).amin(1);
    return torch::stack({ nearestReal, nearestFake }, 1);
}

at::Tensor KnnHead::probabilityFake(const at::Tensor &queries) const
{
    if (m_k == 1) {
        // Clamped as the TorchScript head does, so an exact match stays finite.
        const at::Tensor perClass = nearestPerClass(distances(queries)).clamp_min(1e-12);
        const at::Tensor logit = perClass.select(1, 0).log() - perClass.select(1, 1).log();
        return torch::sigmoid(logit);
    }
    const Search search = nearest(distances(queries), m_k);
    return m_isFake.index_select(0, search.indices.reshape(-1))
        .view(search.indices.sizes())
        .to(torch::kFloat64)
        .mean(1);
}

} // namespace forgelens
