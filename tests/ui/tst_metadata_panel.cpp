// The metadata panel: findings in order of weight, the C2PA caveat, the property tree and its
// filter, and text from a hostile file shown escaped and capped, never as markup.
#include "forgelens/metadata/metadata_report.h"
#include "metadata_fixtures.h"
#include "ui/metadata_panel.h"

#include <QLabel>
#include <QLineEdit>
#include <QTest>
#include <QTreeWidget>

#include <algorithm>

using namespace forgelens;

namespace {

using Severity = MetadataFinding::Severity;

MetadataFinding finding(Severity severity, const QString &code)
{
    return { severity, code, QStringLiteral("message of %1").arg(code),
        QStringLiteral("evidence of %1").arg(code) };
}

MetadataProperty metadataProperty(const QString &key, const QString &value,
    const QString &type = QStringLiteral("Ascii"), const QString &raw = {})
{
    return { key.section(QLatin1Char('.'), 0, 0), key, type, value, raw.isEmpty() ? value : raw };
}

// A camera JPEG: EXIF with two levels, one IPTC and one XMP property, its structure, no PNG
// chunks, no C2PA, no thumbnail, no errors.
MetadataReport cameraReport()
{
    MetadataReport report;
    report.format = ImageFormat::Jpeg;
    report.embedded.properties = {
        metadataProperty(QStringLiteral("Exif.Image.Make"), QStringLiteral("Canon")),
        metadataProperty(QStringLiteral("Exif.Image.Model"), QStringLiteral("EOS R5")),
        metadataProperty(QStringLiteral("Exif.Photo.ExposureTime"), QStringLiteral("1/250 s"),
            QStringLiteral("Rational"), QStringLiteral("1/250")),
        metadataProperty(QStringLiteral("Exif.Photo.FNumber"), QStringLiteral("F2.8"),
            QStringLiteral("Rational"), QStringLiteral("28/10")),
        metadataProperty(QStringLiteral("Iptc.Application2.Keywords"), QStringLiteral("harbour"),
            QStringLiteral("String")),
        metadataProperty(QStringLiteral("Xmp.xmp.CreatorTool"), QStringLiteral("Lightroom Classic"),
            QStringLiteral("XmpText")),
    };
    JpegStructure jpeg;
    jpeg.process = QStringLiteral("baseline");
    jpeg.components = 3;
    jpeg.subsampling = QStringLiteral("4:2:0");
    jpeg.estimatedQuality = 92;
    jpeg.tables.push_back({ 0, 8, {} });
    report.jpeg = jpeg;
    report.findings = { finding(Severity::Info, QStringLiteral("camera-metadata")) };
    return report;
}

C2paSummary c2paSummary()
{
    C2paSummary c2pa;
    c2pa.container = QStringLiteral("JPEG APP11");
    c2pa.manifests = { QStringLiteral("urn:uuid:1234") };
    c2pa.claimGenerator = QStringLiteral("Test Generator/2.0");
    c2pa.title = QStringLiteral("generated.jpg");
    c2pa.actions = { { QStringLiteral("c2pa.created"),
        QStringLiteral("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"),
        QStringLiteral("Test Diffusion 2") } };
    c2pa.ingredients = { QStringLiteral("prompt-image.png") };
    c2pa.signatureIssuer = QStringLiteral("Test CA");
    return c2pa;
}

QTreeWidget *findingsOf(const MetadataPanel &panel)
{
    return panel.findChild<QTreeWidget *>(QStringLiteral("findings"));
}

QTreeWidget *treeOf(const MetadataPanel &panel)
{
    return panel.findChild<QTreeWidget *>(QStringLiteral("metadataTree"));
}

QLabel *c2paNoticeOf(const MetadataPanel &panel)
{
    return panel.findChild<QLabel *>(QStringLiteral("c2paSignatureNotice"));
}

// The top-level group whose name (before its count) is `name`, or nullptr.
QTreeWidgetItem *group(const QTreeWidget *tree, const QString &name)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = tree->topLevelItem(i);
        if (item->text(0).startsWith(name + QStringLiteral(" (")))
            return item;
    }
    return nullptr;
}

QTreeWidgetItem *child(const QTreeWidgetItem *parent, const QString &name)
{
    if (!parent)
        return nullptr;
    for (int i = 0; i < parent->childCount(); ++i) {
        if (parent->child(i)->text(0) == name)
            return parent->child(i);
    }
    return nullptr;
}

void collect(QTreeWidgetItem *item, QList<QTreeWidgetItem *> &items)
{
    items << item;
    for (int i = 0; i < item->childCount(); ++i)
        collect(item->child(i), items);
}

QList<QTreeWidgetItem *> allItems(const QTreeWidget *tree)
{
    QList<QTreeWidgetItem *> items;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        collect(tree->topLevelItem(i), items);
    return items;
}

// A character that would let a file draw its own lines or reorder what a reader sees.
bool hasRawControl(const QString &text)
{
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
            || c == QChar(0x2028) || c == QChar(0x2029);
    });
}

} // namespace

class TestMetadataPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void findingsAreOrderedWarningsFirst();
    void c2paCaveatOnlyWithAManifest();
    void exifGroupNestsKeysWithValues();
    void filterKeepsMatchesWithTheirParents();
    void hostileTextIsEscaped();
    void longValuesAreCapped();
    void parseErrorsAreListed();
    void showsAReportReadFromAFile();
    void unavailableSaysWhy();
    void clearEmptiesEverything();
};

void TestMetadataPanel::findingsAreOrderedWarningsFirst()
{
    MetadataReport report;
    report.format = ImageFormat::Png;
    report.findings = { finding(Severity::Info, QStringLiteral("camera-metadata")),
        finding(Severity::Warning, QStringLiteral("digital-source-type")),
        finding(Severity::Notice, QStringLiteral("software-editor")),
        finding(Severity::Warning, QStringLiteral("ai-generator-metadata")),
        finding(Severity::Info, QStringLiteral("jpeg-quality")) };
    MetadataPanel panel;
    panel.showReport(report);

    // Warnings first; within a severity the order they were derived in, not alphabetical.
    const QStringList expected = { QStringLiteral("digital-source-type"),
        QStringLiteral("ai-generator-metadata"), QStringLiteral("software-editor"),
        QStringLiteral("camera-metadata"), QStringLiteral("jpeg-quality") };
    QCOMPARE(panel.findingCodes(), expected);
    QCOMPARE(panel.findingCount(), 5);

    const QTreeWidget *findings = findingsOf(panel);
    QVERIFY(findings);
    QCOMPARE(findings->topLevelItemCount(), 5);
    const QStringList severities = { QStringLiteral("Warning"), QStringLiteral("Warning"),
        QStringLiteral("Notice"), QStringLiteral("Info"), QStringLiteral("Info") };
    for (int i = 0; i < 5; ++i) {
        const QTreeWidgetItem *row = findings->topLevelItem(i);
        QCOMPARE(row->text(0), severities[i]);
        QCOMPARE(row->text(1), expected[i]);
        QCOMPARE(row->text(2), QStringLiteral("message of %1").arg(expected[i]));
        QVERIFY(row->toolTip(2).contains(QStringLiteral("evidence of %1").arg(expected[i])));
        QCOMPARE(row->childCount(), 1);
        QCOMPARE(
            row->child(0)->text(0), QStringLiteral("Evidence: evidence of %1").arg(expected[i]));
    }
    QCOMPARE(findings->topLevelItem(0)->foreground(0).color(), QColor(0xb3, 0x26, 0x1e));
    QVERIFY(findings->topLevelItem(2)->foreground(0).color() != QColor(0xb3, 0x26, 0x1e));
}

void TestMetadataPanel::c2paCaveatOnlyWithAManifest()
{
    MetadataPanel panel;
    const QLabel *notice = c2paNoticeOf(panel);
    QVERIFY(notice);
    QCOMPARE(notice->textFormat(), Qt::PlainText);

    MetadataReport report = cameraReport();
    panel.showReport(report);
    QVERIFY(!notice->isVisibleTo(&panel));
    QVERIFY(!group(treeOf(panel), QStringLiteral("C2PA manifest")));

    report.c2pa = c2paSummary();
    panel.showReport(report);
    QVERIFY(notice->isVisibleTo(&panel));
    QVERIFY(notice->text().contains(QStringLiteral("C2PA signature NOT verified")));
    const QTreeWidgetItem *c2pa = group(treeOf(panel), QStringLiteral("C2PA manifest"));
    QVERIFY(c2pa);
    const QTreeWidgetItem *signature = child(c2pa, QStringLiteral("Signature"));
    QVERIFY(signature);
    QCOMPARE(signature->text(1), QStringLiteral("NOT verified"));
    QCOMPARE(child(c2pa, QStringLiteral("Claim generator"))->text(1),
        QStringLiteral("Test Generator/2.0"));
    QCOMPARE(child(c2pa, QStringLiteral("Certificate names"))->text(1), QStringLiteral("Test CA"));
    const QTreeWidgetItem *action = child(c2pa, QStringLiteral("Action"));
    QVERIFY(action);
    QCOMPARE(action->text(1), QStringLiteral("c2pa.created"));
    QVERIFY(child(action, QStringLiteral("Digital source type"))
                ->text(1)
                .endsWith(QStringLiteral("trainedAlgorithmicMedia")));
    QCOMPARE(child(action, QStringLiteral("Software agent"))->text(1),
        QStringLiteral("Test Diffusion 2"));

    report.c2pa.reset();
    panel.showReport(report);
    QVERIFY(!notice->isVisibleTo(&panel));
}

void TestMetadataPanel::exifGroupNestsKeysWithValues()
{
    MetadataPanel panel;
    panel.showReport(cameraReport());
    const QTreeWidget *tree = treeOf(panel);
    QVERIFY(tree);
    QCOMPARE(tree->columnCount(), 3);
    QCOMPARE(tree->headerItem()->text(0), QStringLiteral("Property"));

    const QTreeWidgetItem *exif = group(tree, QStringLiteral("EXIF"));
    QVERIFY(exif);
    QCOMPARE(exif->text(0), QStringLiteral("EXIF (4)"));
    const QTreeWidgetItem *make
        = child(child(exif, QStringLiteral("Image")), QStringLiteral("Make"));
    QVERIFY(make);
    QCOMPARE(make->text(1), QStringLiteral("Canon"));
    QCOMPARE(make->text(2), QStringLiteral("Ascii"));
    const QTreeWidgetItem *exposure
        = child(child(exif, QStringLiteral("Photo")), QStringLiteral("ExposureTime"));
    QVERIFY(exposure);
    QCOMPARE(exposure->text(1), QStringLiteral("1/250 s"));
    QCOMPARE(exposure->text(2), QStringLiteral("Rational"));
    QVERIFY(exposure->toolTip(1).contains(QStringLiteral("Exif.Photo.ExposureTime")));
    QVERIFY(exposure->toolTip(1).contains(QStringLiteral("Stored as: 1/250")));

    QCOMPARE(group(tree, QStringLiteral("IPTC"))->text(0), QStringLiteral("IPTC (1)"));
    QCOMPARE(group(tree, QStringLiteral("XMP"))->text(0), QStringLiteral("XMP (1)"));
    const QTreeWidgetItem *jpeg = group(tree, QStringLiteral("JPEG structure"));
    QVERIFY(jpeg);
    QCOMPARE(child(jpeg, QStringLiteral("Estimated quality"))->text(1), QStringLiteral("92"));
    QCOMPARE(child(jpeg, QStringLiteral("Chroma subsampling"))->text(1), QStringLiteral("4:2:0"));
    QVERIFY(child(jpeg, QStringLiteral("Quantisation table 0")));

    // Empty groups are left out.
    QVERIFY(!group(tree, QStringLiteral("PNG text chunks")));
    QVERIFY(!group(tree, QStringLiteral("Embedded thumbnail")));
    QVERIFY(!group(tree, QStringLiteral("Parse errors")));
    QCOMPARE(tree->topLevelItemCount(), 4);

    MetadataReport withoutIptc = cameraReport();
    withoutIptc.embedded.properties.erase(withoutIptc.embedded.properties.begin() + 4);
    panel.showReport(withoutIptc);
    QVERIFY(!group(tree, QStringLiteral("IPTC")));
    QVERIFY(group(tree, QStringLiteral("XMP")));
}

void TestMetadataPanel::filterKeepsMatchesWithTheirParents()
{
    MetadataPanel panel;
    panel.show(); // so that the typed keys reach the search box as they would a person's
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showReport(cameraReport());
    const QTreeWidget *tree = treeOf(panel);
    auto *filter = panel.findChild<QLineEdit *>(QStringLiteral("metadataFilter"));
    QVERIFY(filter);
    QCOMPARE(filter->placeholderText(), QStringLiteral("Filter properties…"));
    QVERIFY(filter->isClearButtonEnabled());

    QTreeWidgetItem *exif = group(tree, QStringLiteral("EXIF"));
    QTreeWidgetItem *image = child(exif, QStringLiteral("Image"));
    QTreeWidgetItem *photo = child(exif, QStringLiteral("Photo"));
    QTreeWidgetItem *make = child(image, QStringLiteral("Make"));
    QTreeWidgetItem *model = child(image, QStringLiteral("Model"));
    QTreeWidgetItem *exposure = child(photo, QStringLiteral("ExposureTime"));
    QTreeWidgetItem *xmp = group(tree, QStringLiteral("XMP"));
    QTreeWidgetItem *iptc = group(tree, QStringLiteral("IPTC"));
    QTreeWidgetItem *jpeg = group(tree, QStringLiteral("JPEG structure"));
    QVERIFY(make && model && exposure && xmp && iptc && jpeg);

    // By value, whatever the case.
    panel.setFilter(QStringLiteral("CANON"));
    QCOMPARE(filter->text(), QStringLiteral("CANON"));
    QVERIFY(!make->isHidden());
    QVERIFY(!image->isHidden());
    QVERIFY(!exif->isHidden());
    QVERIFY(exif->isExpanded());
    QVERIFY(image->isExpanded());
    QVERIFY(model->isHidden());
    QVERIFY(photo->isHidden());
    QVERIFY(xmp->isHidden());
    QVERIFY(iptc->isHidden());
    QVERIFY(jpeg->isHidden());

    // By name, typed into the box.
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("exposure"));
    QVERIFY(!exposure->isHidden());
    QVERIFY(!photo->isHidden());
    QVERIFY(child(photo, QStringLiteral("FNumber"))->isHidden());
    QVERIFY(image->isHidden());
    QVERIFY(xmp->isHidden());

    panel.setFilter(QStringLiteral("lightroom"));
    QVERIFY(!xmp->isHidden());
    QVERIFY(exif->isHidden());

    panel.setFilter(QStringLiteral("no such text anywhere"));
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        QVERIFY(tree->topLevelItem(i)->isHidden());

    panel.setFilter(QString());
    for (QTreeWidgetItem *item : allItems(tree))
        QVERIFY2(!item->isHidden(), qPrintable(item->text(0)));

    // A new report keeps the filter that was typed.
    panel.setFilter(QStringLiteral("canon"));
    panel.showReport(cameraReport());
    QVERIFY(group(tree, QStringLiteral("XMP"))->isHidden());
    QVERIFY(!group(tree, QStringLiteral("EXIF"))->isHidden());
}

void TestMetadataPanel::hostileTextIsEscaped()
{
    const QString hostile = QStringLiteral("Canon\x1b[31m RED \u202Eevil\u2028line\nnext\u200b");
    const QString markup = QStringLiteral("<b>bold</b><img src=\"x\">");
    MetadataReport report;
    report.format = ImageFormat::Png;
    report.embedded.properties = { metadataProperty(QStringLiteral("Exif.Image.Make"), hostile),
        metadataProperty(
            QStringLiteral("Xmp.dc.ti\u202Etle"), markup, QStringLiteral("Xmp\u0007Text")) };
    report.findings
        = { { Severity::Warning, QStringLiteral("ai-generator-metadata"), hostile, hostile } };
    PngChunkScan png;
    png.chunkTypes
        = { QStringLiteral("IHDR"), QStringLiteral("tE\u0000t"), QStringLiteral("IEND") };
    png.texts.push_back({ QStringLiteral("iTXt"), hostile, hostile, hostile, true });
    png.problems.push_back({ ErrorCode::PngTextMalformed, hostile });
    report.png = png;
    C2paSummary c2pa = c2paSummary();
    c2pa.title = hostile;
    c2pa.claimGenerator = markup;
    c2pa.actions.push_back({ hostile, hostile, hostile });
    c2pa.ingredients << hostile;
    c2pa.signatureIssuer = hostile;
    report.c2pa = c2pa;
    report.thumbnail = ThumbnailComparison{ 160, 120, 0.3, 0.1, true, hostile };
    report.errors.push_back({ ErrorCode::MetadataMalformed, hostile });
    report.embedded.warnings << hostile + QStringLiteral(" (warning)");

    MetadataPanel panel;
    panel.showReport(report);
    int checked = 0;
    for (const QTreeWidget *tree : { findingsOf(panel), treeOf(panel) }) {
        for (const QTreeWidgetItem *item : allItems(tree)) {
            for (int column = 0; column < tree->columnCount(); ++column) {
                QVERIFY2(!hasRawControl(item->text(column)), qPrintable(item->text(column)));
                QVERIFY2(!hasRawControl(item->toolTip(column)), qPrintable(item->toolTip(column)));
                // Tooltips are rich text as soon as they look like it: the file's markup must
                // arrive escaped.
                QVERIFY2(!item->toolTip(column).contains(QStringLiteral("<img")),
                    qPrintable(item->toolTip(column)));
                ++checked;
            }
        }
    }
    QVERIFY(checked > 40);

    const QTreeWidgetItem *make
        = child(child(group(treeOf(panel), QStringLiteral("EXIF")), QStringLiteral("Image")),
            QStringLiteral("Make"));
    QVERIFY(make);
    QCOMPARE(make->text(1),
        QStringLiteral("Canon\\u001b[31m RED \\u202eevil\\u2028line\\u000anext\\u200b"));
    const QTreeWidgetItem *title
        = child(group(treeOf(panel), QStringLiteral("XMP")), QStringLiteral("dc"))->child(0);
    QCOMPARE(title->text(0), QStringLiteral("ti\\u202etle"));
    QCOMPARE(title->text(1), markup); // plain item text: shown as the characters it is
    QVERIFY(title->toolTip(1).contains(QStringLiteral("&lt;img src=&quot;x&quot;&gt;")));
    QCOMPARE(findingsOf(panel)->topLevelItem(0)->text(2), make->text(1));
    QCOMPARE(panel.findingCodes(), QStringList{ QStringLiteral("ai-generator-metadata") });

    for (const QLabel *label : panel.findChildren<QLabel *>()) {
        QCOMPARE(label->textFormat(), Qt::PlainText);
        QVERIFY(!hasRawControl(label->text()));
    }
    panel.showUnavailable(QStringLiteral("/evidence/\u202Egpj.exe: ") + hostile);
    const auto *status = panel.findChild<QLabel *>(QStringLiteral("metadataStatus"));
    QVERIFY(status);
    QVERIFY(status->isVisibleTo(&panel));
    QVERIFY(!hasRawControl(status->text()));
    QVERIFY(status->text().contains(QStringLiteral("\\u202egpj.exe")));
}

void TestMetadataPanel::longValuesAreCapped()
{
    const QString huge(50000, QLatin1Char('z'));
    MetadataReport report;
    report.format = ImageFormat::Jpeg;
    report.embedded.properties = { metadataProperty(
        QStringLiteral("Exif.Photo.UserComment"), huge, QStringLiteral("Comment")) };
    MetadataPanel panel;
    panel.showReport(report);
    const QTreeWidgetItem *comment
        = child(child(group(treeOf(panel), QStringLiteral("EXIF")), QStringLiteral("Photo")),
            QStringLiteral("UserComment"));
    QVERIFY(comment);
    QCOMPARE(comment->text(1), QString(2000, QLatin1Char('z')) + QStringLiteral("…"));
    const QString tip = comment->toolTip(1);
    QCOMPARE(tip.count(QLatin1Char('z')), 20000);
    QVERIFY(tip.contains(QStringLiteral("z…")));
}

void TestMetadataPanel::parseErrorsAreListed()
{
    MetadataReport report = cameraReport();
    report.errors.push_back({ ErrorCode::MalformedJpeg, QStringLiteral("DQT too short") });
    // readMetadataReport lists each Exiv2 warning as an error too: it is shown once.
    report.errors.push_back({ ErrorCode::MetadataMalformed,
        QStringLiteral("Exiv2 read around malformed metadata: IFD loop") });
    report.embedded.warnings = { QStringLiteral("IFD loop"), QStringLiteral("value past end") };
    MetadataPanel panel;
    panel.showReport(report);
    const QTreeWidgetItem *errors = group(treeOf(panel), QStringLiteral("Parse errors"));
    QVERIFY(errors);
    QCOMPARE(errors->text(0), QStringLiteral("Parse errors (3)"));
    QCOMPARE(errors->child(0)->text(0), QStringLiteral("malformed-jpeg"));
    QCOMPARE(errors->child(0)->text(1), QStringLiteral("DQT too short"));
    QCOMPARE(errors->child(2)->text(1), QStringLiteral("value past end"));
    const auto *status = panel.findChild<QLabel *>(QStringLiteral("metadataStatus"));
    QVERIFY(status->text().contains(QStringLiteral("Parse errors")));
}

void TestMetadataPanel::showsAReportReadFromAFile()
{
    using namespace forgelens::testing;
    const QByteArray parameters("a photo of a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, "
                                "Seed: 42, Size: 512x512, Model: v1-5-pruned-emaonly");
    const QByteArray bytes
        = pngWithChunks({ pngChunk("tEXt", QByteArray("parameters") + '\0' + parameters),
            pngChunk("caBX", c2paStore()) });
    const MetadataReport report = readMetadataReport(
        { reinterpret_cast<const std::uint8_t *>(bytes.constData()), size_t(bytes.size()) });
    MetadataPanel panel;
    panel.showReport(report);

    QVERIFY(panel.findingCodes().contains(QStringLiteral("ai-generator-metadata")));
    QVERIFY(panel.findingCodes().contains(QStringLiteral("c2pa-manifest")));
    QCOMPARE(findingsOf(panel)->topLevelItem(0)->text(0), QStringLiteral("Warning"));
    QVERIFY(c2paNoticeOf(panel)->isVisibleTo(&panel));

    const QTreeWidgetItem *png = group(treeOf(panel), QStringLiteral("PNG text chunks"));
    QVERIFY(png);
    QCOMPARE(png->text(0), QStringLiteral("PNG text chunks (1)"));
    const QTreeWidgetItem *chunk = child(png, QStringLiteral("parameters"));
    QVERIFY(chunk);
    QVERIFY(chunk->text(1).startsWith(QStringLiteral("a photo of a cat\\u000aSteps: 20")));
    QCOMPARE(chunk->text(2), QStringLiteral("tEXt"));
    QVERIFY(child(png, QStringLiteral("Chunks in file order"))
                ->text(1)
                .startsWith(QStringLiteral("IHDR tEXt caBX")));

    const QTreeWidgetItem *c2pa = group(treeOf(panel), QStringLiteral("C2PA manifest"));
    QVERIFY(c2pa);
    QCOMPARE(child(c2pa, QStringLiteral("Signature"))->text(1), QStringLiteral("NOT verified"));
    QCOMPARE(child(c2pa, QStringLiteral("Claim generator"))->text(1),
        QStringLiteral("ForgeLens test generator/1.0"));
    QCOMPARE(child(c2pa, QStringLiteral("Container"))->text(1), QStringLiteral("PNG caBX"));
    QVERIFY(child(c2pa, QStringLiteral("Certificate names"))
                ->text(1)
                .contains(QStringLiteral("ForgeLens Test CA")));
    QCOMPARE(
        child(child(c2pa, QStringLiteral("Action")), QStringLiteral("Software agent"))->text(1),
        QStringLiteral("Test Diffusion 2"));
}

void TestMetadataPanel::unavailableSaysWhy()
{
    MetadataPanel panel;
    panel.showReport(cameraReport());
    panel.showUnavailable(QStringLiteral("truncated: the file ends inside a segment"));
    QCOMPARE(panel.findingCount(), 0);
    QCOMPARE(findingsOf(panel)->topLevelItemCount(), 0);
    QCOMPARE(treeOf(panel)->topLevelItemCount(), 0);
    const auto *status = panel.findChild<QLabel *>(QStringLiteral("metadataStatus"));
    QVERIFY(status->isVisibleTo(&panel));
    QVERIFY(status->text().contains(QStringLiteral("truncated: the file ends inside a segment")));
}

void TestMetadataPanel::clearEmptiesEverything()
{
    MetadataReport report = cameraReport();
    report.c2pa = c2paSummary();
    report.findings.push_back(finding(Severity::Warning, QStringLiteral("c2pa-manifest")));
    MetadataPanel panel;
    panel.showReport(report);
    panel.setFilter(QStringLiteral("canon"));
    QCOMPARE(panel.findingCount(), 2);
    QVERIFY(treeOf(panel)->topLevelItemCount() > 0);

    panel.clear();
    QCOMPARE(panel.findingCount(), 0);
    QVERIFY(panel.findingCodes().isEmpty());
    QCOMPARE(findingsOf(panel)->topLevelItemCount(), 0);
    QCOMPARE(treeOf(panel)->topLevelItemCount(), 0);
    QVERIFY(!c2paNoticeOf(panel)->isVisibleTo(&panel));
    QVERIFY(panel.findChild<QLineEdit *>(QStringLiteral("metadataFilter"))->text().isEmpty());
    QVERIFY(!panel.findChild<QLabel *>(QStringLiteral("metadataStatus"))->isVisibleTo(&panel));
}

QTEST_MAIN(TestMetadataPanel)
#include "tst_metadata_panel.moc"
