// Head parity: scikit-learn heads fitted by tests/core/models/make_head_cases.py (Debian's
// python3-sklearn) and exported by the converter's own code must give, on held-out points, the
// same predictions as scikit-learn and its scores within 1e-5, both through the TorchScript
// head inside the module and through the C++ heads that read the same buffers.

#include "forgelens/models/knn_head.h"
#include "forgelens/models/linear_head.h"
#include "forgelens/models/model_head.h"
#include "forgelens/models/ocsvm_head.h"

#include <QTest>

#include <torch/script.h>

using namespace forgelens;

namespace {

constexpr double kTolerance = 1e-5;

torch::jit::Module loadCase(const char *name)
{
    const QByteArray dir = qgetenv("FORGELENS_HEAD_CASES");
    const std::string path = (dir + '/' + name + ".pt").toStdString();
    torch::jit::Module module = torch::jit::load(path);
    module.eval();
    return module;
}

at::Tensor buffer(const torch::jit::Module &module, const char *name)
{
    return module.attr(name).toTensor();
}

c10::Dict<c10::IValue, c10::IValue> runScripted(torch::jit::Module &module)
{
    torch::NoGradGuard noGrad;
    return module.forward({ buffer(module, "queries") }).toGenericDict();
}

at::Tensor output(const c10::Dict<c10::IValue, c10::IValue> &dict, const char *key)
{
    return dict.at(c10::IValue(std::string(key))).toTensor();
}

double maxAbsDifference(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Predictions that disagree with scikit-learn's: must be none.
int64_t mismatches(const at::Tensor &probabilityFake, const at::Tensor &expectedFake)
{
    return probabilityFake.ge(0.5).to(torch::kInt64).ne(expectedFake).sum().item<int64_t>();
}

} // namespace

class TestSklearnHeads : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void linearHeadMatchesScikitLearn();
    void knnHeadMatchesScikitLearn();
    void ocsvmHeadMatchesScikitLearn();
    void modelHeadReportsScoresPerImage();
    void refusesAHeadWhoseBuffersDoNotFit();
    void knnBankRefusesInconsistentData();
};

void TestSklearnHeads::initTestCase()
{
    QVERIFY2(!qgetenv("FORGELENS_HEAD_CASES").isEmpty(),
        "FORGELENS_HEAD_CASES must name the folder make_head_cases.py wrote");
}

void TestSklearnHeads::linearHeadMatchesScikitLearn()
{
    torch::jit::Module module = loadCase("linear");
    const at::Tensor queries = buffer(module, "queries");
    const at::Tensor expectedFake = buffer(module, "expected_fake");
    const at::Tensor expectedDecision = buffer(module, "expected_decision");
    const at::Tensor expectedProbability = buffer(module, "expected_probability");
    // Held-out points on both sides of the boundary, else "predict" proves little.
    QVERIFY(expectedFake.sum().item<int64_t>() > 30);
    QVERIFY(expectedFake.eq(0).sum().item<int64_t>() > 30);

    const auto dict = runScripted(module);
    const at::Tensor scriptedProbability = torch::sigmoid(output(dict, "logits").select(1, 0));
    QCOMPARE(mismatches(scriptedProbability, expectedFake), int64_t(0));
    QVERIFY(maxAbsDifference(scriptedProbability, expectedProbability) < kTolerance);
    QVERIFY(maxAbsDifference(output(dict, "decision"), expectedDecision) < kTolerance);

    Result<LinearHead> head = LinearHead::fromModule(module.attr("head").toModule());
    QVERIFY2(head.ok(), head ? "" : qPrintable(head.error().message));
    QCOMPARE(head->dimension(), queries.size(1));
    QCOMPARE(mismatches(head->probabilityFake(queries), expectedFake), int64_t(0));
    QVERIFY(maxAbsDifference(head->probabilityFake(queries), expectedProbability) < kTolerance);
    QVERIFY(maxAbsDifference(head->decision(queries), expectedDecision) < kTolerance);
}

void TestSklearnHeads::knnHeadMatchesScikitLearn()
{
    torch::jit::Module module = loadCase("knn");
    const at::Tensor queries = buffer(module, "queries");
    const at::Tensor expectedFake = buffer(module, "expected_fake");
    QVERIFY(expectedFake.sum().item<int64_t>() > 30);
    QVERIFY(expectedFake.eq(0).sum().item<int64_t>() > 30);

    const auto dict = runScripted(module);
    QVERIFY(torch::equal(output(dict, "neighbour_indices"), buffer(module, "expected_indices")));
    QVERIFY(
        maxAbsDifference(output(dict, "neighbour_distances"), buffer(module, "expected_distances"))
        < kTolerance);
    const at::Tensor scriptedProbability = torch::sigmoid(output(dict, "logits").select(1, 0));
    QCOMPARE(mismatches(scriptedProbability, expectedFake), int64_t(0));

    Result<KnnHead> head = KnnHead::fromModule(module.attr("head").toModule());
    QVERIFY2(head.ok(), head ? "" : qPrintable(head.error().message));
    QCOMPARE(head->k(), int64_t(1));
    const at::Tensor distances = head->distances(queries);
    const KnnHead::Search search = head->nearest(distances, 1);
    QVERIFY(torch::equal(search.indices, buffer(module, "expected_indices")));
    QVERIFY(maxAbsDifference(search.distances, buffer(module, "expected_distances")) < kTolerance);
    const at::Tensor perClass = head->nearestPerClass(distances);
    QVERIFY(maxAbsDifference(perClass.select(1, 0), buffer(module, "expected_nearest_real"))
        < kTolerance);
    QVERIFY(maxAbsDifference(perClass.select(1, 1), buffer(module, "expected_nearest_fake"))
        < kTolerance);
    const at::Tensor probability = head->probabilityFake(queries);
    QCOMPARE(mismatches(probability, expectedFake), int64_t(0));
    // The score is d_real / (d_real + d_fake), the same in C++ as inside the module.
    const at::Tensor expectedScore = buffer(module, "expected_nearest_real")
        / (buffer(module, "expected_nearest_real") + buffer(module, "expected_nearest_fake"));
    QVERIFY(maxAbsDifference(probability, expectedScore) < kTolerance);
    QVERIFY(maxAbsDifference(scriptedProbability, probability) < kTolerance);
}

void TestSklearnHeads::ocsvmHeadMatchesScikitLearn()
{
    torch::jit::Module module = loadCase("ocsvm");
    const at::Tensor queries = buffer(module, "queries");
    const at::Tensor expectedFake = buffer(module, "expected_fake");
    const at::Tensor expectedDecision = buffer(module, "expected_decision");
    QVERIFY(expectedFake.sum().item<int64_t>() > 10);
    QVERIFY(expectedFake.eq(0).sum().item<int64_t>() > 10);

    const auto dict = runScripted(module);
    QVERIFY(maxAbsDifference(output(dict, "decision"), expectedDecision) < kTolerance);
    // logits = -decision: sigmoid >= 0.5 exactly where scikit-learn predicts -1 (outlier).
    QCOMPARE(mismatches(torch::sigmoid(output(dict, "logits").select(1, 0).to(torch::kFloat64)),
                 expectedFake),
        int64_t(0));

    Result<OcsvmHead> head = OcsvmHead::fromModule(module.attr("head").toModule());
    QVERIFY2(head.ok(), head ? "" : qPrintable(head.error().message));
    const at::Tensor decision = head->decision(queries);
    QVERIFY(maxAbsDifference(decision, expectedDecision) < kTolerance);
    QCOMPARE(decision.le(0.0).to(torch::kInt64).ne(expectedFake).sum().item<int64_t>(), int64_t(0));
}

void TestSklearnHeads::modelHeadReportsScoresPerImage()
{
    torch::jit::Module knnCase = loadCase("knn");
    Result<ModelHead> knn = ModelHead::fromBundle(knnCase, ModelManifest::Head::Knn);
    QVERIFY2(knn.ok(), knn ? "" : qPrintable(knn.error().message));
    const at::Tensor queries = buffer(knnCase, "queries").slice(0, 0, 4);
    const std::vector<HeadScores> scores = knn->score(queries);
    QCOMPARE(scores.size(), size_t(4));
    for (size_t i = 0; i < scores.size(); ++i) {
        const HeadScores &s = scores[i];
        QCOMPARE(s.kind, HeadScores::Kind::Knn);
        QCOMPARE(s.neighbours.size(), size_t(1));
        QCOMPARE(s.neighbours[0].index,
            buffer(knnCase, "expected_indices")[int64_t(i)][0].item<int64_t>());
        QVERIFY(s.nearestRealDistance && s.nearestFakeDistance);
        // The nearest neighbour is the nearer of the two class minima, and carries its class.
        QVERIFY(qAbs(s.neighbours[0].distance
                    - std::min(*s.nearestRealDistance, *s.nearestFakeDistance))
            < 1e-12);
        QCOMPARE(s.neighbours[0].fake, *s.nearestFakeDistance < *s.nearestRealDistance);
        QCOMPARE(s.neighbours[0].label, s.neighbours[0].fake ? int64_t(1) : int64_t(0));
    }

    torch::jit::Module ocsvmCase = loadCase("ocsvm");
    Result<ModelHead> ocsvm = ModelHead::fromBundle(ocsvmCase, ModelManifest::Head::Ocsvm);
    QVERIFY(ocsvm.ok());
    const std::vector<HeadScores> decisions = ocsvm->score(buffer(ocsvmCase, "queries"));
    QCOMPARE(decisions.size(), size_t(buffer(ocsvmCase, "queries").size(0)));
    QVERIFY(qAbs(*decisions[7].decision - buffer(ocsvmCase, "expected_decision")[7].item<double>())
        < kTolerance);

    Result<ModelHead> none = ModelHead::fromBundle(ocsvmCase, ModelManifest::Head::None);
    QVERIFY(none.ok() && none->isNone());
}

void TestSklearnHeads::refusesAHeadWhoseBuffersDoNotFit()
{
    // A manifest that names the wrong head must not load: the buffers say what the head is.
    torch::jit::Module linearCase = loadCase("linear");
    Result<ModelHead> wrong = ModelHead::fromBundle(linearCase, ModelManifest::Head::Knn);
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().codeName(), QStringLiteral("bad-model"));
    QVERIFY2(wrong.error().message.contains(QStringLiteral("train_embeddings")),
        qPrintable(wrong.error().message));

    // A module without a `head` submodule.
    torch::jit::Module headless = linearCase.attr("head").toModule();
    Result<ModelHead> missing = ModelHead::fromBundle(headless, ModelManifest::Head::Linear);
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().message.contains(QStringLiteral("no \"head\" submodule")));
}

void TestSklearnHeads::knnBankRefusesInconsistentData()
{
    const at::Tensor bank = torch::randn({ 5, 8 }, torch::kFloat64);
    const at::Tensor flags = torch::tensor({ 0, 1, 0, 1, 1 }, torch::kInt64);
    QVERIFY(KnnHead::create(bank, flags, flags, 3).ok());
    QVERIFY(!KnnHead::create(bank, flags.slice(0, 0, 4), flags, 1).ok());
    QVERIFY(!KnnHead::create(bank, flags, flags, 0).ok());
    QVERIFY(!KnnHead::create(bank, flags, flags, 6).ok());
    QVERIFY(!KnnHead::create(bank.view({ 40 }), flags, flags, 1).ok());

    // k = 3 votes: a query equal to row 1 has neighbours 1 (fake) and two others.
    Result<KnnHead> head = KnnHead::create(bank, flags, flags, 3);
    const at::Tensor query = bank.slice(0, 1, 2) * 4.0; // the cosine distance ignores scale
    const KnnHead::Search search = head->nearest(head->distances(query), 3);
    QCOMPARE(search.indices[0][0].item<int64_t>(), int64_t(1));
    QVERIFY(search.distances[0][0].item<double>() < 1e-12);
    const double votes = flags.index_select(0, search.indices[0]).sum().item<double>();
    QVERIFY(qAbs(head->probabilityFake(query)[0].item<double>() - votes / 3.0) < 1e-12);
}

QTEST_GUILESS_MAIN(TestSklearnHeads)
#include "tst_sklearn_heads.moc"
