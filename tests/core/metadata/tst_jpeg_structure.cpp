#include "forgelens/metadata/jpeg_structure.h"
#include "metadata_fixtures.h"

#include <QTest>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

Result<JpegStructure> structureOf(const QByteArray &jpeg)
{
    return readJpegStructure(
        { reinterpret_cast<const std::uint8_t *>(jpeg.constData()), size_t(jpeg.size()) });
}

// Offset of the first DQT segment's first table value.
qsizetype firstDqtValue(const QByteArray &jpeg)
{
    return jpeg.indexOf(QByteArray("\xff\xdb", 2)) + 5;
}

} // namespace

class TestJpegStructure : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pilOutputHasStandardTablesAtItsQuality();
    void progressiveAndSubsamplingAreRead();
    void cameraStyleTablesAreNotStandard();
    void restartIntervalIsRead();
    void malformedSegmentsAreErrors();
};

void TestJpegStructure::pilOutputHasStandardTablesAtItsQuality()
{
    // make_fixtures.py saved it with PIL (libjpeg) at quality 95, 4:4:4.
    const Result<JpegStructure> jpeg
        = structureOf(readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")));
    QVERIFY(jpeg.ok());
    QCOMPARE(jpeg->process, QStringLiteral("baseline"));
    QCOMPARE(jpeg->components, 3);
    QCOMPARE(jpeg->subsampling, QStringLiteral("4:4:4"));
    QCOMPARE(jpeg->tables.size(), size_t(2));
    QCOMPARE(jpeg->estimatedQuality, 95);
    QVERIFY(jpeg->standardTables);
    // Natural order: the luminance DC step at quality 95 is (16 * 10 + 50) / 100 = 2.
    QCOMPARE(jpeg->tables[0].values[0], 2);
    QCOMPARE(jpeg->tables[0].values[63], (99 * 10 + 50) / 100);
}

void TestJpegStructure::progressiveAndSubsamplingAreRead()
{
    const Result<JpegStructure> jpeg
        = structureOf(readFileBytes(kFixtures + QStringLiteral("pattern_progressive.jpg")));
    QVERIFY(jpeg.ok());
    QCOMPARE(jpeg->process, QStringLiteral("progressive"));
    QCOMPARE(jpeg->subsampling, QStringLiteral("4:2:0"));
}

void TestJpegStructure::cameraStyleTablesAreNotStandard()
{
    QByteArray jpeg = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    const qsizetype at = firstDqtValue(jpeg) + 20;
    jpeg[at] = char(quint8(jpeg[at]) + 1); // one coefficient off, as a camera's own table would be
    const Result<JpegStructure> structure = structureOf(jpeg);
    QVERIFY(structure.ok());
    QVERIFY(!structure->standardTables);
    QCOMPARE(structure->estimatedQuality, 95); // still the closest quality
}

void TestJpegStructure::restartIntervalIsRead()
{
    QByteArray jpeg = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    jpeg.insert(2, QByteArray("\xff\xdd\x00\x04\x00\x10", 6));
    const Result<JpegStructure> structure = structureOf(jpeg);
    QVERIFY(structure.ok());
    QCOMPARE(structure->restartInterval, 16);
}

void TestJpegStructure::malformedSegmentsAreErrors()
{
    QVERIFY(!structureOf(QByteArray("not a jpeg")).ok());
    QByteArray cut = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    const qsizetype dqt = cut.indexOf(QByteArray("\xff\xdb", 2));
    const Result<JpegStructure> truncated = structureOf(cut.left(dqt + 30));
    QVERIFY(!truncated.ok());
    QCOMPARE(truncated.error().codeName(), QStringLiteral("malformed-jpeg"));
    // A DQT whose length holds half a table.
    QByteArray shortTable = cut;
    shortTable[dqt + 3] = char(2 + 33);
    QCOMPARE(structureOf(shortTable).error().codeName(), QStringLiteral("malformed-jpeg"));
    for (qsizetype length = 0; length < cut.size(); ++length) {
        std::vector<std::uint8_t> prefix(cut.begin(), cut.begin() + length);
        (void)readJpegStructure(prefix);
    }
}

QTEST_GUILESS_MAIN(TestJpegStructure)
#include "tst_jpeg_structure.moc"
