#include "forgelens/inference/engine.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/inference/usable_cores.h"
#include "test_model_factory.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <torch/torch.h>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

at::Tensor randomInput(int64_t n, uint64_t seed)
{
    torch::manual_seed(seed);
    return torch::randn({ n, 3, 64, 64 });
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void binaryVerdictFollowsTheSigmoidOfTheLogit();
    void batchedResultsEqualSingleResults();
    void tilesAreAveraged();
    void twoLogitBinaryUsesSoftmax();
    void multiclassSumsTheFakeClasses();
    void logitsThatDoNotFitTheClassesAreRefused();
    void outputsOutsideTheContractAreRefused();
    void aScriptedRaiseBecomesAnErrorValue();
    void nonFiniteScoresAreRefused();
    void labelFollowsTheManifestThreshold();
    void usesTheCoresTheProcessMayUse();
    void workerAnswersConcurrentSubmissions();

private:
    QString bundle(const char *name, torch::jit::Module module, const QJsonObject &overrides = {});
    QTemporaryDir m_dir;
    QString m_binary;
};

QString TestEngine::bundle(
    const char *name, torch::jit::Module module, const QJsonObject &overrides)
{
    const QString path = m_dir.filePath(QLatin1String(name));
    return saveTestBundle(path, std::move(module), testManifest(overrides)) ? path : QString();
}

void TestEngine::initTestCase()
{
    m_binary = bundle("binary.pt", makeTestModule(1));
    QVERIFY(!m_binary.isEmpty());
}

void TestEngine::binaryVerdictFollowsTheSigmoidOfTheLogit()
{
    Result<std::unique_ptr<Engine>> engine = Engine::load(m_binary, {});
    QVERIFY2(engine.ok(), qPrintable(engine.ok() ? QString() : engine.error().message));
    QCOMPARE((*engine)->info().device, QStringLiteral("cpu"));
    QVERIFY((*engine)->info().warmUpMillis > 0.0);

    const at::Tensor input = randomInput(1, 7);
    const Result<std::vector<Prediction>> predictions = (*engine)->predict({ input });
    QVERIFY(predictions.ok());
    const Prediction &p = predictions->at(0);

    // The same module, run by hand: P(fake) is the sigmoid of its one logit.
    torch::jit::Module reference = makeTestModule(1);
    const auto output = reference.forward({ input }).toGenericDict();
    const float logit = output.at(std::string("logits")).toTensor().item<float>();
    const float expected = 1.0f / (1.0f + std::exp(-logit));
    QVERIFY(std::abs(p.pSynthetic - expected) < 1e-6f);
    QCOMPARE(p.classProbabilities.size(), size_t(2));
    QVERIFY(std::abs(p.classProbabilities[0] + p.classProbabilities[1] - 1.0f) < 1e-6f);
    QCOMPARE(p.classProbabilities[1], p.pSynthetic); // "fake" is the second class
    QCOMPARE(p.synthetic, p.pSynthetic >= 0.5f);
    QCOMPARE(p.topClass, p.pSynthetic >= 0.5f ? 1 : 0);
    QCOMPARE(p.embedding.size(), size_t(8));
    QCOMPARE(p.tiles, 1);
}

void TestEngine::batchedResultsEqualSingleResults()
{
    EngineConfig config;
    config.maxBatch = 3; // 7 images: batches of 3, 3 and 1
    Result<std::unique_ptr<Engine>> engine = Engine::load(m_binary, config);
    QVERIFY(engine.ok());
    std::vector<at::Tensor> inputs;
    for (uint64_t i = 0; i < 7; ++i)
        inputs.push_back(randomInput(1, 100 + i));
    const Result<std::vector<Prediction>> batched = (*engine)->predict(inputs);
    QVERIFY(batched.ok());
    QCOMPARE(batched->size(), inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        const Result<std::vector<Prediction>> single = (*engine)->predict({ inputs[i] });
        QVERIFY(std::abs(single->at(0).pSynthetic - batched->at(i).pSynthetic) < 1e-6f);
    }
    // Distinct inputs give distinct scores: the order of results is the order of inputs.
    QVERIFY(batched->at(0).pSynthetic != batched->at(1).pSynthetic);
}

void TestEngine::tilesAreAveraged()
{
    Result<std::unique_ptr<Engine>> engine = Engine::load(m_binary, {});
    QVERIFY(engine.ok());
    const at::Tensor tiles = randomInput(3, 42);
    const Result<std::vector<Prediction>> whole = (*engine)->predict({ tiles });
    QVERIFY(whole.ok());
    QCOMPARE(whole->at(0).tiles, 3);
    float sum = 0.0f;
    for (int64_t t = 0; t < 3; ++t)
        sum += (*engine)->predict({ tiles.slice(0, t, t + 1) })->at(0).pSynthetic;
    QVERIFY(std::abs(whole->at(0).pSynthetic - sum / 3.0f) < 1e-6f);
}

void TestEngine::twoLogitBinaryUsesSoftmax()
{
    const QString path = bundle("two-logit.pt", makeTestModule(2));
    Result<std::unique_ptr<Engine>> engine = Engine::load(path, {});
    QVERIFY(engine.ok());
    const at::Tensor input = randomInput(1, 3);
    const Prediction p = (*engine)->predict({ input })->at(0);
    const at::Tensor logits
        = makeTestModule(2).forward({ input }).toGenericDict().at(std::string("logits")).toTensor();
    const float expected = torch::softmax(logits, 1)[0][1].item<float>();
    QVERIFY(std::abs(p.pSynthetic - expected) < 1e-6f);
}

void TestEngine::multiclassSumsTheFakeClasses()
{
    const QString path = bundle("three-class.pt", makeTestModule(3),
        { { QStringLiteral("task"), QStringLiteral("multiclass") },
            { QStringLiteral("classes"),
                QJsonArray{ QStringLiteral("dm_generated"), QStringLiteral("gan_generated"),
                    QStringLiteral("real") } },
            { QStringLiteral("fake_classes"),
                QJsonArray{ QStringLiteral("dm_generated"), QStringLiteral("gan_generated") } } });
    Result<std::unique_ptr<Engine>> engine = Engine::load(path, {});
    QVERIFY2(engine.ok(), qPrintable(engine.ok() ? QString() : engine.error().message));
    const Prediction p = (*engine)->predict({ randomInput(1, 5) })->at(0);
    QCOMPARE(p.classProbabilities.size(), size_t(3));
    QVERIFY(std::abs(p.pSynthetic - (p.classProbabilities[0] + p.classProbabilities[1])) < 1e-6f);
    QVERIFY(std::abs(1.0f - p.pSynthetic - p.classProbabilities[2]) < 1e-6f);
}

void TestEngine::logitsThatDoNotFitTheClassesAreRefused()
{
    const QString path = bundle("mismatch.pt", makeTestModule(1),
        { { QStringLiteral("task"), QStringLiteral("multiclass") },
            { QStringLiteral("classes"),
                QJsonArray{
                    QStringLiteral("real"), QStringLiteral("gan"), QStringLiteral("diffusion") } },
            { QStringLiteral("fake_classes"), QJsonArray{ QStringLiteral("gan") } } });
    const Result<std::unique_ptr<Engine>> engine = Engine::load(path, {});
    QVERIFY(!engine.ok());
    QCOMPARE(engine.error().codeName(), QStringLiteral("bad-model"));
    QVERIFY2(engine.error().message.contains(QStringLiteral("returns 1 logits per image")),
        qPrintable(engine.error().message));
}

void TestEngine::outputsOutsideTheContractAreRefused()
{
    const QString path = bundle("tensor-output.pt", makeContractBreakingModule(),
        { { QStringLiteral("embedding"), false } });
    const Result<std::unique_ptr<Engine>> engine = Engine::load(path, {});
    QVERIFY(!engine.ok());
    QCOMPARE(engine.error().codeName(), QStringLiteral("bad-model"));
    QVERIFY(engine.error().message.contains(QStringLiteral("Dict[str, Tensor]")));

    // A wrong-shaped input at predict time is an error value, not an exception.
    Result<std::unique_ptr<Engine>> good = Engine::load(m_binary, {});
    QVERIFY(good.ok());
    const auto wrong = (*good)->predict({ torch::zeros({ 1, 4, 64, 64 }) });
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().codeName(), QStringLiteral("inference-failed"));
}

void TestEngine::aScriptedRaiseBecomesAnErrorValue()
{
    torch::jit::Module picky("Picky");
    picky.define(R"JIT(
def forward(self, x):
    assert x.size(2) == 64, "only 64-pixel inputs"
    return {"logits": torch.mean(x, [1, 2, 3]).unsqueeze(1)}
)JIT");
    const QString path = bundle("picky.pt", picky, { { QStringLiteral("embedding"), false } });
    Result<std::unique_ptr<Engine>> engine = Engine::load(path, {});
    QVERIFY(engine.ok()); // the warm-up input has the manifest's 64 x 64 size
    const auto failed = (*engine)->predict({ torch::zeros({ 1, 3, 32, 32 }) });
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().codeName(), QStringLiteral("inference-failed"));
    QVERIFY2(failed.error().message.contains(QStringLiteral("only 64-pixel inputs")),
        qPrintable(failed.error().message));
}

void TestEngine::nonFiniteScoresAreRefused()
{
    torch::jit::Module nan("NaNScores");
    nan.define(R"JIT(
def forward(self, x):
    l = torch.mean(x, [1, 2, 3]).unsqueeze(1)
    return {"logits": l / (l - l)}
)JIT");
    const QString path = bundle("nan.pt", nan, { { QStringLiteral("embedding"), false } });
    const Result<std::unique_ptr<Engine>> engine = Engine::load(path, {});
    QVERIFY(!engine.ok());
    QCOMPARE(engine.error().codeName(), QStringLiteral("bad-model"));
    QVERIFY2(engine.error().message.contains(QStringLiteral("non-finite")),
        qPrintable(engine.error().message));
}

void TestEngine::labelFollowsTheManifestThreshold()
{
    // A logit of exactly 0: P(synthetic) = sigmoid(0) = 0.5.
    torch::jit::Module even("EvenOdds");
    even.define(R"JIT(
def forward(self, x):
    return {"logits": torch.zeros([x.size(0), 1])}
)JIT");
    const auto labelAt = [&](double threshold) -> std::optional<Prediction> {
        const QString path = bundle(threshold == 0.5 ? "even-50.pt" : "even-60.pt", even,
            { { QStringLiteral("embedding"), false },
                { QStringLiteral("threshold"),
                    QJsonObject{ { QStringLiteral("value"), threshold },
                        { QStringLiteral("chosen_by"), QStringLiteral("test") } } } });
        Result<std::unique_ptr<Engine>> engine = Engine::load(path, {});
        if (!engine.ok())
            return std::nullopt;
        Result<std::vector<Prediction>> out = (*engine)->predict({ randomInput(1, 1) });
        return out.ok() ? std::optional(out->at(0)) : std::nullopt;
    };
    const std::optional<Prediction> atThreshold = labelAt(0.5);
    QVERIFY(atThreshold.has_value());
    QCOMPARE(atThreshold->pSynthetic, 0.5f);
    QVERIFY(atThreshold->synthetic); // at the threshold counts as synthetic
    const std::optional<Prediction> belowThreshold = labelAt(0.6);
    QVERIFY(belowThreshold.has_value());
    QVERIFY(!belowThreshold->synthetic);
    QCOMPARE(belowThreshold->threshold, 0.6);
}

void TestEngine::usesTheCoresTheProcessMayUse()
{
    Result<std::unique_ptr<Engine>> automatic = Engine::load(m_binary, {});
    QVERIFY(automatic.ok());
    QCOMPARE((*automatic)->info().intraOpThreads, usableCoreCount());
    EngineConfig one;
    one.intraOpThreads = 1;
    QCOMPARE((*Engine::load(m_binary, one))->info().intraOpThreads, 1);
    EngineConfig cuda;
    cuda.device = EngineConfig::Device::Cuda;
    if (!torch::cuda::is_available())
        QCOMPARE(Engine::load(m_binary, cuda).error().codeName(), QStringLiteral("bad-config"));
}

void TestEngine::workerAnswersConcurrentSubmissions()
{
    Result<std::shared_ptr<InferenceWorker>> worker = InferenceWorker::start(m_binary, {}, 2);
    QVERIFY(worker.ok());
    Result<std::unique_ptr<Engine>> engine = Engine::load(m_binary, {});
    QVERIFY(engine.ok());

    // Four producers, a queue of two: submit() blocks while full, and every answer arrives
    // with the input it belongs to. (Inputs are made first: torch's generator is global.)
    std::vector<at::Tensor> inputs;
    for (uint64_t i = 0; i < 12; ++i)
        inputs.push_back(randomInput(1, 500 + i));
    std::vector<std::future<Result<Prediction>>> futures(12);
    std::vector<std::thread> producers;
    for (size_t t = 0; t < 4; ++t) {
        producers.emplace_back([&, t] {
            for (size_t i = t; i < 12; i += 4)
                futures[i] = (*worker)->submit(inputs[i]);
        });
    }
    for (std::thread &producer : producers)
        producer.join();
    for (size_t i = 0; i < 12; ++i) {
        const Result<Prediction> p = futures[i].get();
        QVERIFY(p.ok());
        const float expected = (*engine)->predict({ inputs[i] })->at(0).pSynthetic;
        QVERIFY(std::abs(p->pSynthetic - expected) < 1e-6f);
    }
}

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
