// The workspace window, driven with QTest on the offscreen platform. With FORGELENS_SCREENSHOTS
// set to a folder (and a real display, e.g. under xvfb-run with QT_QPA_PLATFORM=xcb), the
// tests that show a state worth seeing save it there as PNG.
#include "metadata_fixtures.h"
#include "test_model_factory.h"
#include "ui/exemplar_strip.h"
#include "ui/image_view.h"
#include "ui/main_window.h"
#include "ui/maps_panel.h"
#include "ui/metadata_panel.h"
#include "ui/scan_panel.h"

#include "forgelens/case/case_file.h"
#include "forgelens/scan/triage_marks.h"
#include "forgelens/session/case_session.h"
#include "forgelens/session/scan_results_model.h"
#include "forgelens/session/workbench.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTreeWidget>
#include <QUrl>

using namespace forgelens;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

QString labelText(const QWidget &window, const char *name)
{
    const auto *label = window.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QLatin1String(name));
}

QAction *action(const QMainWindow &window, const QString &text)
{
    for (QAction *menu : window.menuBar()->actions()) {
        for (QAction *item : menu->menu()->actions()) {
            if (item->text().remove(u'&') == text)
                return item;
        }
    }
    return nullptr;
}

void saveScreenshot(QWidget &window, const QString &name)
{
    const QString folder = qEnvironmentVariable("FORGELENS_SCREENSHOTS");
    if (folder.isEmpty())
        return;
    QTest::qWait(300);
    window.grab().save(folder + u'/' + name);
}

// A PNG as Stable Diffusion WebUI (AUTOMATIC1111) writes it: the image, then a tEXt chunk
// "parameters" with the prompt and the generation settings.
QByteArray stableDiffusionPng()
{
    QImage image(384, 256, QImage::Format_RGB888);
    QPainter painter(&image);
    QLinearGradient sky(0, 0, 0, 256);
    sky.setColorAt(0, QColor(0x2a, 0x3f, 0x8f));
    sky.setColorAt(1, QColor(0xf2, 0xa0, 0x6b));
    painter.fillRect(image.rect(), sky);
    painter.setBrush(QColor(0x1d, 0x2b, 0x1f));
    painter.drawEllipse(QPoint(190, 300), 260, 110);
    painter.end();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    QByteArray png = buffer.data();
    const QByteArray parameters = "a lighthouse on a cliff at sunset, oil painting\n"
                                  "Negative prompt: blurry\n"
                                  "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, "
                                  "Size: 384x256, Model: v1-5-pruned-emaonly";
    // After the signature (8 bytes) and IHDR (25 bytes).
    png.insert(33, testing::pngChunk("tEXt", QByteArray("parameters") + '\0' + parameters));
    return png;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void twoDetectorsSideBySide();
    void failedModelSwapKeepsTheVerdictAndSaysWhy();
    void truncatedFileShowsWhatDecodedWithoutAVerdict();
    void generatorMetadataSitsBesideTheVerdict();
    void tilesScoredAreOutlined();
    void severalImagesWithNextAndPrevious();
    void acceptsDroppedFilesAndBundles();
    void onlyTheNewestRequestIsShown();
    void recentFilesAreRemembered();
    void closingWhileBusyIsSafe();
    void folderScanFillsTheTableAndOpensRows();
    void mapsAndExemplarsOfTheOpenImage();
    void aCaseKeepsTheWorkAndExportsItsReport();

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_second;
    QString m_tiled;
    QString m_sdPng;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings go to a test location
    QApplication::setOrganizationName(QStringLiteral("ForgeLensTest"));
    m_model = m_dir.filePath(QStringLiteral("test-model.pt"));
    QVERIFY(testing::saveTestBundle(m_model, testing::makeTestModule(1), testing::testManifest()));
    m_second = m_dir.filePath(QStringLiteral("second.pt"));
    QVERIFY(testing::saveTestBundle(m_second, testing::makeTestModule(2, 9),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("second") },
            { QStringLiteral("name"), QStringLiteral("Second test detector") } })));
    QJsonObject input = testing::testManifest().value(QStringLiteral("input")).toObject();
    input.insert(QStringLiteral("resize"),
        QJsonObject{ { QStringLiteral("policy"), QStringLiteral("none") } });
    input.insert(QStringLiteral("crop"),
        QJsonObject{ { QStringLiteral("policy"), QStringLiteral("tiles") },
            { QStringLiteral("size"), QJsonArray{ 128, 128 } },
            { QStringLiteral("max_tiles"), 9 } });
    m_tiled = m_dir.filePath(QStringLiteral("tiled.pt"));
    QVERIFY(testing::saveTestBundle(m_tiled, testing::makeTestModule(1, 4),
        testing::testManifest({ { QStringLiteral("id"), QStringLiteral("tiled") },
            { QStringLiteral("input"), input } })));
    m_sdPng = m_dir.filePath(QStringLiteral("sd-webui.png"));
    QFile png(m_sdPng);
    QVERIFY(png.open(QIODevice::WriteOnly));
    png.write(stableDiffusionPng());
}

void TestMainWindow::twoDetectorsSideBySide()
{
    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    QSignalSpy imageShown(&window, &MainWindow::imageShown);
    window.loadStartupDetectors({ m_model, m_second });
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 30000);
    window.openImage(kFixtures + QStringLiteral("pattern_orient6.jpg"));
    QVERIFY(shown.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    const auto *busy = window.findChild<QProgressBar *>(QStringLiteral("busyIndicator"));
    QVERIFY(!busy->isVisible());

    const AnalysisRecord record = shown.last().first().value<AnalysisRecord>();
    QVERIFY(record.ok());
    const auto *table = window.findChild<QTableWidget *>(QStringLiteral("comparisonTable"));
    QCOMPARE(table->rowCount(), 2);
    for (int row = 0; row < 2; ++row) {
        const Prediction &p = *record.detectors[size_t(row)].prediction;
        QCOMPARE(table->item(row, 0)->text(), record.detectors[size_t(row)].model->manifest.id);
        QCOMPARE(table->item(row, 1)->text(), QString::number(double(p.pSynthetic), 'f', 3));
        // The one label vocabulary, caveat included.
        QCOMPARE(
            table->item(row, 2)->text(), QStringLiteral("untrained_") + verdictCode(p.verdict));
    }
    // Two untrained test models: neither counts towards the agreement, and it says so.
    QVERIFY2(labelText(window, "agreement").contains(QStringLiteral("Not counted: 2")),
        qPrintable(labelText(window, "agreement")));
    QVERIFY(
        labelText(window, "probability")
            .contains(QString::number(double(record.detectors[0].prediction->pSynthetic), 'f', 3)));
    QVERIFY(labelText(window, "verdict").contains(QStringLiteral("Threshold 0.500")));
    QVERIFY(labelText(window, "caveats").contains(QStringLiteral("UNTRAINED TEST MODEL")));
    QCOMPARE(window.findChild<QLineEdit *>(QStringLiteral("sha256"))->text(), record.digest.sha256);
    QVERIFY(labelText(window, "fileDetails").contains(QStringLiteral("32 × 48")));
    QVERIFY(imageShown.size() >= 1 || imageShown.wait(30000));
    QCOMPARE(window.findChild<ImageView *>()->image().size(), QSize(32, 48)); // upright
    const auto *detectors = window.findChild<QTreeWidget *>(QStringLiteral("detectorList"));
    QCOMPARE(detectors->topLevelItemCount(), 2);
    QCOMPARE(detectors->topLevelItem(0)->text(1), QStringLiteral("[UNTRAINED TEST MODEL]"));

    // Selecting the second row shows its verdict in words.
    const_cast<QTableWidget *>(table)->setCurrentCell(1, 0);
    QVERIFY2(labelText(window, "probability").contains(QStringLiteral("second")),
        qPrintable(labelText(window, "probability")));
}

// The bug this window once had: a good model and an image, then a bundle that does not load.
void TestMainWindow::failedModelSwapKeepsTheVerdictAndSaysWhy()
{
    MainWindow window;
    window.show();
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadModel(m_model);
    QVERIFY(ready.wait(30000));
    window.openImage(kFixtures + QStringLiteral("pattern.png"));
    QVERIFY(shown.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    const QString before = labelText(window, "probability");

    const QString notABundle = m_dir.filePath(QStringLiteral("notes.pt"));
    QFile notes(notABundle);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("not a model");
    notes.close();
    window.workbench().replaceDetector(0, notABundle);
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(window, "detectorError").contains(QStringLiteral("bad-bundle")), 30000);
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("detectorError"))->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    QCOMPARE(window.workbench().detectorCount(), 1);
    QCOMPARE(labelText(window, "probability"), before); // the verdict and its model stay
    QCOMPARE(window.findChild<QTableWidget *>(QStringLiteral("comparisonTable"))->rowCount(), 1);
    QCOMPARE(shown.size(), 1);

    window.loadModel(m_dir.filePath(QStringLiteral("missing.pt")));
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(window, "detectorError").contains(QStringLiteral("not-found")), 30000);
}

void TestMainWindow::truncatedFileShowsWhatDecodedWithoutAVerdict()
{
    MainWindow window;
    window.show();
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    QSignalSpy imageShown(&window, &MainWindow::imageShown);
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadModel(m_model);
    QVERIFY(ready.wait(30000));
    window.openImage(kFixtures + QStringLiteral("truncated.jpg"));
    QVERIFY(shown.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    QVERIFY(labelText(window, "error").contains(QStringLiteral("truncated")));
    QCOMPARE(labelText(window, "probability"), QStringLiteral("–"));
    QCOMPARE(window.findChild<QTableWidget *>(QStringLiteral("comparisonTable"))->rowCount(), 0);
    const auto *view = window.findChild<ImageView *>();
    QCOMPARE(view->image().size(), QSize(48, 32));
    QVERIFY(view->banner().contains(QStringLiteral("TRUNCATED")));

    // The window goes on working after the error, and the banner goes with the file.
    window.openImage(kFixtures + QStringLiteral("pattern.png"));
    QTRY_VERIFY_WITH_TIMEOUT(shown.size() == 2 && !window.isBusy(), 30000);
    QVERIFY(shown.last().first().value<AnalysisRecord>().ok());
    QVERIFY(labelText(window, "error").isEmpty());
    QVERIFY(view->banner().isEmpty());
}

void TestMainWindow::generatorMetadataSitsBesideTheVerdict()
{
    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadModel(m_model);
    QVERIFY(ready.wait(30000));
    window.openImage(m_sdPng);
    QVERIFY(shown.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    // Whatever the detector says, the file's own word is beside it.
    QVERIFY2(labelText(window, "caveats").contains(QStringLiteral("ai-generator-metadata")),
        qPrintable(labelText(window, "caveats")));
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("caveats"))->isVisible());
    const auto *panel = window.findChild<MetadataPanel *>();
    QVERIFY(panel->findingCodes().contains(QStringLiteral("ai-generator-metadata")));
    QCOMPARE(panel->findingCodes().first(), QStringLiteral("ai-generator-metadata"));
    window.findChild<QTabWidget *>(QStringLiteral("inspectorTabs"))->setCurrentIndex(1);
    saveScreenshot(window, QStringLiteral("metadata-panel.png"));
}

void TestMainWindow::tilesScoredAreOutlined()
{
    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadModel(m_tiled);
    QVERIFY(ready.wait(30000));
    window.openImage(QStringLiteral(FORGELENS_SAMPLE_IMAGE)); // 451 x 300
    QVERIFY(shown.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    const AnalysisRecord record = shown.last().first().value<AnalysisRecord>();
    QVERIFY(record.ok());
    auto *view = window.findChild<ImageView *>();
    QTRY_COMPARE_WITH_TIMEOUT(view->overlays().size(), size_t(1), 10000);
    QCOMPARE(
        view->overlays().front().regions.size(), size_t(record.detectors[0].prediction->tiles));
    QCOMPARE(view->overlays().front().regions, record.detectors[0].regions);
    // 451 x 300 in 128-pixel tiles: a 3 x 4 grid, thinned to 2 x 4 by max_tiles 9.
    QCOMPARE(view->overlays().front().regions.size(), size_t(8));

    // Zoom from the View menu.
    action(window, QStringLiteral("Actual Size (1:1)"))->trigger();
    QCOMPARE(view->zoom(), 1.0);
    action(window, QStringLiteral("Zoom In"))->trigger();
    QVERIFY(view->zoom() > 1.2);
    view->setZoom(2.0, QPointF(view->width() / 2.0, view->height() / 2.0));
    QVERIFY(labelText(window, "zoomLevel").contains(QStringLiteral("200")));
    saveScreenshot(window, QStringLiteral("zoomed-tiles.png"));
    action(window, QStringLiteral("Show Scored Regions"))->trigger();
    QVERIFY(!view->overlaysVisible());
    action(window, QStringLiteral("Fit to Window"))->trigger();
    QVERIFY(view->isFitToWindow());
}

void TestMainWindow::severalImagesWithNextAndPrevious()
{
    MainWindow window;
    window.show();
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadModel(m_model);
    QVERIFY(ready.wait(30000));
    window.openImages(
        { kFixtures + QStringLiteral("pattern.png"), kFixtures + QStringLiteral("text_renamed.png"),
            kFixtures + QStringLiteral("pattern.gif") });
    QVERIFY(shown.wait(30000));
    auto *list = window.findChild<QListWidget *>(QStringLiteral("evidenceList"));
    QCOMPARE(list->count(), 3);
    QCOMPARE(list->currentRow(), 0);
    action(window, QStringLiteral("Next Image"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(shown.size() == 2 && !window.isBusy(), 30000);
    QVERIFY(labelText(window, "error").contains(QStringLiteral("not-an-image")));
    QCOMPARE(list->currentRow(), 1);
    QVERIFY(list->item(1)->text().contains(QStringLiteral("not-an-image")));
    action(window, QStringLiteral("Previous Image"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(shown.size() == 3 && !window.isBusy(), 30000);
    QCOMPARE(window.workbench().currentIndex(), 0);
    list->setCurrentRow(2); // a click in the list
    QTRY_VERIFY_WITH_TIMEOUT(shown.size() == 4 && !window.isBusy(), 30000);
    QVERIFY(
        shown.last().first().value<AnalysisRecord>().path.endsWith(QStringLiteral("pattern.gif")));
}

void TestMainWindow::acceptsDroppedFilesAndBundles()
{
    MainWindow window;
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(m_model),
        QUrl::fromLocalFile(kFixtures + QStringLiteral("pattern.gif")),
        QUrl::fromLocalFile(kFixtures + QStringLiteral("pattern.bmp")) });
    const QPoint centre = window.rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(centre), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QVERIFY(ready.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy() && !shown.isEmpty(), 30000);
    QCOMPARE(window.workbench().files().size(), 2);
    QCOMPARE(window.workbench().detectorCount(), 1);
    const AnalysisRecord record = shown.last().first().value<AnalysisRecord>();
    QVERIFY(record.path.endsWith(QStringLiteral("pattern.gif")));
    QCOMPARE(record.scoredCount(), 1); // analysed again once the dropped detector was ready
}

void TestMainWindow::onlyTheNewestRequestIsShown()
{
    MainWindow window;
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    window.loadModel(m_model);
    QVERIFY(ready.wait(30000));
    window.openImage(kFixtures + QStringLiteral("pattern_progressive.jpg"));
    window.openImage(kFixtures + QStringLiteral("pattern.bmp"));
    QVERIFY(shown.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    QTest::qWait(200); // let any stale result arrive: it must be dropped
    QCOMPARE(shown.count(), 1);
    QVERIFY(
        shown.first().first().value<AnalysisRecord>().path.endsWith(QStringLiteral("pattern.bmp")));
}

void TestMainWindow::recentFilesAreRemembered()
{
    {
        MainWindow window;
        window.openImage(kFixtures + QStringLiteral("pattern.png"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    }
    const Preferences preferences = Preferences::load();
    QCOMPARE(preferences.recentFiles.value(0), kFixtures + QStringLiteral("pattern.png"));
}

void TestMainWindow::closingWhileBusyIsSafe()
{
    auto *window = new MainWindow;
    window->show();
    window->loadModel(m_model);
    window->openImage(kFixtures + QStringLiteral("pattern.png"));
    delete window; // jobs still queued or running must not touch it
    QVERIFY(QThreadPool::globalInstance()->waitForDone(30000));
    QTest::qWait(100); // their queued signals are dropped with the window
}

// The folder workflow end to end: a scan fills the table while it runs, a row opens its file in
// the workspace (and the file opened before leaves the evidence list), next goes down the
// filtered rows, a mark is saved, and the report opened later shows the rows and the mark.
void TestMainWindow::folderScanFillsTheTableAndOpensRows()
{
    const QString folder = m_dir.filePath(QStringLiteral("scan-evidence"));
    QVERIFY(QDir().mkpath(folder));
    const QStringList names{ QStringLiteral("pattern.png"), QStringLiteral("pattern.bmp"),
        QStringLiteral("pattern_baseline.jpg"), QStringLiteral("truncated.jpg"),
        QStringLiteral("pattern.gif") };
    for (const QString &name : names)
        QVERIFY(QFile::copy(kFixtures + name, folder + u'/' + name));
    const QString report = m_dir.filePath(QStringLiteral("window-scan.csv"));
    {
        MainWindow window;
        window.resize(1500, 900);
        window.show();
        QSignalSpy ready(&window, &MainWindow::modelReady);
        QSignalSpy finished(&window.workbench(), &Workbench::scanFinished);
        window.loadModel(m_model);
        // Asked for while the detector still loads: it starts once it is ready.
        window.scanFolder(folder, report);
        QVERIFY(ready.wait(30000));
        QVERIFY(finished.wait(60000));
        ScanPanel *panel = window.scanPanel();
        QVERIFY(panel->isVisible());
        ScanResultsModel &model = panel->model();
        QCOMPARE(model.rowCount(), 5);
        QVERIFY(QFile::exists(report));

        ScanResultsFilter failed;
        failed.status = QStringLiteral("failed");
        panel->setFilter(failed);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowAt(0)->path, QStringLiteral("truncated.jpg"));
        panel->setFilter({});
        panel->table()->sortByColumn(model.pathColumn(), Qt::AscendingOrder);

        QSignalSpy shown(&window, &MainWindow::analysisShown);
        panel->selectNext();
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && !window.isBusy(), 30000);
        QCOMPARE(window.workbench().currentFile(),
            QFileInfo(folder + QStringLiteral("/pattern.bmp")).absoluteFilePath());
        panel->selectNext();
        QTRY_VERIFY_WITH_TIMEOUT(shown.size() >= 2 && !window.isBusy(), 30000);
        QCOMPARE(window.workbench().currentFile(),
            QFileInfo(folder + QStringLiteral("/pattern.gif")).absoluteFilePath());
        QCOMPARE(window.workbench().files().size(), 1); // the row before left the list
        QVERIFY(!model.setMark(1, TriageMark::Suspicious));
        QVERIFY(QFile::exists(TriageMarks::pathFor(report)));
    }
    MainWindow later;
    later.show();
    later.openReport(report);
    ScanResultsModel &model = later.scanPanel()->model();
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 5, 10000);
    const int gif = model.visibleRowOf(QStringLiteral("pattern.gif"));
    QVERIFY(gif >= 0);
    QVERIFY(model.triage(gif));
    QCOMPARE(model.triage(gif)->mark, TriageMark::Suspicious);
    QCOMPARE(model.absolutePath(gif), QDir(folder).absolutePath() + QStringLiteral("/pattern.gif"));
}

// A bank built from the window, maps computed from the Maps tab: the layer lies over the image,
// the legend names the units, the exemplar strip shows the neighbours, and the patch-similarity
// map of a detector without a bank says why there is none.
void TestMainWindow::mapsAndExemplarsOfTheOpenImage()
{
    QTemporaryDir folder;
    QVERIFY(QDir(folder.path()).mkpath(QStringLiteral("real")));
    QVERIFY(QDir(folder.path()).mkpath(QStringLiteral("synthetic")));
    QVERIFY(QFile::copy(
        kFixtures + QStringLiteral("pattern.bmp"), folder.filePath(QStringLiteral("real/a.bmp"))));
    QVERIFY(QFile::copy(kFixtures + QStringLiteral("pattern_baseline.jpg"),
        folder.filePath(QStringLiteral("real/b.jpg"))));
    QVERIFY(QFile::copy(kFixtures + QStringLiteral("pattern_rgba.png"),
        folder.filePath(QStringLiteral("synthetic/c.png"))));
    QVERIFY(QFile::copy(kFixtures + QStringLiteral("pattern.tiff"),
        folder.filePath(QStringLiteral("synthetic/d.tiff"))));

    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.loadStartupDetectors({ m_model, m_second });
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 30000);
    Workbench &workbench = window.workbench();
    QSignalSpy banks(&workbench, &Workbench::banksChanged);
    QVERIFY(!workbench.startBankBuild(
        0, folder.path(), m_dir.filePath(QStringLiteral("window-bank.sqlite"))));
    QVERIFY(banks.wait(60000));
    const auto *detectors = window.findChild<QTreeWidget *>(QStringLiteral("detectorList"));
    QTRY_VERIFY(
        detectors->topLevelItem(0)->text(2).contains(QStringLiteral("2 real, 2 synthetic")));
    QCOMPARE(detectors->topLevelItem(1)->text(2), QStringLiteral("none"));

    QSignalSpy exemplars(&workbench, &Workbench::exemplarsReady);
    window.openImage(QStringLiteral(FORGELENS_SAMPLE_IMAGE)); // 451 x 300
    QVERIFY(exemplars.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
    ExemplarStrip *strip = window.exemplarStrip();
    QCOMPARE(strip->shown().size(), 2);
    QVERIFY(strip->shown()[0].neighbourhood.has_value());
    QCOMPARE(strip->shown()[0].neighbourhood->neighbours.size(), size_t(4));
    auto *list = strip->findChild<QListWidget *>(QStringLiteral("exemplars-0"));
    QVERIFY(list);
    QCOMPARE(list->count(), 4);

    MapsPanel *maps = window.mapsPanel();
    window.showInspectorTab(maps);
    QSignalSpy made(&workbench, &Workbench::mapsReady);
    QTest::mouseClick(
        maps->findChild<QPushButton *>(QStringLiteral("computeMaps")), Qt::LeftButton);
    QVERIFY(made.wait(60000));
    auto *view = window.findChild<ImageView *>();
    maps->showMap(0, ImageMap::Kind::PatchSimilarity);
    QVERIFY(maps->shownMap() != nullptr);
    QCOMPARE(maps->shownMap()->kind, ImageMap::Kind::PatchSimilarity);
    QVERIFY(!view->mapLayer().isNull());
    saveScreenshot(window, QStringLiteral("maps-patch-similarity.png"));
    maps->showMap(0, ImageMap::Kind::TileScore);
    QVERIFY(labelText(window, "mapAbout").contains(QStringLiteral("P(synthetic)")));
    maps->showMap(1, ImageMap::Kind::PatchSimilarity);
    QVERIFY(maps->shownMap() == nullptr);
    QVERIFY(view->mapLayer().isNull());
    QVERIFY2(labelText(window, "mapAbout").contains(QStringLiteral("no exemplar bank")),
        qPrintable(labelText(window, "mapAbout")));
    // The opacity slider and the toggle act on the layer.
    maps->showMap(1, ImageMap::Kind::SelfConsistency);
    QVERIFY(!view->mapLayer().isNull());
    maps->findChild<QCheckBox *>(QStringLiteral("showMap"))->setChecked(false);
    QVERIFY(view->mapLayer().isNull());
}

void TestMainWindow::aCaseKeepsTheWorkAndExportsItsReport()
{
    const QString evidence = m_dir.filePath(QStringLiteral("case-evidence"));
    QVERIFY(QDir().mkpath(evidence));
    const QString image = evidence + QStringLiteral("/lighthouse.png");
    QVERIFY(QFile::copy(m_sdPng, image));
    QVERIFY(QFile::copy(
        kFixtures + QStringLiteral("pattern.png"), evidence + QStringLiteral("/pattern.png")));
    const QString casePath = m_dir.filePath(QStringLiteral("window.forgelens"));
    const QString report = m_dir.filePath(QStringLiteral("case-scan.csv"));
    QString sha256;
    {
        MainWindow window;
        window.resize(1500, 900);
        window.show();
        CaseSession *session = window.workbench().caseSession();
        QSignalSpy opened(session, &CaseSession::caseOpened);
        QSignalSpy ready(&window, &MainWindow::modelReady);
        QSignalSpy shown(&window, &MainWindow::analysisShown);
        window.loadModel(m_model);
        QVERIFY(ready.wait(30000));
        CaseHeader header;
        header.number = QStringLiteral("W-7");
        header.title = QStringLiteral("Lighthouse");
        header.examiner = QStringLiteral("A. Analyst");
        header.timeZone = QStringLiteral("Europe/Berlin");
        window.newCase(casePath, header);
        QVERIFY(opened.wait(30000));
        QVERIFY(window.windowTitle().contains(QStringLiteral("Case W-7: Lighthouse")));
        window.openImage(image);
        QVERIFY(shown.wait(30000));
        sha256 = shown.last().first().value<AnalysisRecord>().digest.sha256;
        // Taken in and recorded: case-created, evidence-added, run-added.
        QTRY_VERIFY_WITH_TIMEOUT(session->chainStatus().entries >= 3, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(
            labelText(window, "custody").contains(QStringLiteral("match the SHA-256")), 10000);

        // A folder scan goes into the case, and its marks are kept there, not in a sidecar.
        QSignalSpy finished(&window.workbench(), &Workbench::scanFinished);
        window.scanFolder(evidence, report);
        QVERIFY(finished.wait(60000));
        const qint64 afterScan = session->chainStatus().entries;
        QTRY_VERIFY_WITH_TIMEOUT(session->chainStatus().entries > 3, 30000);
        QVERIFY(!window.scanPanel()->model().setMark(0, TriageMark::Suspicious));
        QTRY_VERIFY_WITH_TIMEOUT(session->chainStatus().entries > afterScan, 30000);
        QVERIFY(!QFile::exists(TriageMarks::pathFor(report)));

        // Notes on the case and on the image shown, written from the window.
        const qint64 beforeNotes = session->chainStatus().entries;
        window.addCaseNote(QStringLiteral("Received by e-mail.\nNo other copy."), false);
        window.addCaseNote(QStringLiteral("The horizon is bent."), true);
        QTRY_VERIFY_WITH_TIMEOUT(session->chainStatus().entries >= beforeNotes + 2, 30000);
        const QString pdf = m_dir.filePath(QStringLiteral("window-report.pdf"));
        const QString json = m_dir.filePath(QStringLiteral("window-report.json"));
        QSignalSpy exported(&window, &MainWindow::reportExported);
        window.exportReport(pdf, json);
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.last().at(1).toString(), QString());
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject content = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonArray items = content.value(QStringLiteral("evidence")).toArray();
        QCOMPARE(items.size(), 1);
        QCOMPARE(items.first().toObject().value(QStringLiteral("sha256")).toString(), sha256);
        QCOMPARE(content.value(QStringLiteral("scans")).toArray().size(), 1);
        QCOMPARE(content.value(QStringLiteral("notes"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("text"))
                     .toString(),
            QStringLiteral("Received by e-mail.\nNo other copy."));
        QCOMPARE(items.first()
                     .toObject()
                     .value(QStringLiteral("notes"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("text"))
                     .toString(),
            QStringLiteral("The horizon is bent."));
        QVERIFY(QFileInfo(pdf).size() > 10000);
        saveScreenshot(window, QStringLiteral("case-window.png"));
        // An export into the evidence folder is refused.
        window.exportReport(evidence + QStringLiteral("/report.pdf"), QString());
        QVERIFY(exported.wait(30000));
        QVERIFY(exported.last().at(1).toString().contains(QStringLiteral("never written")));
    }
    {
        Result<std::unique_ptr<CaseFile>> kept = CaseFile::open(casePath);
        QVERIFY(kept.ok());
        QVERIFY((*kept)->chainStatus().intact);
        QCOMPARE((*kept)->marks().size(), size_t(1));
        QCOMPARE((*kept)->log().back().action, QStringLiteral("exported"));
    }
    // The evidence changes behind the case's back: reopened, the case says so for that file.
    QImage changed(image);
    changed.setPixelColor(0, 0, Qt::red);
    QVERIFY(changed.save(image));
    MainWindow window;
    window.resize(1500, 900);
    window.show();
    CaseSession *session = window.workbench().caseSession();
    QSignalSpy checked(session, &CaseSession::evidenceChecked);
    window.openCase(casePath);
    QTRY_VERIFY_WITH_TIMEOUT(!checked.isEmpty(), 30000);
    QCOMPARE(checked.first().at(1).value<EvidenceCheck>().state, EvidenceState::Changed);
    QCOMPARE(window.workbench().currentFile(), QFileInfo(image).absoluteFilePath());
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(window, "custody").contains(QStringLiteral("EVIDENCE CHANGED")), 10000);
    QVERIFY(labelText(window, "custody").contains(sha256));
    saveScreenshot(window, QStringLiteral("case-evidence-changed.png"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
