#include "forgelens/exemplars/nearest_exemplars.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <random>
#include <set>

using namespace forgelens;

namespace {

std::vector<float> floats(const QJsonArray &values)
{
    std::vector<float> out;
    out.reserve(size_t(values.size()));
    for (const QJsonValue &v : values)
        out.push_back(float(v.toDouble()));
    return out;
}

// Unit vectors in `clusters` groups: what a detector's embeddings of real and generated images
// look like to a search (the 1M-query benchmark uses the same construction).
std::vector<float> clusteredUnitVectors(qint64 rows, int dimension, int clusters, unsigned seed)
{
    std::mt19937 random(seed);
    std::normal_distribution<float> normal;
    std::vector<float> centres(size_t(clusters) * size_t(dimension));
    for (float &v : centres)
        v = normal(random);
    std::vector<float> out(size_t(rows) * size_t(dimension));
    std::uniform_int_distribution<int> pick(0, clusters - 1);
    for (qint64 r = 0; r < rows; ++r) {
        const int c = pick(random);
        for (int i = 0; i < dimension; ++i)
            out[size_t(r * dimension + i)]
                = centres[size_t(c * dimension + i)] + 0.5f * normal(random);
    }
    return out;
}

} // namespace

class TestNearestExemplars : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exactSearchFindsScikitLearnsNeighbours_data();
    void exactSearchFindsScikitLearnsNeighbours();
    void tiesGoToTheLowerRowAndZeroRowsAreNeverNeighbours();
    void invertedListsRecallTheExactNeighbours();
    void badInputIsRefused();

private:
    QJsonArray m_cases;
};

void TestNearestExemplars::exactSearchFindsScikitLearnsNeighbours_data()
{
    const QString folder = qEnvironmentVariable("FORGELENS_KNN_CASES");
    QFile file(folder + QStringLiteral("/knn-cases.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), "run the make_knn_cases test first");
    m_cases
        = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("cases")).toArray();
    QVERIFY(m_cases.size() >= 4);
    QTest::addColumn<int>("index");
    for (int i = 0; i < m_cases.size(); ++i)
        QTest::newRow(qPrintable(m_cases[i].toObject().value(QStringLiteral("name")).toString()))
            << i;
}

// scikit-learn's NearestNeighbors(metric="cosine", algorithm="brute") in float64 is the
// reference: the same neighbours, distances within float32 rounding, and the same order wherever
// two distances differ by more than that rounding.
void TestNearestExemplars::exactSearchFindsScikitLearnsNeighbours()
{
    QFETCH(int, index);
    const QJsonObject entry = m_cases[index].toObject();
    const int dimension = entry.value(QStringLiteral("dimension")).toInt();
    const int k = entry.value(QStringLiteral("k")).toInt();
    std::vector<float> vectors = floats(entry.value(QStringLiteral("vectors")).toArray());
    const std::vector<float> queries = floats(entry.value(QStringLiteral("queries")).toArray());
    const qint64 rows = qint64(vectors.size()) / dimension;
    NearestSearchConfig config;
    config.method = NearestSearchConfig::Method::Exact;
    Result<std::unique_ptr<NearestExemplarSearch>> search
        = NearestExemplarSearch::build(std::move(vectors), dimension, config);
    QVERIFY(search.ok());
    QCOMPARE((*search)->size(), rows);
    const qint64 count = qint64(queries.size()) / dimension;
    const auto found = (*search)->search(queries.data(), count, k);
    QCOMPARE(qint64(found.size()), count);

    const QJsonArray indices = entry.value(QStringLiteral("indices")).toArray();
    const QJsonArray distances = entry.value(QStringLiteral("distances")).toArray();
    const QJsonArray next = entry.value(QStringLiteral("next")).toArray();
    constexpr double kRounding = 1e-5; // float32 cosine against float64
    for (qint64 q = 0; q < count; ++q) {
        const QJsonArray expected = indices[q].toArray();
        const QJsonArray expectedDistances = distances[q].toArray();
        QCOMPARE(qsizetype(found[size_t(q)].size()), expected.size());
        std::set<qint64> expectedSet, foundSet;
        for (int j = 0; j < expected.size(); ++j) {
            const NearestMatch &n = found[size_t(q)][size_t(j)];
            QVERIFY(std::abs((1.0 - n.similarity) - expectedDistances[j].toDouble()) < kRounding);
            const bool separated
                = (j == 0
                      || expectedDistances[j].toDouble() - expectedDistances[j - 1].toDouble()
                          > kRounding)
                && (j + 1 == expected.size()
                    || expectedDistances[j + 1].toDouble() - expectedDistances[j].toDouble()
                        > kRounding);
            if (separated)
                QCOMPARE(n.row, qint64(expected[j].toInt()));
            expectedSet.insert(expected[j].toInt());
            foundSet.insert(n.row);
        }
        // The set is the same unless the k-th and (k+1)-th are within rounding of each other.
        const bool boundaryClear = next[q].isNull()
            || next[q].toDouble() - expectedDistances.last().toDouble() > kRounding;
        if (boundaryClear)
            QVERIFY(expectedSet == foundSet);
    }
}

void TestNearestExemplars::tiesGoToTheLowerRowAndZeroRowsAreNeverNeighbours()
{
    // Rows 1 and 3 point the same way as the query (3 is longer), row 2 is zero, row 0 opposite.
    std::vector<float> vectors{ -1, 0, 1, 0, 0, 0, 5, 0, 0, 1 };
    Result<std::unique_ptr<NearestExemplarSearch>> search
        = NearestExemplarSearch::build(std::move(vectors), 2);
    QVERIFY(search.ok());
    const float query[] = { 2, 0 };
    const auto found = (*search)->search(query, 1, 10);
    QCOMPARE(found.size(), size_t(1));
    QCOMPARE(found[0].size(), size_t(4)); // the zero row is left out
    QCOMPARE(found[0][0].row, qint64(1));
    QCOMPARE(found[0][1].row, qint64(3));
    QCOMPARE(found[0][0].similarity, 1.0f);
    QCOMPARE(found[0][2].row, qint64(4));
    QCOMPARE(found[0][3].row, qint64(0));
    QCOMPARE(found[0][3].similarity, -1.0f);
}

// The approximate search on 20,000 clustered vectors against the exact one: recall@10 (the
// share of the exact ten found) must be at least 0.95, as the benchmark asks at 1M.
void TestNearestExemplars::invertedListsRecallTheExactNeighbours()
{
    constexpr int kDimension = 64;
    constexpr qint64 kRows = 20'000;
    constexpr int kQueries = 100;
    std::vector<float> vectors = clusteredUnitVectors(kRows, kDimension, 50, 7);
    const std::vector<float> queries = clusteredUnitVectors(kQueries, kDimension, 50, 7 + 1);
    NearestSearchConfig exactConfig;
    exactConfig.method = NearestSearchConfig::Method::Exact;
    auto exact = NearestExemplarSearch::build(vectors, kDimension, exactConfig);
    NearestSearchConfig listsConfig;
    listsConfig.method = NearestSearchConfig::Method::InvertedLists;
    auto lists = NearestExemplarSearch::build(std::move(vectors), kDimension, listsConfig);
    QVERIFY(exact.ok() && lists.ok());
    QCOMPARE((*lists)->method(), NearestSearchConfig::Method::InvertedLists);
    QVERIFY((*lists)->lists() > 0);
    const auto truth = (*exact)->search(queries.data(), kQueries, 10);
    const auto found = (*lists)->search(queries.data(), kQueries, 10);
    qint64 hits = 0;
    for (int q = 0; q < kQueries; ++q) {
        std::set<qint64> expected;
        for (const NearestMatch &n : truth[size_t(q)])
            expected.insert(n.row);
        for (const NearestMatch &n : found[size_t(q)])
            hits += expected.contains(n.row);
        for (size_t j = 1; j < found[size_t(q)].size(); ++j)
            QVERIFY(found[size_t(q)][j - 1].similarity >= found[size_t(q)][j].similarity);
    }
    const double recall = double(hits) / (kQueries * 10);
    QVERIFY2(recall >= 0.95, qPrintable(QStringLiteral("recall@10 %1").arg(recall)));
}

void TestNearestExemplars::badInputIsRefused()
{
    QCOMPARE(NearestExemplarSearch::build({ 1, 2, 3 }, 2).error().code, ErrorCode::BadSettings);
    QCOMPARE(NearestExemplarSearch::build({ 1, 2 }, 0).error().code, ErrorCode::BadSettings);
    NearestSearchConfig config;
    config.lists = -1;
    QCOMPARE(
        NearestExemplarSearch::build({ 1, 2 }, 2, config).error().code, ErrorCode::BadSettings);
    // An empty bank answers every query with nothing.
    auto empty = NearestExemplarSearch::build({}, 4);
    QVERIFY(empty.ok());
    const float query[] = { 1, 0, 0, 0 };
    QVERIFY((*empty)->search(query, 1, 5)[0].empty());
}

QTEST_GUILESS_MAIN(TestNearestExemplars)
#include "tst_nearest_exemplars.moc"
