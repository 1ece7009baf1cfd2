#include "forgelens/metadata/c2pa_manifest.h"
#include "metadata_fixtures.h"

#include <QTest>
#include <QtEndian>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

std::span<const std::uint8_t> view(const QByteArray &bytes)
{
    return { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) };
}

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

} // namespace

class TestC2paManifest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsClaimActionsIngredientsAndSigner();
    void joinsApp11SegmentsInSequenceOrder();
    void findsTheWebpChunk();
    void aTruncatedBoxIsAnError();
    void everyTruncationIsHandled();
    void aJpegWithoutC2paHasNone();
    void otherJumbfInstancesAreSkipped();
    void generatorInfoMayBeAMap();
    void aCutWebpChunkIsAnError();
};

void TestC2paManifest::readsClaimActionsIngredientsAndSigner()
{
    const Result<C2paSummary> summary = parseC2paJumbf(c2paStore(), QStringLiteral("PNG caBX"));
    QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().message));
    QCOMPARE(summary->container, QStringLiteral("PNG caBX"));
    QCOMPARE(summary->manifests,
        QStringList{ QStringLiteral("urn:uuid:00000000-0000-4000-8000-000000000001") });
    QCOMPARE(summary->claimGenerator, QStringLiteral("ForgeLens test generator/1.0"));
    QCOMPARE(summary->title, QStringLiteral("generated.jpg"));
    QCOMPARE(summary->actions.size(), size_t(1));
    QCOMPARE(summary->actions[0].action, QStringLiteral("c2pa.created"));
    QVERIFY(
        summary->actions[0].digitalSourceType.endsWith(QStringLiteral("/trainedAlgorithmicMedia")));
    QCOMPARE(summary->actions[0].softwareAgent, QStringLiteral("Test Diffusion 2"));
    QCOMPARE(summary->ingredients, QStringList{ QStringLiteral("prompt-image.png") });
    QCOMPARE(summary->signatureIssuer, QStringLiteral("ForgeLens Test CA"));
    QVERIFY(!summary->signatureVerified);
}

void TestC2paManifest::joinsApp11SegmentsInSequenceOrder()
{
    const QByteArray store = c2paStore();
    const QByteArray jpeg = jpegWithApp11(
        readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")), store, 150);
    QVERIFY(jpeg.count(QByteArray("\xff\xeb", 2)) >= 3); // really split
    const Result<std::optional<QByteArray>> found = extractC2paJumbf(view(jpeg), ImageFormat::Jpeg);
    QVERIFY(found.ok());
    QVERIFY(found->has_value());
    QCOMPARE(**found, store);
}

void TestC2paManifest::findsTheWebpChunk()
{
    const QByteArray store = c2paStore();
    QByteArray chunk = QByteArray("C2PA") + QByteArray(4, '\0') + store;
    qToLittleEndian(quint32(store.size()), chunk.data() + 4);
    if (store.size() % 2)
        chunk += '\0';
    QByteArray webp = QByteArray("RIFF") + QByteArray(4, '\0') + QByteArray("WEBP") + chunk;
    qToLittleEndian(quint32(webp.size() - 8), webp.data() + 4);
    const Result<std::optional<QByteArray>> found = extractC2paJumbf(view(webp), ImageFormat::WebP);
    QVERIFY(found.ok() && found->has_value());
    QCOMPARE(**found, store);
}

void TestC2paManifest::aTruncatedBoxIsAnError()
{
    const QByteArray store = c2paStore();
    const Result<C2paSummary> summary
        = parseC2paJumbf(store.left(store.size() - 40), QStringLiteral("JPEG APP11"));
    QVERIFY(!summary.ok());
    QCOMPARE(summary.error().codeName(), QStringLiteral("malformed-c2pa"));
}

void TestC2paManifest::everyTruncationIsHandled()
{
    const QByteArray store = c2paStore();
    for (qsizetype length = 0; length < store.size(); ++length) {
        const Result<C2paSummary> summary = parseC2paJumbf(store.left(length), QString());
        QVERIFY(!summary.ok()); // the outer box always declares more than a prefix holds
    }
    const QByteArray jpeg = jpegWithApp11(
        readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")), store, 150);
    for (qsizetype length = 0; length < jpeg.size(); length += 7) {
        std::vector<std::uint8_t> prefix(jpeg.begin(), jpeg.begin() + length);
        (void)extractC2paJumbf(prefix, ImageFormat::Jpeg);
    }
}

void TestC2paManifest::aJpegWithoutC2paHasNone()
{
    const QByteArray jpeg = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    const Result<std::optional<QByteArray>> found = extractC2paJumbf(view(jpeg), ImageFormat::Jpeg);
    QVERIFY(found.ok());
    QVERIFY(!found->has_value());
}

void TestC2paManifest::otherJumbfInstancesAreSkipped()
{
    const QByteArray store = c2paStore();
    const QByteArray base = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    // Another JUMBF user (instance 1) before the C2PA store (instance 2).
    const QByteArray other = jumbfSuperbox(QStringLiteral("jpeg360"), { jumbfBox("json", "{}") });
    const QByteArray jpeg = jpegWithApp11(jpegWithApp11(base, store, 100, 2), other, 100, 1);
    const Result<std::optional<QByteArray>> found = extractC2paJumbf(view(jpeg), ImageFormat::Jpeg);
    QVERIFY(found.ok() && found->has_value());
    QCOMPARE(**found, store);
}

void TestC2paManifest::generatorInfoMayBeAMap()
{
    C2paFixture fixture;
    fixture.generatorInfoMap = true;
    const Result<C2paSummary> summary = parseC2paJumbf(c2paStore(fixture), QString());
    QVERIFY(summary.ok());
    QCOMPARE(summary->claimGenerator, QStringLiteral("ForgeLens test generator/1.0"));
}

void TestC2paManifest::aCutWebpChunkIsAnError()
{
    QByteArray webp = QByteArray("RIFF") + QByteArray(4, '\0') + QByteArray("WEBP")
        + QByteArray("C2PA") + QByteArray("\xff\x00\x00\x00", 4) + QByteArray(20, 'x');
    const Result<std::optional<QByteArray>> found = extractC2paJumbf(view(webp), ImageFormat::WebP);
    QVERIFY(!found.ok());
    QCOMPARE(found.error().codeName(), QStringLiteral("malformed-c2pa"));
}

QTEST_GUILESS_MAIN(TestC2paManifest)
#include "tst_c2pa_manifest.moc"
