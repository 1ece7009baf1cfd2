#include "forgelens/models/model_head.h"

#include <torch/script.h>

#include <cmath>

namespace forgelens {
namespace {

template <typename Head> Result<ModelHead> wrap(Result<Head> head)
{
    if (!head)
        return head.error();
    return std::move(head).value();
}

} // namespace

Result<ModelHead> ModelHead::fromBundle(const torch::jit::Module &module, ModelManifest::Head kind)
{
    ModelHead out;
    if (kind == ModelManifest::Head::None)
        return out;
    if (!module.hasattr("head") || !module.attr("head").isModule())
        return Error{ ErrorCode::BadModel,
            QStringLiteral("the manifest names a head but the module has no \"head\" submodule") };
    const torch::jit::Module head = module.attr("head").toModule();
    switch (kind) {
    case ModelManifest::Head::Linear: {
        Result<LinearHead> linear = LinearHead::fromModule(head);
        if (!linear)
            return linear.error();
        out.m_head = std::move(linear).value();
        break;
    }
    case ModelManifest::Head::Knn: {
        Result<KnnHead> knn = KnnHead::fromModule(head);
        if (!knn)
            return knn.error();
        out.m_head = std::move(knn).value();
        break;
    }
    case ModelManifest::Head::Ocsvm: {
        Result<OcsvmHead> ocsvm = OcsvmHead::fromModule(head);
        if (!ocsvm)
            return ocsvm.error();
        out.m_head = std::move(ocsvm).value();
        break;
    }
    case ModelManifest::Head::None: break;
    }
    return out;
}

std::vector<HeadScores> ModelHead::score(const at::Tensor &embeddings) const
{
    const int64_t rows = embeddings.size(0);
    std::vector<HeadScores> out(static_cast<size_t>(rows));
    if (const auto *linear = std::get_if<LinearHead>(&m_head)) {
        // Reported as the log-odds of "fake", whichever class scikit-learn put second.
        const at::Tensor decision = linear->decision(embeddings).mul(linear->fakeSign());
        for (int64_t i = 0; i < rows; ++i)
            out[size_t(i)] = { HeadScores::Kind::Linear, decision[i].item<double>(), {}, {}, {} };
    } else if (const auto *ocsvm = std::get_if<OcsvmHead>(&m_head)) {
        const at::Tensor decision = ocsvm->decision(embeddings);
        for (int64_t i = 0; i < rows; ++i)
            out[size_t(i)] = { HeadScores::Kind::Ocsvm, decision[i].item<double>(), {}, {}, {} };
    } else if (const auto *knn = std::get_if<KnnHead>(&m_head)) {
        const at::Tensor distances = knn->distances(embeddings); // [N, training rows]
        const KnnHead::Search search = knn->nearest(distances, knn->k());
        const at::Tensor perClass = knn->nearestPerClass(distances);
        for (int64_t i = 0; i < rows; ++i) {
            HeadScores &scores = out[size_t(i)];
            scores.kind = HeadScores::Kind::Knn;
            for (int64_t j = 0; j < search.indices.size(1); ++j) {
                const int64_t index = search.indices[i][j].item<int64_t>();
                scores.neighbours.push_back({ search.distances[i][j].item<double>(), index,
                    knn->labels()[index].item<int64_t>(),
                    knn->isFake()[index].item<int64_t>() != 0 });
            }
            // A class the training matrix lacks leaves its distance infinite: not reported.
            const double real = perClass[i][0].item<double>();
            const double fake = perClass[i][1].item<double>();
            if (std::isfinite(real))
                scores.nearestRealDistance = real;
            if (std::isfinite(fake))
                scores.nearestFakeDistance = fake;
        }
    }
    return out;
}

} // namespace forgelens
