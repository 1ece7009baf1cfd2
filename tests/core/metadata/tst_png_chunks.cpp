#include "forgelens/metadata/png_chunks.h"
#include "metadata_fixtures.h"

#include <QTest>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

Result<PngChunkScan> scan(const QByteArray &png, const PngChunkLimits &limits = {})
{
    return scanPngChunks(
        { reinterpret_cast<const std::uint8_t *>(png.constData()), size_t(png.size()) }, limits);
}

bool hasProblem(const PngChunkScan &result, const QString &code)
{
    return std::any_of(result.problems.begin(), result.problems.end(),
        [&code](const Error &e) { return e.codeName() == code; });
}

} // namespace

class TestPngChunks : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsEveryKindOfTextChunk();
    void keepsTheC2paBox();
    void aBadCrcIsReportedAndTheWalkGoesOn();
    void aChunkPastTheEndIsAnError();
    void aDecompressionBombIsStoppedAtTheLimit();
    void aBrokenZlibStreamIsReported();
    void everyTruncationIsHandled();
};

void TestPngChunks::readsEveryKindOfTextChunk()
{
    const QByteArray png = pngWithChunks({
        pngChunk("tEXt", QByteArray("parameters\0a cat, Steps: 20, Sampler: Euler a", 45)),
        pngChunk("zTXt", QByteArray("Comment\0\0", 9) + zlibCompressed("caf\xe9 latin-1")),
        pngChunk("iTXt", QByteArray("Title\0\0\0de\0Titel\0", 17) + QByteArray("Kätzchen")),
        pngChunk("iTXt", QByteArray("prompt\0\1\0\0\0", 11) + zlibCompressed("{\"3\": {}}")),
    });
    const Result<PngChunkScan> result = scan(png);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(result->chunkTypes,
        QStringLiteral("IHDR tEXt zTXt iTXt iTXt IDAT IEND").split(QLatin1Char(' ')));
    QVERIFY(result->problems.empty());
    QCOMPARE(result->texts.size(), size_t(4));
    QCOMPARE(result->texts[0].keyword, QStringLiteral("parameters"));
    QCOMPARE(result->texts[0].text, QStringLiteral("a cat, Steps: 20, Sampler: Euler a"));
    QCOMPARE(result->texts[1].text, QStringLiteral("café latin-1"));
    QVERIFY(result->texts[1].compressed);
    QCOMPARE(result->texts[2].text, QStringLiteral("Kätzchen"));
    QCOMPARE(result->texts[2].language, QStringLiteral("de"));
    QVERIFY(!result->texts[2].compressed);
    QCOMPARE(result->texts[3].text, QStringLiteral("{\"3\": {}}"));
    QVERIFY(result->texts[3].compressed);
}

void TestPngChunks::keepsTheC2paBox()
{
    const QByteArray store = c2paStore();
    const Result<PngChunkScan> result = scan(pngWithChunks({ pngChunk("caBX", store) }));
    QVERIFY(result.ok());
    QCOMPARE(result->c2paJumbf, store);
}

void TestPngChunks::aBadCrcIsReportedAndTheWalkGoesOn()
{
    const QByteArray png
        = pngWithChunks({ pngChunk("tEXt", QByteArray("Software\0edited", 15), true),
            pngChunk("tEXt", QByteArray("Author\0someone", 14)) });
    const Result<PngChunkScan> result = scan(png);
    QVERIFY(result.ok());
    QVERIFY(hasProblem(*result, QStringLiteral("png-crc-mismatch")));
    QCOMPARE(result->texts.size(), size_t(2));
}

void TestPngChunks::aChunkPastTheEndIsAnError()
{
    QByteArray png = pngWithChunks({ pngChunk("tEXt", QByteArray("Comment\0hello", 13)) });
    png[33] = char(0x7f); // the tEXt chunk's length now claims about 2 GB
    const Result<PngChunkScan> result = scan(png);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().codeName(), QStringLiteral("malformed-png"));
    QVERIFY(result.error().message.contains(QStringLiteral("past the end")));
}

void TestPngChunks::aDecompressionBombIsStoppedAtTheLimit()
{
    // 64 MiB of zeros compress to about 64 KiB.
    const QByteArray bomb = zlibCompressed(QByteArray(64 << 20, '\0'));
    QVERIFY(bomb.size() < 100000);
    const QByteArray png = pngWithChunks({ pngChunk("zTXt", QByteArray("Comment\0\0", 9) + bomb),
        pngChunk("tEXt", QByteArray("Author\0after the bomb", 21)) });
    PngChunkLimits limits;
    limits.maxInflatedTextBytes = 1 << 20;
    const Result<PngChunkScan> result = scan(png, limits);
    QVERIFY(result.ok());
    QVERIFY(hasProblem(*result, QStringLiteral("png-text-too-large")));
    QCOMPARE(result->texts.size(), size_t(1)); // the chunk after the bomb is still read
    QCOMPARE(result->texts[0].text, QStringLiteral("after the bomb"));
}

void TestPngChunks::aBrokenZlibStreamIsReported()
{
    QByteArray compressed = zlibCompressed(QByteArray(1000, 'x'));
    compressed.chop(6); // cut inside the stream
    const Result<PngChunkScan> result
        = scan(pngWithChunks({ pngChunk("zTXt", QByteArray("Comment\0\0", 9) + compressed) }));
    QVERIFY(result.ok());
    QVERIFY(hasProblem(*result, QStringLiteral("png-text-inflate")));
}

void TestPngChunks::everyTruncationIsHandled()
{
    const QByteArray png
        = pngWithChunks({ pngChunk("zTXt", QByteArray("Comment\0\0", 9) + zlibCompressed("hello")),
            pngChunk("caBX", c2paStore()) });
    for (qsizetype length = 0; length < png.size(); ++length) {
        // An exact-size heap copy, so AddressSanitizer sees any read past the end.
        std::vector<std::uint8_t> prefix(png.begin(), png.begin() + length);
        const Result<PngChunkScan> result = scanPngChunks(prefix);
        // Every cut is noticed: an error, or at least a problem (no IEND).
        QVERIFY(!result.ok() || !result->problems.empty());
    }
}

QTEST_GUILESS_MAIN(TestPngChunks)
#include "tst_png_chunks.moc"
