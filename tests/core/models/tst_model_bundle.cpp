#include "forgelens/image/file_digest.h"
#include "forgelens/models/bundle_code_check.h"
#include "forgelens/models/model_bundle.h"
#include "test_model_factory.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

QString sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    return digestBytes(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) })
        .sha256;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        && file.write(bytes) == bytes.size();
}

// The central directory record of `name` (its offset), found by its signature and name.
qsizetype centralRecordOf(const QByteArray &archive, const QByteArray &name)
{
    for (qsizetype at = archive.lastIndexOf(name); at >= 46;
         at = archive.lastIndexOf(name, at - 1)) {
        if (archive.mid(at - 46, 4) == QByteArray("PK\x01\x02", 4))
            return at - 46;
    }
    return -1;
}

} // namespace

class TestModelBundle : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadsTheManifestFromInsideTheArchive();
    void loadsASidecarManifest();
    void refusesABundleWithoutManifest();
    void checksThePinnedHash();
    void refusesFilesThatAreNotBundles();
    void reportsManifestErrorsWithTheBundleName();
    void refusesCodeThatOpensFilesBeforeLoadingIt();
    void findsOperationsHoweverTheyAreSpelled();
    void refusesDamagedOrInflatingArchives();
    void boundsTheArchiveAndTheManifest();
    void refusesEmptyPinsAndSidecarsUnderAPin();
    void refusesManifestTextThatControlsATerminal();

private:
    QTemporaryDir m_dir;
};

void TestModelBundle::loadsTheManifestFromInsideTheArchive()
{
    const QString path = m_dir.filePath(QStringLiteral("embedded.pt"));
    QVERIFY(saveTestBundle(path, makeTestModule(1), testManifest()));
    QVERIFY(!QFile::exists(path + QStringLiteral(".json")));
    const Result<ModelBundle> bundle = loadModelBundle(path, {});
    QVERIFY2(bundle.ok(), qPrintable(bundle.ok() ? QString() : bundle.error().message));
    QCOMPARE(bundle->manifest.id, QStringLiteral("forgelens-untrained-test"));
    QVERIFY(bundle->manifest.isUntrainedTestModel());
    QCOMPARE(bundle->sha256, sha256Of(path));
    QVERIFY(bundle->module.find_method("forward").has_value());
}

void TestModelBundle::loadsASidecarManifest()
{
    const QString path = m_dir.filePath(QStringLiteral("plain.pt"));
    QVERIFY(saveTestBundle(path, makeTestModule(1),
        testManifest({ { QStringLiteral("id"), QStringLiteral("sidecar-id") } }),
        /*embedManifest=*/false));
    const Result<ModelBundle> bundle = loadModelBundle(path, {});
    QVERIFY2(bundle.ok(), qPrintable(bundle.ok() ? QString() : bundle.error().message));
    QCOMPARE(bundle->manifest.id, QStringLiteral("sidecar-id"));
}

void TestModelBundle::refusesABundleWithoutManifest()
{
    const QString path = m_dir.filePath(QStringLiteral("bare.pt"));
    makeTestModule(1).save(path.toStdString());
    const Result<ModelBundle> bundle = loadModelBundle(path, {});
    QVERIFY(!bundle.ok());
    QCOMPARE(bundle.error().codeName(), QStringLiteral("bad-manifest"));
    QVERIFY(bundle.error().message.contains(QStringLiteral("has no manifest")));
}

void TestModelBundle::checksThePinnedHash()
{
    const QString path = m_dir.filePath(QStringLiteral("pinned.pt"));
    QVERIFY(saveTestBundle(path, makeTestModule(1), testManifest()));
    const QString actual = sha256Of(path);

    BundleLoadOptions options;
    options.expectedSha256 = actual.toUpper(); // hex case does not matter
    QVERIFY(loadModelBundle(path, options).ok());

    options.expectedSha256 = QString(64, QLatin1Char('0'));
    const Result<ModelBundle> refused = loadModelBundle(path, options);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().codeName(), QStringLiteral("hash-mismatch"));
    QVERIFY(refused.error().message.contains(actual));
}

void TestModelBundle::refusesFilesThatAreNotBundles()
{
    const QString text = m_dir.filePath(QStringLiteral("notes.pt"));
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is not a TorchScript archive\n");
    file.close();
    QCOMPARE(loadModelBundle(text, {}).error().codeName(), QStringLiteral("bad-bundle"));

    const QString truncated = m_dir.filePath(QStringLiteral("truncated.pt"));
    const QString full = m_dir.filePath(QStringLiteral("full.pt"));
    QVERIFY(saveTestBundle(full, makeTestModule(1), testManifest()));
    QFile source(full);
    QVERIFY(source.open(QIODevice::ReadOnly));
    QFile cut(truncated);
    QVERIFY(cut.open(QIODevice::WriteOnly));
    cut.write(source.read(source.size() / 2));
    cut.close();
    QCOMPARE(loadModelBundle(truncated, {}).error().codeName(), QStringLiteral("bad-bundle"));

    QCOMPARE(loadModelBundle(m_dir.filePath(QStringLiteral("absent.pt")), {}).error().codeName(),
        QStringLiteral("not-found"));
}

void TestModelBundle::reportsManifestErrorsWithTheBundleName()
{
    const QString path = m_dir.filePath(QStringLiteral("badtask.pt"));
    QVERIFY(saveTestBundle(path, makeTestModule(1),
        testManifest({ { QStringLiteral("task"), QStringLiteral("ranking") } })));
    const Result<ModelBundle> bundle = loadModelBundle(path, {});
    QVERIFY(!bundle.ok());
    QCOMPARE(bundle.error().codeName(), QStringLiteral("bad-manifest"));
    QVERIFY(bundle.error().message.contains(QStringLiteral("badtask.pt")));
    QVERIFY(bundle.error().message.contains(QStringLiteral("\"ranking\" is unknown")));
}

// The probe that found this: a bundle whose forward() maps an evidence file with
// torch.from_file(path, shared=True) overwrote it during a scan. The archive's code is read
// before TorchScript runs any of it, and the file is left as it was.
void TestModelBundle::refusesCodeThatOpensFilesBeforeLoadingIt()
{
    const QString evidence = m_dir.filePath(QStringLiteral("evidence.jpg"));
    const QByteArray original
        = QByteArray("\xFF\xD8\xFF\xE0", 4) + QByteArray(" evidence bytes that must never change");
    QVERIFY(writeAll(evidence, original));

    const auto hostile = [](const QString &victim) {
        torch::jit::Module module = makeTestModule(1);
        module.register_attribute("victim", c10::StringType::get(), victim.toStdString());
        module.define(R"JIT(
def tamper(self, x):
    mapped = torch.from_file(self.victim, True, 8, dtype=0)
    return x + torch.sum(mapped.fill_(0)).float()
)JIT");
        return module;
    };
    // The attack is real: run directly, the method zeroes the start of a decoy file.
    const QString decoy = m_dir.filePath(QStringLiteral("decoy.jpg"));
    QVERIFY(writeAll(decoy, original));
    hostile(decoy).run_method("tamper", torch::zeros({ 1 }));
    QCOMPARE(readAll(decoy).left(8), QByteArray(8, '\0'));

    torch::jit::Module module = hostile(evidence);
    const QString path = m_dir.filePath(QStringLiteral("from-file.pt"));
    QVERIFY(saveTestBundle(path, module, testManifest()));
    const Result<ModelBundle> bundle = loadModelBundle(path, {});
    QVERIFY(!bundle.ok());
    QCOMPARE(bundle.error().codeName(), QStringLiteral("bad-bundle"));
    QVERIFY2(bundle.error().message.contains(QStringLiteral("torch.from_file")),
        qPrintable(bundle.error().message));
    QCOMPARE(readAll(evidence), original);

    torch::jit::Module printing = makeTestModule(1);
    printing.define(R"JIT(
def shout(self, x):
    print("forged line")
    return x
)JIT");
    const QString printPath = m_dir.filePath(QStringLiteral("print.pt"));
    QVERIFY(saveTestBundle(printPath, printing, testManifest()));
    const Result<ModelBundle> printed = loadModelBundle(printPath, {});
    QVERIFY(!printed.ok());
    QVERIFY2(printed.error().message.contains(QStringLiteral(" print,")),
        qPrintable(printed.error().message));
}

void TestModelBundle::findsOperationsHoweverTheyAreSpelled()
{
    const QByteArray source = R"PY(
class M(Module):
  def forward(self, x: Tensor) -> Tensor:
    # torch.save in a comment is not code
    label = "torch.from_file in a string is not code"
    y = torch . conv2d(x, self.w)
    z = torch.ops.aten.from_file("/etc/passwd", True, 4)
    w = ops.aten.save(y, 'out.pt')
    v = ops.prim.max(1, 2)
    c = __torch__.torch.classes.evil.Runner()
    k = __torch__.torch.nn.modules.conv.Conv2d
    return torch.\
      relu(y)
)PY";
    const QStringList operations = torchScriptOperations(source);
    QCOMPARE(operations,
        QStringList({ QStringLiteral("torch.conv2d"), QStringLiteral("torch.ops.aten.from_file"),
            QStringLiteral("ops.aten.save"), QStringLiteral("ops.prim.max"),
            QStringLiteral("__torch__.torch.classes"), QStringLiteral("torch.relu") }));
    QVERIFY(isAllowedTorchScriptOperation(QStringLiteral("torch.conv2d")));
    QVERIFY(isAllowedTorchScriptOperation(QStringLiteral("ops.prim.max")));
    QVERIFY(isAllowedTorchScriptOperation(QStringLiteral("torch.ops.aten.relu")));
    QVERIFY(!isAllowedTorchScriptOperation(QStringLiteral("torch.ops.aten.from_file")));
    QVERIFY(!isAllowedTorchScriptOperation(QStringLiteral("ops.aten.save")));
    QVERIFY(!isAllowedTorchScriptOperation(QStringLiteral("torch.from_file")));
    QVERIFY(!isAllowedTorchScriptOperation(QStringLiteral("torch.ops.custom.relu")));
    QVERIFY(!isAllowedTorchScriptOperation(QStringLiteral("__torch__.torch.classes")));
    QVERIFY(!isAllowedTorchScriptOperation(QStringLiteral("torch.")));
    QVERIFY(!isAllowedTorchScriptOperation(QStringLiteral("print")));
}

void TestModelBundle::refusesDamagedOrInflatingArchives()
{
    const QString path = m_dir.filePath(QStringLiteral("sound.pt"));
    QVERIFY(saveTestBundle(path, makeTestModule(1), testManifest()));
    const QByteArray sound = readAll(path);
    const Result<BundleArchive> archive = readBundleArchive(sound, {});
    QVERIFY2(archive.ok(), qPrintable(archive.ok() ? QString() : archive.error().message));

    // One flipped bit in the weights: the CRC-32 the archive records no longer matches.
    const BundleArchiveEntry *weights = archive->find(QStringLiteral("data/0"));
    QVERIFY(weights && weights->size > 0);
    QByteArray flipped = sound;
    flipped[weights->dataOffset + weights->size / 2] ^= 0x04;
    const QString flippedPath = m_dir.filePath(QStringLiteral("flipped.pt"));
    QVERIFY(writeAll(flippedPath, flipped));
    const Result<ModelBundle> damaged = loadModelBundle(flippedPath, {});
    QVERIFY(!damaged.ok());
    QCOMPARE(damaged.error().codeName(), QStringLiteral("bad-bundle"));
    QVERIFY2(damaged.error().message.contains(QStringLiteral("data/0 is damaged")),
        qPrintable(damaged.error().message));

    // A manifest entry marked deflated (the probe's 2.3 MB bundle inflated it to 1 GiB): refused
    // from the directory alone, before anything is inflated.
    const QByteArray manifestName = archive->root.toUtf8() + "/extra/forgelens/manifest.json";
    const qsizetype record = centralRecordOf(sound, manifestName);
    QVERIFY(record > 0);
    QByteArray deflated = sound;
    deflated[record + 10] = 8; // compression method: deflate
    const auto put32 = [&deflated](qsizetype at, quint32 value) {
        for (int i = 0; i < 4; ++i)
            deflated[at + i] = char((value >> (8 * i)) & 0xFF);
    };
    put32(record + 20, 20); // 20 compressed bytes ...
    put32(record + 24, 1u << 30); // ... said to inflate to 1 GiB
    const QString deflatedPath = m_dir.filePath(QStringLiteral("deflated.pt"));
    QVERIFY(writeAll(deflatedPath, deflated));
    const Result<ModelBundle> inflating = loadModelBundle(deflatedPath, {});
    QVERIFY(!inflating.ok());
    QVERIFY2(inflating.error().message.contains(QStringLiteral("more than the ratio")),
        qPrintable(inflating.error().message));

    // A name that climbs out of the archive.
    QByteArray escaping = sound;
    escaping.replace(record + 46, 3, "../");
    QVERIFY(!readBundleArchive(escaping, {}).ok());
}

void TestModelBundle::boundsTheArchiveAndTheManifest()
{
    const QString path = m_dir.filePath(QStringLiteral("bounded.pt"));
    QVERIFY(saveTestBundle(path, makeTestModule(1), testManifest()));
    BundleLoadOptions options;
    options.limits.archive.maxEntries = 3;
    Result<ModelBundle> refused = loadModelBundle(path, options);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(QStringLiteral("more than the limit of 3")),
        qPrintable(refused.error().message));

    options = {};
    options.limits.archive.maxManifestBytes = 100;
    refused = loadModelBundle(path, options);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().codeName(), QStringLiteral("bad-manifest"));

    options = {};
    options.limits.maxBundleBytes = 1000;
    refused = loadModelBundle(path, options);
    QVERIFY(!refused.ok());
    QVERIFY(refused.error().message.contains(QStringLiteral("more than the limit of 1000")));

    // A sidecar manifest is bounded the same way (it is read before it is parsed).
    const QString plain = m_dir.filePath(QStringLiteral("plain-bounded.pt"));
    QVERIFY(saveTestBundle(plain, makeTestModule(1), testManifest(), /*embedManifest=*/false));
    options = {};
    options.limits.archive.maxManifestBytes = 100;
    QCOMPARE(loadModelBundle(plain, options).error().codeName(), QStringLiteral("bad-manifest"));
}

void TestModelBundle::refusesEmptyPinsAndSidecarsUnderAPin()
{
    const QString plain = m_dir.filePath(QStringLiteral("pinned-sidecar.pt"));
    QVERIFY(saveTestBundle(plain, makeTestModule(1), testManifest(), /*embedManifest=*/false));
    BundleLoadOptions options;
    options.expectedSha256 = QLatin1String(""); // given, but empty: never "not pinned"
    QCOMPARE(loadModelBundle(plain, options).error().codeName(), QStringLiteral("bad-config"));

    // The pin matches the bundle's bytes, but the verdict would come from the sidecar beside it.
    options.expectedSha256 = sha256Of(plain);
    const Result<ModelBundle> refused = loadModelBundle(plain, options);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().codeName(), QStringLiteral("hash-mismatch"));
    QVERIFY(refused.error().message.contains(QStringLiteral("not covered by the pin")));
}

void TestModelBundle::refusesManifestTextThatControlsATerminal()
{
    const QString path = m_dir.filePath(QStringLiteral("escapes.pt"));
    QVERIFY(saveTestBundle(path, makeTestModule(1),
        testManifest({ { QStringLiteral("name"), QStringLiteral("Nice\x1b[2J\x1b[Hforged") } })));
    Result<ModelBundle> refused = loadModelBundle(path, {});
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().codeName(), QStringLiteral("bad-manifest"));
    QVERIFY(!refused.error().message.contains(QChar(0x1b)));

    QVERIFY(saveTestBundle(path, makeTestModule(1),
        testManifest({ { QStringLiteral("trained_on"), QString::fromUtf8("a\u202Eevil") } })));
    QCOMPARE(loadModelBundle(path, {}).error().codeName(), QStringLiteral("bad-manifest"));

    for (const QString &id : { QStringLiteral("=HYPERLINK(\"x\")"), QStringLiteral("-rf"),
             QStringLiteral("a b"), QString(65, QLatin1Char('a')) }) {
        QVERIFY(saveTestBundle(
            path, makeTestModule(1), testManifest({ { QStringLiteral("id"), id } })));
        QCOMPARE(loadModelBundle(path, {}).error().codeName(), QStringLiteral("bad-manifest"));
    }
}

QTEST_GUILESS_MAIN(TestModelBundle)
#include "tst_model_bundle.moc"
