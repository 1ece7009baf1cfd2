#pragma once

#include "forgelens/exemplars/exemplar_bank.h"
#include "forgelens/exemplars/nearest_exemplars.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/result.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <mutex>
#include <vector>

namespace forgelens {

// One exemplar near an image, with its thumbnail and provenance.
struct ExemplarNeighbour {
    int rank = 0; // 1 = nearest
    float similarity = 0.0f; // cosine similarity of the two embeddings
    Exemplar exemplar;
};

// The k nearest exemplars of one image, and how many of them are synthetic: a description of
// where the image lies among the bank's exemplars, never a probability that it is synthetic.
struct ExemplarNeighbourhood {
    std::vector<ExemplarNeighbour> neighbours; // nearest first
    int syntheticCount = 0;
    QString shareText() const; // "3 of the 10 nearest exemplars are synthetic (not a probability)"
};

// Each query row's similarity to one class of exemplars: the mean cosine similarity of its k
// most similar exemplars of that class. Empty when the bank holds none of the class.
struct ClassSimilarity {
    std::vector<float> synthetic; // [Q]
    std::vector<float> real; // [Q]
};

// A bank opened for one loaded detector: checked against its bundle (a bank of another bundle
// is refused), its embeddings in memory, searchable over all exemplars and per class. Opened
// once, then read from any thread (the bank file is read under a lock).
class AttachedBank {
public:
    // Error codes: those of ExemplarBank::open, bank-mismatch, no-embedding (the detector has
    // none), internal-error (the search could not be built).
    static Result<std::shared_ptr<const AttachedBank>> open(
        const QString &path, const ModelInfo &detector, const NearestSearchConfig &search = {});
    // Each of `bankPaths` attached to the detector whose bundle made it (the first that accepts
    // it), as `forgelens-cli explain` and `report` take --bank: one entry per detector of
    // `detectors`, null where no bank was given. A bank that fits none is an error naming it,
    // with the reason of the detector that came closest (a mismatch only when nothing else).
    static Result<std::vector<std::shared_ptr<const AttachedBank>>> attachToDetectors(
        const QStringList &bankPaths,
        const std::vector<std::shared_ptr<const ModelInfo>> &detectors);
    ~AttachedBank();

    const QString &path() const { return m_path; }
    const BankInfo &info() const { return m_info; }
    qint64 syntheticCount() const { return m_syntheticCount; }
    qint64 realCount() const { return m_realCount; }

    // `embedding` [D]: the k nearest exemplars, read with their thumbnails. Error codes:
    // no-embedding (wrong size), bad-bank.
    Result<ExemplarNeighbourhood> nearest(const std::vector<float> &embedding, int k) const;
    // `queries` [count, D] row-major float32 (normalised here).
    ClassSimilarity classSimilarity(const float *queries, qint64 count, int k) const;
    // One exemplar by its id (thumbnail included). Error codes: bad-bank, not-found.
    Result<Exemplar> exemplar(qint64 id) const;

private:
    AttachedBank() = default;
    QString m_path;
    BankInfo m_info;
    std::unique_ptr<ExemplarBank> m_bank;
    mutable std::mutex m_bankMutex; // SQLite's connection is used by one thread at a time
    std::vector<qint64> m_ids; // search row -> exemplar id
    std::vector<bool> m_rowSynthetic; // search row -> label
    std::unique_ptr<NearestExemplarSearch> m_all;
    std::unique_ptr<NearestExemplarSearch> m_synthetic;
    std::unique_ptr<NearestExemplarSearch> m_real;
    qint64 m_syntheticCount = 0;
    qint64 m_realCount = 0;
};

} // namespace forgelens
