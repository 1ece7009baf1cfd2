#include "forgelens/exemplars/attached_bank.h"

#include <algorithm>

namespace forgelens {

QString ExemplarNeighbourhood::shareText() const
{
    return QStringLiteral("%1 of the %2 nearest exemplars are synthetic: where the image lies "
                          "among the bank's exemplars, not a probability that it is synthetic")
        .arg(syntheticCount)
        .arg(neighbours.size());
}

Result<std::vector<std::shared_ptr<const AttachedBank>>> AttachedBank::attachToDetectors(
    const QStringList &bankPaths, const std::vector<std::shared_ptr<const ModelInfo>> &detectors)
{
    std::vector<std::shared_ptr<const AttachedBank>> banks(detectors.size());
    for (const QString &bankPath : bankPaths) {
        std::optional<Error> refusal;
        bool attached = false;
        for (size_t d = 0; d < detectors.size() && !attached; ++d) {
            Result<std::shared_ptr<const AttachedBank>> bank = open(bankPath, *detectors[d]);
            if (bank) {
                banks[d] = std::move(bank).value();
                attached = true;
            } else if (bank.error().code != ErrorCode::BankMismatch || !refusal) {
                refusal = bank.error();
            }
        }
        if (!attached) {
            Error error = refusal.value_or(
                Error{ ErrorCode::BadSettings, QStringLiteral("no detector is loaded") });
            error.message = QStringLiteral("%1: %2").arg(bankPath, error.message);
            return error;
        }
    }
    return banks;
}

AttachedBank::~AttachedBank() = default;

Result<std::shared_ptr<const AttachedBank>> AttachedBank::open(
    const QString &path, const ModelInfo &detector, const NearestSearchConfig &search)
{
    if (!detector.manifest.hasEmbedding)
        return Error{ ErrorCode::NoEmbedding,
            QStringLiteral("%1 exports no embedding, so no bank can describe its images")
                .arg(detector.manifest.id) };
    Result<std::unique_ptr<ExemplarBank>> bank = ExemplarBank::open(path);
    if (!bank)
        return bank.error();
    const int dimension = (*bank)->identity().dimension;
    if (std::optional<Error> mismatch = (*bank)->checkBundle(detector.bundleSha256, dimension))
        return *mismatch;
    Result<BankInfo> info = (*bank)->info();
    if (!info)
        return info.error();
    Result<BankEmbeddings> embeddings = (*bank)->embeddings();
    if (!embeddings)
        return embeddings.error();

    std::shared_ptr<AttachedBank> attached(new AttachedBank());
    attached->m_path = path;
    attached->m_info = std::move(info).value();
    attached->m_ids = embeddings->ids;
    attached->m_rowSynthetic = embeddings->synthetic;
    const size_t d = size_t(dimension);
    std::vector<float> synthetic;
    std::vector<float> real;
    for (size_t row = 0; row < embeddings->ids.size(); ++row) {
        const float *v = embeddings->vectors.data() + row * d;
        std::vector<float> &into = embeddings->synthetic[row] ? synthetic : real;
        into.insert(into.end(), v, v + d);
    }
    attached->m_syntheticCount = qint64(synthetic.size() / d);
    attached->m_realCount = qint64(real.size() / d);
    const auto build = [&](std::vector<float> vectors,
                           std::unique_ptr<NearestExemplarSearch> &into) -> std::optional<Error> {
        if (vectors.empty())
            return std::nullopt;
        Result<std::unique_ptr<NearestExemplarSearch>> built
            = NearestExemplarSearch::build(std::move(vectors), dimension, search);
        if (!built)
            return built.error();
        into = std::move(built).value();
        return std::nullopt;
    };
    if (std::optional<Error> e = build(std::move(synthetic), attached->m_synthetic))
        return *e;
    if (std::optional<Error> e = build(std::move(real), attached->m_real))
        return *e;
    if (std::optional<Error> e = build(std::move(embeddings->vectors), attached->m_all))
        return *e;
    attached->m_bank = std::move(bank).value();
    return std::shared_ptr<const AttachedBank>(std::move(attached));
}

Result<ExemplarNeighbourhood> AttachedBank::nearest(
    const std::vector<float> &embedding, int k) const
{
    if (int(embedding.size()) != m_info.identity.dimension)
        return Error{ ErrorCode::NoEmbedding,
            QStringLiteral("the detector gave no embedding of the bank's size (%1)")
                .arg(m_info.identity.dimension) };
    ExemplarNeighbourhood hood;
    if (!m_all || k < 1)
        return hood;
    const std::vector<NearestMatch> matches = m_all->search(embedding.data(), 1, k).front();
    for (size_t rank = 0; rank < matches.size(); ++rank) {
        const size_t row = size_t(matches[rank].row);
        Result<Exemplar> exemplar = this->exemplar(m_ids.at(row));
        if (!exemplar)
            return exemplar.error();
        hood.syntheticCount += m_rowSynthetic.at(row) ? 1 : 0;
        hood.neighbours.push_back(ExemplarNeighbour{
            int(rank + 1), matches[rank].similarity, std::move(exemplar).value() });
    }
    return hood;
}

ClassSimilarity AttachedBank::classSimilarity(const float *queries, qint64 count, int k) const
{
    const auto meanOfNearest = [&](const std::unique_ptr<NearestExemplarSearch> &search) {
        std::vector<float> out;
        if (!search || count < 1 || k < 1)
            return out;
        const std::vector<std::vector<NearestMatch>> found = search->search(queries, count, k);
        out.reserve(found.size());
        for (const std::vector<NearestMatch> &matches : found) {
            double sum = 0.0;
            for (const NearestMatch &m : matches)
                sum += m.similarity;
            out.push_back(matches.empty() ? 0.0f : float(sum / double(matches.size())));
        }
        return out;
    };
    return ClassSimilarity{ meanOfNearest(m_synthetic), meanOfNearest(m_real) };
}

Result<Exemplar> AttachedBank::exemplar(qint64 id) const
{
    std::lock_guard lock(m_bankMutex);
    return m_bank->exemplar(id);
}

} // namespace forgelens
