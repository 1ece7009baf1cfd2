// The sandbox's wire format: what a worker sends must come back whole, and what a compromised
// worker could forge must be refused without the parent allocating what it declares.
#include "forgelens/sandbox/evidence_reading_codec.h"

#include <QDataStream>
#include <QTest>

#include <functional>
#include <limits>

using namespace forgelens;

namespace {

// What the parent reads back of what a worker wrote.
std::optional<EvidenceReading> roundTrip(const EvidenceReading &reading, qint64 &pixelBytes)
{
    return decodeEvidenceReading(encodeEvidenceReading(reading), pixelBytes);
}

} // namespace

class TestEvidenceReadingCodec : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripsEverythingButThePixels()
    {
        EvidenceReading reading;
        reading.fileSize = 1234;
        reading.digest = { QString(64, QLatin1Char('a')), QString(32, QLatin1Char('b')) };
        reading.readAtUtc = QDateTime::currentDateTimeUtc();
        reading.metadataRead = true;
        reading.findingCodes = { QStringLiteral("c2pa-manifest"), QStringLiteral("ai-generator") };
        MetadataReport report;
        report.format = ImageFormat::Png;
        report.embedded.properties.push_back(
            { QStringLiteral("Exif"), QStringLiteral("Exif.Image.Make"), QStringLiteral("Ascii"),
                QStringLiteral("Cam"), QStringLiteral("Cam") });
        report.embedded.warnings = { QStringLiteral("a warning") };
        report.png = PngChunkScan{ { QStringLiteral("IHDR"), QStringLiteral("tEXt") },
            { PngTextChunk{ QStringLiteral("tEXt"), QStringLiteral("parameters"),
                QStringLiteral("steps: 20"), QString(), false } },
            QByteArray("jumbf"), { Error{ ErrorCode::PngCrcMismatch, QStringLiteral("crc") } } };
        JpegStructure jpeg;
        jpeg.process = QStringLiteral("baseline");
        jpeg.tables.push_back(QuantizationTable{ 0, 8, {} });
        jpeg.tables.back().values[63] = 99;
        report.jpeg = jpeg;
        report.c2pa = C2paSummary{ QStringLiteral("PNG caBX"), { QStringLiteral("urn:1") },
            QStringLiteral("gen"), QStringLiteral("title"),
            { C2paAction{ QStringLiteral("c2pa.created"), QStringLiteral("trained"),
                QStringLiteral("agent") } },
            { QStringLiteral("ingredient") }, QStringLiteral("issuer"), false };
        report.thumbnail = ThumbnailComparison{ 160, 120, 0.01, 0.9, true, QStringLiteral("why") };
        report.findings.push_back({ MetadataFinding::Severity::Warning,
            QStringLiteral("ai-generator"), QStringLiteral("message"), QStringLiteral("where") });
        report.errors.push_back(Error{ ErrorCode::MetadataMalformed, QStringLiteral("part") });
        reading.metadata = report;
        DecodedImage image;
        image.width = 4;
        image.height = 3;
        image.storedWidth = 3;
        image.storedHeight = 4;
        image.orientation = 6;
        image.format = ImageFormat::Jpeg;
        image.rgb = QByteArray(4 * 3 * 3, 'x');
        reading.image = image;
        reading.error = Error{ ErrorCode::Truncated, QStringLiteral("not really") };

        qint64 pixelBytes = -1;
        const std::optional<EvidenceReading> back
            = decodeEvidenceReading(encodeEvidenceReading(reading), pixelBytes);
        QVERIFY(back);
        QCOMPARE(pixelBytes, qint64(36));
        QCOMPARE(back->fileSize, reading.fileSize);
        QCOMPARE(back->digest.sha256, reading.digest.sha256);
        QCOMPARE(back->readAtUtc, reading.readAtUtc);
        QCOMPARE(back->findingCodes, reading.findingCodes);
        QVERIFY(back->image && back->image->rgb.isEmpty());
        QCOMPARE(back->image->orientation, 6);
        QCOMPARE(back->error->code, ErrorCode::Truncated);
        const MetadataReport &r = *back->metadata;
        QCOMPARE(r.embedded.properties.at(0).key, QStringLiteral("Exif.Image.Make"));
        QCOMPARE(r.embedded.warnings, report.embedded.warnings);
        QCOMPARE(r.png->chunkTypes, report.png->chunkTypes);
        QCOMPARE(r.png->texts.at(0).text, QStringLiteral("steps: 20"));
        QCOMPARE(r.png->problems.at(0).code, ErrorCode::PngCrcMismatch);
        QCOMPARE(r.jpeg->tables.at(0).values[63], 99);
        QCOMPARE(r.c2pa->ingredients, report.c2pa->ingredients);
        QCOMPARE(r.c2pa->actions.at(0).softwareAgent, QStringLiteral("agent"));
        QCOMPARE(r.thumbnail->reason, QStringLiteral("why"));
        QCOMPARE(r.findings.at(0).severity, MetadataFinding::Severity::Warning);
        QCOMPARE(r.errors.at(0).code, ErrorCode::MetadataMalformed);
    }

    // A JPEG decoded at 1/4: the reduced pixels' size travels with the full size, and a
    // reduction that does not fit the sizes (which would make the parent mis-scale the regions
    // it reports) is refused.
    void reducedImageRoundTripsAndMustAddUp()
    {
        EvidenceReading reading;
        DecodedImage image{ 1000, 749, {}, ImageFormat::Jpeg, 4000, 2993, 1, false };
        image.reduction = 4;
        image.wholeWidth = 4000;
        image.wholeHeight = 2993;
        reading.image = image;
        qint64 pixelBytes = -1;
        const std::optional<EvidenceReading> back = roundTrip(reading, pixelBytes);
        QVERIFY(back && back->image);
        QCOMPARE(pixelBytes, qint64(1000) * 749 * 3);
        QCOMPARE(back->image->reduction, 4);
        QCOMPARE(back->image->fullWidth(), 4000);
        QCOMPARE(back->image->fullHeight(), 2993);

        for (const auto &[reduction, fullWidth] :
            { std::pair{ 3, 4000 }, std::pair{ 4, 4100 }, std::pair{ 16, 16000 }, std::pair{ 4, 0 },
                std::pair{ 4, std::numeric_limits<qint32>::max() } }) {
            EvidenceReading forged = reading;
            forged.image->reduction = reduction;
            forged.image->wholeWidth = fullWidth;
            QVERIFY(!roundTrip(forged, pixelBytes));
        }
    }

    // A JPEG decoded only around a crop, turned by its EXIF orientation: the region travels
    // with the whole size as shown, and a region that does not lie inside the image, does not
    // match the pixels' size, or comes with a reduction (which would make the parent cut the
    // crop from the wrong pixels) is refused.
    void regionRoundTripsAndMustLieInsideTheImage()
    {
        EvidenceReading reading;
        DecodedImage image{ 224, 100, {}, ImageFormat::Jpeg, 4000, 3000, 6, false };
        image.region = QRect(1388, 1950, 224, 100);
        image.wholeWidth = 3000; // turned: the stored height
        image.wholeHeight = 4000;
        reading.image = image;
        qint64 pixelBytes = -1;
        const std::optional<EvidenceReading> back = roundTrip(reading, pixelBytes);
        QVERIFY(back && back->image);
        QCOMPARE(pixelBytes, qint64(224) * 100 * 3);
        QVERIFY(back->image->isPartial());
        QCOMPARE(back->image->region, image.region);
        QCOMPARE(back->image->fullWidth(), 3000);
        QCOMPARE(back->image->fullHeight(), 4000);

        const auto forged = [&](const std::function<void(DecodedImage &)> &change) {
            EvidenceReading copy = reading;
            change(*copy.image);
            qint64 bytes = 0;
            return !roundTrip(copy, bytes).has_value();
        };
        QVERIFY(forged([](DecodedImage &i) { i.region.moveLeft(2900); })); // past the right edge
        QVERIFY(forged([](DecodedImage &i) { i.region.moveTop(-1); }));
        QVERIFY(forged([](DecodedImage &i) { i.region.setWidth(225); })); // not the pixels' size
        QVERIFY(forged([](DecodedImage &i) { i.wholeWidth = 4000; })); // not turned
        QVERIFY(forged([](DecodedImage &i) { i.wholeHeight = std::numeric_limits<int>::max(); }));
        QVERIFY(forged([](DecodedImage &i) { i.reduction = 2; }));
    }

    // fuzz_evidence_reading_codec's first find: a string length of 0xD3D3D3D3 made Qt allocate
    // 3.5 GB (and more) before reading; a forged list count did the same through reserve().
    void refusesForgedLengthsWithoutAllocatingThem()
    {
        const unsigned char found[] = { 0x46, 0x5a, 0xff, 0xff, 0x46, 0x4c, 0x45, 0x31, 0xff, 0xff,
            0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xca, 0xd3, 0xd3, 0xd3,
            0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xd3, 0xff, 0xff, 0x46, 0x4c, 0x45, 0x31 };
        qint64 pixelBytes = 0;
        QVERIFY(!decodeEvidenceReading(
            QByteArray(reinterpret_cast<const char *>(found), sizeof found), pixelBytes));

        QByteArray forged;
        QDataStream out(&forged, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_4);
        out << quint32(0x464C4531) << qint64(10) << QString() << QString() << QDateTime() << true
            << quint32(0xFFFFFFF0); // the finding codes' count
        QVERIFY(!decodeEvidenceReading(forged, pixelBytes));

        // A reading with both an image and a salvage, or an impossible image, is refused too.
        EvidenceReading both;
        both.image = DecodedImage{ 2, 2, {}, ImageFormat::Png, 2, 2, 1, false };
        QByteArray bytes = encodeEvidenceReading(both);
        QVERIFY(decodeEvidenceReading(bytes, pixelBytes));
        bytes.chop(1);
        QVERIFY(!decodeEvidenceReading(bytes, pixelBytes));
    }
};

QTEST_GUILESS_MAIN(TestEvidenceReadingCodec)
#include "tst_evidence_reading_codec.moc"
