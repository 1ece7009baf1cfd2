#include "forgelens/image/file_digest.h"
#include "forgelens/models/model_bundle.h"
#include "test_model_factory.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

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

QTEST_GUILESS_MAIN(TestModelBundle)
#include "tst_model_bundle.moc"
