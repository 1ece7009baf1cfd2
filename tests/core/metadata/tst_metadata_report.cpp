// End to end: files the tests write themselves (on temporary copies, never on fixtures in
// place), and the exact findings ForgeLens draws from them.
#include "forgelens/metadata/metadata_report.h"
#include "forgelens/report/metadata_json.h"
#include "metadata_fixtures.h"

#include <exiv2/exiv2.hpp>

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace forgelens;
using namespace forgelens::testing;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

MetadataReport reportOf(const QByteArray &bytes)
{
    return readMetadataReport(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) });
}

const MetadataFinding *finding(const MetadataReport &report, const QString &code)
{
    for (const MetadataFinding &f : report.findings) {
        if (f.code == code)
            return &f;
    }
    return nullptr;
}

bool hasError(const MetadataReport &report, const QString &code)
{
    return std::any_of(report.errors.begin(), report.errors.end(),
        [&code](const Error &e) { return e.codeName() == code; });
}

// A copy of `base` (the baseline JPEG fixture by default) with metadata written by Exiv2.
QByteArray jpegWith(const std::function<void(Exiv2::Image &)> &edit, QByteArray base = {})
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("copy.jpg"));
    if (base.isEmpty())
        base = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(base);
    file.close();
    auto image = Exiv2::ImageFactory::open(path.toStdString());
    image->readMetadata();
    edit(*image);
    image->writeMetadata();
    return readFileBytes(path);
}

QByteArray gradientJpeg(int width, int height, int brightness = 255)
{
    QImage image(width, height, QImage::Format_RGB888);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(
                x, y, qRgb(brightness * x / width, brightness * y / height, brightness / 2));
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPEG", 90);
    return out;
}

// `base` (the baseline fixture by default) carrying `thumbnail` as its EXIF thumbnail.
QByteArray jpegWithThumbnail(const QByteArray &thumbnail, const QByteArray &base = {})
{
    return jpegWith(
        [&thumbnail](Exiv2::Image &image) {
            Exiv2::ExifData exif;
            Exiv2::ExifThumb(exif).setJpegThumbnail(
                reinterpret_cast<const Exiv2::byte *>(thumbnail.constData()),
                long(thumbnail.size()));
            image.setExifData(exif);
        },
        base);
}

// The baseline fixture declaring an IPTC digital source type (the last segment of the URI).
QByteArray jpegWithSourceType(const char *type)
{
    return jpegWith([type](Exiv2::Image &image) {
        Exiv2::XmpData xmp;
        xmp["Xmp.iptcExt.DigitalSourceType"]
            = std::string("http://cv.iptc.org/newscodes/digitalsourcetype/") + type;
        image.setXmpData(xmp);
    });
}

} // namespace

class TestMetadataReport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stableDiffusionWebUiParameters();
    void comfyUiGraph();
    void c2paInPng();
    void c2paInJpeg();
    void xmpDigitalSourceType();
    void editorAndCamera();
    void generatorNamesMatchWholeWords();
    void noCameraMetadataAndStandardTables();
    void thumbnailThatMatches();
    void thumbnailThatDoesNot();
    void darkPictureIsNotTrimmedAway();
    void algorithmicMediaIsANotice();
    void malformedPartsAreErrorsAndTheRestIsRead();
    void exifIfdLoopIsHandled();
    void jsonSaysTheSignatureIsNotVerified();
};

void TestMetadataReport::stableDiffusionWebUiParameters()
{
    const QByteArray parameters("a cat on a sofa\nNegative prompt: blurry\nSteps: 20, Sampler: "
                                "Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: "
                                "6ce0161689, Model: v1-5-pruned-emaonly");
    const MetadataReport report = reportOf(
        pngWithChunks({ pngChunk("tEXt", QByteArray("parameters") + '\0' + parameters) }));
    const MetadataFinding *f = finding(report, QStringLiteral("ai-generator-metadata"));
    QVERIFY(f);
    QCOMPARE(f->severity, MetadataFinding::Severity::Warning);
    QCOMPARE(f->message,
        QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111) settings in PNG tEXt "
                       "\"parameters\": Model v1-5-pruned-emaonly, Model hash 6ce0161689, Seed "
                       "42, Steps 20, Sampler Euler a, CFG scale 7, Size 512x512"));
    QVERIFY(f->evidence.startsWith(QStringLiteral("PNG tEXt \"parameters\": a cat on a sofa")));
    QCOMPARE(
        report.findings.front().code, QStringLiteral("ai-generator-metadata")); // warnings first
}

void TestMetadataReport::comfyUiGraph()
{
    const QByteArray prompt(R"({"3": {"class_type": "KSampler", "inputs": {"seed": 1}},
                               "4": {"class_type": "CheckpointLoaderSimple", "inputs": {}}})");
    const QByteArray workflow(R"({"nodes": [{"id": 3}, {"id": 4}, {"id": 9}], "links": []})");
    const MetadataReport report
        = reportOf(pngWithChunks({ pngChunk("tEXt", QByteArray("prompt") + '\0' + prompt),
            pngChunk("tEXt", QByteArray("workflow") + '\0' + workflow) }));
    const MetadataFinding *f = finding(report, QStringLiteral("ai-generator-metadata"));
    QVERIFY(f);
    QCOMPARE(f->message,
        QStringLiteral("ComfyUI settings in PNG tEXt \"prompt\": prompt graph, 2 nodes, seed 1"));
}

void TestMetadataReport::c2paInPng()
{
    const MetadataReport report = reportOf(pngWithChunks({ pngChunk("caBX", c2paStore()) }));
    QVERIFY(report.c2pa.has_value());
    QCOMPARE(report.c2pa->container, QStringLiteral("PNG caBX"));
    const MetadataFinding *manifest = finding(report, QStringLiteral("c2pa-manifest"));
    QVERIFY(manifest);
    QCOMPARE(manifest->message,
        QStringLiteral(
            "C2PA manifest from \"ForgeLens test generator/1.0\", actions: c2pa.created "
            "(trainedAlgorithmicMedia), certificate names: ForgeLens Test CA; signature NOT "
            "verified"));
    const MetadataFinding *source = finding(report, QStringLiteral("digital-source-type"));
    QVERIFY(source);
    QCOMPARE(source->severity, MetadataFinding::Severity::Warning);
    QVERIFY(source->message.contains(
        QStringLiteral("\"trainedAlgorithmicMedia\" (signature NOT verified)")));
}

void TestMetadataReport::c2paInJpeg()
{
    const QByteArray jpeg = jpegWithApp11(
        readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")),
        c2paStore({ .action = QStringLiteral("c2pa.edited"),
            .digitalSourceType = QStringLiteral("http://cv.iptc.org/newscodes/digitalsourcetype/"
                                                "compositeWithTrainedAlgorithmicMedia") }),
        200);
    const MetadataReport report = reportOf(jpeg);
    QVERIFY(report.errors.empty());
    QCOMPARE(report.c2pa->container, QStringLiteral("JPEG APP11"));
    QVERIFY(finding(report, QStringLiteral("c2pa-manifest"))
                ->message.contains(
                    QStringLiteral("c2pa.edited (compositeWithTrainedAlgorithmicMedia)")));
    QCOMPARE(finding(report, QStringLiteral("digital-source-type"))->severity,
        MetadataFinding::Severity::Warning);
}

void TestMetadataReport::xmpDigitalSourceType()
{
    const QByteArray jpeg = jpegWithSourceType("trainedAlgorithmicMedia");
    const MetadataReport report = reportOf(jpeg);
    const MetadataFinding *f = finding(report, QStringLiteral("digital-source-type"));
    QVERIFY(f);
    QCOMPARE(f->severity, MetadataFinding::Severity::Warning);
    QCOMPARE(f->message,
        QStringLiteral("XMP declares the digital source type \"trainedAlgorithmicMedia\""));
    QCOMPARE(f->evidence,
        QStringLiteral("Xmp.iptcExt.DigitalSourceType = "
                       "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"));
}

void TestMetadataReport::editorAndCamera()
{
    const QByteArray jpeg = jpegWith([](Exiv2::Image &image) {
        Exiv2::ExifData exif;
        exif["Exif.Image.Make"] = "Canon";
        exif["Exif.Image.Model"] = "Canon EOS R5";
        exif["Exif.Image.Software"] = "Adobe Photoshop 25.0 (Windows)";
        exif["Exif.Photo.ExposureTime"] = Exiv2::URational(1, 250);
        image.setExifData(exif);
    });
    const MetadataReport report = reportOf(jpeg);
    QCOMPARE(finding(report, QStringLiteral("software-editor"))->message,
        QStringLiteral("Edited or exported with \"Adobe Photoshop 25.0 (Windows)\""));
    QCOMPARE(finding(report, QStringLiteral("camera-metadata"))->message,
        QStringLiteral("Camera metadata names Canon Canon EOS R5, 1/250 s (metadata can be copied "
                       "or forged)"));
    QVERIFY(!finding(report, QStringLiteral("no-camera-metadata")));
    QCOMPARE(report.embedded.value(QStringLiteral("Exif.Image.Make")), QStringLiteral("Canon"));
}

void TestMetadataReport::generatorNamesMatchWholeWords()
{
    const auto softwareFinding = [](const char *software) {
        const MetadataReport report = reportOf(jpegWith([software](Exiv2::Image &image) {
            Exiv2::ExifData exif;
            exif["Exif.Image.Software"] = software;
            image.setExifData(exif);
        }));
        const MetadataFinding *f = finding(report, QStringLiteral("ai-generator-metadata"));
        return f ? f->message : QString();
    };
    QCOMPARE(softwareFinding("Midjourney v6"),
        QStringLiteral("Exif.Image.Software names the generator \"midjourney\""));
    QCOMPARE(softwareFinding("Influx Photo Tool 2.1"), QString());
    QCOMPARE(softwareFinding("ImageNet exporter"), QString());
}

void TestMetadataReport::noCameraMetadataAndStandardTables()
{
    const MetadataReport report
        = reportOf(readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")));
    QVERIFY(finding(report, QStringLiteral("no-camera-metadata")));
    const MetadataFinding *tables = finding(report, QStringLiteral("standard-quant-tables"));
    QVERIFY(tables);
    QVERIFY(tables->message.startsWith(
        QStringLiteral("The JPEG quantisation tables are the standard IJG tables at quality 95")));
    QVERIFY(!finding(report, QStringLiteral("ai-generator-metadata")));
}

void TestMetadataReport::thumbnailThatMatches()
{
    const QByteArray thumbnail = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    const QByteArray jpeg = jpegWithThumbnail(thumbnail);
    const MetadataReport report = reportOf(jpeg);
    QVERIFY(report.thumbnail.has_value());
    QVERIFY2(!report.thumbnail->mismatch, qPrintable(report.thumbnail->reason));
    QVERIFY(!finding(report, QStringLiteral("thumbnail-mismatch")));
}

void TestMetadataReport::thumbnailThatDoesNot()
{
    for (const QByteArray &thumbnail : { gradientJpeg(48, 32), gradientJpeg(32, 48) }) {
        const QByteArray jpeg = jpegWithThumbnail(thumbnail);
        const MetadataReport report = reportOf(jpeg);
        const MetadataFinding *f = finding(report, QStringLiteral("thumbnail-mismatch"));
        QVERIFY(f);
        QCOMPARE(f->severity, MetadataFinding::Severity::Warning);
    }
}

void TestMetadataReport::darkPictureIsNotTrimmedAway()
{
    // A night shot: its top rows are as dark as letterbox bars, but it is its own thumbnail.
    const QByteArray dark = gradientJpeg(96, 64, 40);
    const QByteArray jpeg = jpegWithThumbnail(dark, dark);
    const MetadataReport report = reportOf(jpeg);
    QVERIFY(report.thumbnail.has_value());
    QVERIFY2(!report.thumbnail->mismatch, qPrintable(report.thumbnail->reason));
}

void TestMetadataReport::algorithmicMediaIsANotice()
{
    const QByteArray jpeg = jpegWithSourceType("algorithmicMedia");
    const MetadataReport report = reportOf(jpeg);
    const MetadataFinding *f = finding(report, QStringLiteral("digital-source-type"));
    QVERIFY(f);
    QCOMPARE(f->severity, MetadataFinding::Severity::Notice); // procedural, not a trained model
}

void TestMetadataReport::malformedPartsAreErrorsAndTheRestIsRead()
{
    // A truncated JUMBF box in APP11: the C2PA part fails, the JPEG structure is still read.
    const QByteArray store = c2paStore();
    const QByteArray jpeg
        = jpegWithApp11(readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg")),
            store.left(store.size() - 50));
    const MetadataReport broken = reportOf(jpeg);
    QVERIFY(hasError(broken, QStringLiteral("malformed-c2pa")));
    QVERIFY(!broken.c2pa.has_value());
    QVERIFY(finding(broken, QStringLiteral("standard-quant-tables")));

    // A PNG chunk whose length runs past the end of the file.
    QByteArray png = pngWithChunks({ pngChunk("tEXt", QByteArray("Comment\0hello", 13)) });
    png[33] = char(0x7f);
    QVERIFY(hasError(reportOf(png), QStringLiteral("malformed-png")));

    // A zTXt bomb: stopped at the limit, reported, and the other chunk is still there.
    const QByteArray bombed = pngWithChunks(
        { pngChunk(
              "zTXt", QByteArray("Comment\0\0", 9) + zlibCompressed(QByteArray(64 << 20, '\0'))),
            pngChunk("tEXt", QByteArray("parameters\0Steps: 5, Sampler: DDIM", 35)) });
    const MetadataReport bombReport = reportOf(bombed);
    QVERIFY(hasError(bombReport, QStringLiteral("png-text-too-large")));
    QVERIFY(finding(bombReport, QStringLiteral("ai-generator-metadata")));

    // Not an image at all.
    const MetadataReport text = reportOf(QByteArray("just some text\n"));
    QVERIFY(hasError(text, QStringLiteral("metadata-unreadable")));
    QVERIFY(text.findings.empty());
}

void TestMetadataReport::exifIfdLoopIsHandled()
{
    // APP1 Exif whose IFD0 links back to itself as its next IFD.
    QByteArray tiff("II*\0\x08\0\0\0", 8);
    tiff += QByteArray("\x01\0", 2); // one entry
    tiff += QByteArray("\x0f\x01\x02\0\x04\0\0\0abc\0", 12); // Make, ASCII, "abc"
    tiff += QByteArray("\x08\0\0\0", 4); // next IFD: itself
    const QByteArray app1 = QByteArray("Exif\0\0", 6) + tiff;
    QByteArray segment("\xff\xe1", 2);
    segment += char((app1.size() + 2) >> 8);
    segment += char((app1.size() + 2) & 0xff);
    QByteArray jpeg = readFileBytes(kFixtures + QStringLiteral("pattern_baseline.jpg"));
    jpeg.insert(2, segment + app1);
    const MetadataReport report = reportOf(jpeg); // must return, not loop or crash
    // Exiv2 reads around the loop without throwing; ForgeLens still reports it.
    QVERIFY(hasError(report, QStringLiteral("metadata-malformed"))
        || hasError(report, QStringLiteral("metadata-unreadable")));
    QVERIFY(report.jpeg.has_value()); // the other parts are still read
}

void TestMetadataReport::jsonSaysTheSignatureIsNotVerified()
{
    const QJsonObject json
        = metadataReportToJson(reportOf(pngWithChunks({ pngChunk("caBX", c2paStore()) })));
    QCOMPARE(json.value(QStringLiteral("format")).toString(), QStringLiteral("png"));
    const QJsonObject c2pa = json.value(QStringLiteral("c2pa")).toObject();
    QCOMPARE(c2pa.value(QStringLiteral("signature_verified")), QJsonValue(false));
    QCOMPARE(c2pa.value(QStringLiteral("claim_generator")).toString(),
        QStringLiteral("ForgeLens test generator/1.0"));
    QVERIFY(json.value(QStringLiteral("findings")).toArray().size() >= 2);
}

QTEST_GUILESS_MAIN(TestMetadataReport)
#include "tst_metadata_report.moc"
