#include "main_window.h"

#include "forgelens/image/image_format.h"

#include "case_header_dialog.h"
#include "detector_list_panel.h"
#include "display_image_job.h"
#include "evaluation_panel.h"
#include "evidence_list.h"
#include "exemplar_strip.h"
#include "image_view.h"
#include "maps_panel.h"
#include "metadata_panel.h"
#include "preferences_dialog.h"
#include "report_export.h"
#include "report_export_dialog.h"
#include "scan_panel.h"
#include "verdict_panel.h"

#include "forgelens/models/default_bundle.h"
#include "forgelens/report/display_text.h"
#include "forgelens/report/verdict_statement.h"
#include "forgelens/sandbox/decoder_pool.h"
#include "forgelens/scan/scan_report.h"
#include "forgelens/session/workbench.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QThreadPool>

namespace forgelens {
namespace {

// "*.jpg *.heic …": every suffix an image file is named with, for the open dialog's filter.
QString imageFilePatterns()
{
    QStringList patterns = imageFileSuffixes();
    for (QString &suffix : patterns)
        suffix.prepend(QStringLiteral("*."));
    return patterns.join(u' ');
}

// Outline colours for the detectors' scored regions, by row.
const QColor kRegionColours[]
    = { QColor(0x00, 0xc8, 0xff), QColor(0xff, 0xb0, 0x00), QColor(0xff, 0x3d, 0xa0),
          QColor(0x4c, 0xe0, 0x5a), QColor(0xb0, 0x8c, 0xff), QColor(0xff, 0xff, 0x60) };

QString defaultPlaceholder()
{
    return MainWindow::tr("Drop images here, or choose File ▸ Open Images… (Ctrl+O).\n\nFiles "
                          "are opened read-only and never modified.");
}

bool isBundle(const QString &path)
{
    return path.endsWith(QLatin1String(".pt"), Qt::CaseInsensitive);
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_preferences(Preferences::load()), m_workbench(new Workbench(this)),
      m_imageView(new ImageView(this)), m_verdictPanel(new VerdictPanel(this)),
      m_metadataPanel(new MetadataPanel(this)),
      m_detectorPanel(new DetectorListPanel(m_workbench, this)),
      m_evidenceList(new EvidenceList(m_workbench, this)),
      m_scanPanel(new ScanPanel(m_workbench, this)), m_scanDock(new QDockWidget(this)),
      m_mapsPanel(new MapsPanel(m_workbench, m_imageView, this)),
      m_exemplarStrip(new ExemplarStrip(m_workbench, m_imageView, this)),
      m_exemplarDock(new QDockWidget(this)),
      m_evaluationPanel(new EvaluationPanel(m_workbench, this)),
      m_evaluationDock(new QDockWidget(this)), m_tabs(new QTabWidget(this)),
      m_busy(new QProgressBar(this)), m_status(new QLabel(this)), m_cursor(new QLabel(this)),
      m_zoom(new QLabel(this))
{
    qRegisterMetaType<QImage>();
    setWindowTitle(tr("ForgeLens"));
    setAcceptDrops(true);
    applyEngineConfig();

    m_tabs->setObjectName(QStringLiteral("inspectorTabs"));
    m_tabs->addTab(m_verdictPanel, tr("Verdicts"));
    m_tabs->addTab(m_metadataPanel, tr("Metadata"));
    m_tabs->addTab(m_mapsPanel, tr("Maps"));
    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_imageView);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({ 600, 700 });
    setCentralWidget(splitter);
    m_imageView->setPlaceholder(defaultPlaceholder());

    auto *evidenceDock = new QDockWidget(tr("Evidence"), this);
    evidenceDock->setObjectName(QStringLiteral("evidenceDock"));
    evidenceDock->setWidget(m_evidenceList);
    addDockWidget(Qt::LeftDockWidgetArea, evidenceDock);
    auto *detectorDock = new QDockWidget(tr("Detectors"), this);
    detectorDock->setObjectName(QStringLiteral("detectorDock"));
    detectorDock->setWidget(m_detectorPanel);
    addDockWidget(Qt::LeftDockWidgetArea, detectorDock);
    m_scanDock->setWindowTitle(tr("Folder scan"));
    m_scanDock->setObjectName(QStringLiteral("scanDock"));
    m_scanDock->setWidget(m_scanPanel);
    addDockWidget(Qt::BottomDockWidgetArea, m_scanDock);
    m_scanDock->hide();
    m_exemplarDock->setWindowTitle(tr("Nearest exemplars"));
    m_exemplarDock->setObjectName(QStringLiteral("exemplarDock"));
    m_exemplarDock->setWidget(m_exemplarStrip);
    addDockWidget(Qt::BottomDockWidgetArea, m_exemplarDock);
    m_evaluationDock->setWindowTitle(tr("Evaluation"));
    m_evaluationDock->setObjectName(QStringLiteral("evaluationDock"));
    m_evaluationDock->setWidget(m_evaluationPanel);
    // Beside the exemplars, as a tab: the figures and plots need the window's whole width.
    tabifyDockWidget(m_exemplarDock, m_evaluationDock);
    m_evaluationDock->hide();
    connect(m_evaluationPanel, &EvaluationPanel::openRequested, this, &MainWindow::openFromScan);
    connect(m_evaluationPanel, &EvaluationPanel::statusMessage, m_status, &QLabel::setText);
    connect(m_scanPanel, &ScanPanel::openRequested, this, &MainWindow::openFromScan);
    connect(m_scanPanel, &ScanPanel::statusMessage, m_status, &QLabel::setText);
    connect(m_workbench, &Workbench::detectorsChanged, this, [this] {
        if (!m_banksWhenLoaded.isEmpty() && m_workbench->loadingBundles().isEmpty())
            attachBanksWhenLoaded(std::exchange(m_banksWhenLoaded, {}));
        if (m_scanWhenLoaded && m_workbench->loadingBundles().isEmpty()) {
            auto start = std::move(m_scanWhenLoaded);
            m_scanWhenLoaded = nullptr;
            start();
        }
    });

    m_busy->setObjectName(QStringLiteral("busyIndicator"));
    m_busy->setRange(0, 0); // indeterminate: a busy indicator
    m_busy->setMaximumWidth(160);
    m_busy->hide();
    m_cursor->setObjectName(QStringLiteral("cursorPixel"));
    m_cursor->setMinimumWidth(150);
    m_zoom->setObjectName(QStringLiteral("zoomLevel"));
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_cursor);
    statusBar()->addPermanentWidget(m_zoom);
    statusBar()->addPermanentWidget(m_busy);

    connect(m_workbench, &Workbench::analysisStarted, this, &MainWindow::onAnalysisStarted);
    connect(m_workbench, &Workbench::imageDecoded, this, &MainWindow::onImageDecoded);
    connect(m_workbench, &Workbench::recordReady, this, &MainWindow::onRecordReady);
    CaseSession *session = m_workbench->caseSession();
    connect(session, &CaseSession::caseOpened, this,
        [this](const QString &path, const QStringList &evidence) {
            Preferences::remember(m_preferences.recentCases, path);
            m_preferences.save();
            if (!evidence.isEmpty())
                m_workbench->openFiles(evidence);
            m_status->setText(tr("Case %1 open: %n evidence item(s)", nullptr, int(evidence.size()))
                                  .arg(displayText(m_workbench->caseSession()->header().number)));
            // From now on the case keeps the scan panel's marks (ISSUE-NOTES: its one store).
            m_scanPanel->model().setTriageStore(
                [this](const QString &rowPath, const TriageEntry &entry) -> std::optional<Error> {
                    m_workbench->caseSession()->setMark(CaseMark{
                        rowPath, entry.sha256, entry.mark, entry.note, entry.changedUtc });
                    return std::nullopt;
                });
        });
    connect(session, &CaseSession::caseChanged, this, &MainWindow::updateCaseState);
    connect(session, &CaseSession::caseClosed, this, [this] {
        m_scanPanel->model().setTriageStore(nullptr);
        updateCaseState();
        showCustody();
    });
    connect(session, &CaseSession::evidenceChecked, this,
        [this](const QString &path, const EvidenceCheck &check) {
            if (check.state != EvidenceState::Unchanged)
                m_status->setText(displayText(check.message));
            if (path == m_workbench->currentFile())
                showCustody();
        });
    connect(
        session, &CaseSession::caseFailed, this, [this](const QString &what, const Error &error) {
            // Not modal: the work in the background goes on while the analyst reads it.
            auto *box = new QMessageBox(QMessageBox::Warning, what,
                QStringLiteral("%1\n\n[%2]").arg(displayText(error.message), error.codeName()),
                QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
            m_status->setText(QStringLiteral("%1: %2").arg(what, displayText(error.message)));
        });
    connect(session, &CaseSession::marksLoaded, this,
        [this](const QString &reportCsv, const QVector<CaseMark> &marks) {
            if (m_scanPanel->reportCsv() != reportCsv)
                return;
            TriageMarks triage;
            for (const CaseMark &mark : marks)
                triage.set(
                    mark.path, TriageEntry{ mark.mark, mark.note, mark.sha256, mark.changedUtc });
            m_scanPanel->model().setTriage(std::move(triage));
        });
    connect(m_workbench, &Workbench::busyChanged, this, &MainWindow::updateBusy);
    connect(m_workbench, &Workbench::currentChanged, this, [this](int, const QString &path) {
        m_imageView->setPlaceholder(defaultPlaceholder());
        updateCaseState();
        showCustody();
        if (path.isEmpty()) {
            m_imageView->clearImage();
            m_verdictPanel->clear();
            m_metadataPanel->clear();
            m_mapsPanel->clear(QString());
            m_exemplarStrip->clear(QString());
            m_displayedPath.clear();
            m_record.reset();
        }
    });
    connect(m_workbench, &Workbench::detectorLoadStarted, this, [this](const QString &bundle) {
        m_status->setText(
            tr("Loading detector %1 …").arg(displayText(QFileInfo(bundle).fileName())));
    });
    connect(m_workbench, &Workbench::detectorLoaded, this, [this](const QString &bundle) {
        Preferences::remember(m_preferences.recentBundles, bundle);
        m_preferences.save();
        m_status->setText(
            tr("Detector %1 is ready.").arg(displayText(QFileInfo(bundle).fileName())));
        Q_EMIT modelReady();
    });
    connect(m_workbench, &Workbench::detectorLoadFailed, this,
        [this](const QString &bundle, const Error &error) {
            m_status->setText(
                tr("%1 could not be loaded [%2]; the detectors are unchanged.")
                    .arg(displayText(QFileInfo(bundle).fileName()), error.codeName()));
        });
    connect(m_verdictPanel, &VerdictPanel::detectorSelected, this, &MainWindow::showOverlays);
    connect(m_imageView, &ImageView::cursorPixelChanged, this, [this](QPoint pixel, bool inside) {
        m_cursor->setText(inside ? tr("x %1, y %2").arg(pixel.x()).arg(pixel.y()) : QString());
    });
    connect(m_imageView, &ImageView::zoomChanged, this, [this](double zoom) {
        m_zoom->setText(tr("%1 %").arg(zoom * 100.0, 0, 'f', zoom < 0.1 ? 1 : 0));
    });
    createMenus();
}

MainWindow::~MainWindow()
{
    m_preferences.save();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Images…"), this, &MainWindow::chooseImages);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &Folder…"), this, &MainWindow::chooseFolder)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    file->addAction(tr("Open Scan Re&port…"), this, &MainWindow::chooseReport);
    QMenu *recentFiles = file->addMenu(tr("Open &Recent"));
    connect(recentFiles, &QMenu::aboutToShow, this,
        [this, recentFiles] { fillRecentMenu(recentFiles, m_preferences.recentFiles, false); });
    QAction *close = file->addAction(
        tr("&Close Image"), this, [this] { m_workbench->closeFile(m_workbench->currentIndex()); });
    close->setShortcut(QKeySequence::Close);
    file->addSeparator();
    file->addAction(tr("&New Case…"), this, &MainWindow::chooseNewCase)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    file->addAction(tr("Open &Case…"), this, &MainWindow::chooseCase);
    QMenu *recentCases = file->addMenu(tr("Recent Cas&es"));
    connect(recentCases, &QMenu::aboutToShow, this, [this, recentCases] {
        recentCases->clear();
        for (const QString &path : m_preferences.recentCases)
            recentCases->addAction(displayText(path), this, [this, path] { openCase(path); });
        if (m_preferences.recentCases.isEmpty())
            recentCases->addAction(tr("(none)"))->setEnabled(false);
    });
    QAction *saveAs = file->addAction(tr("Save Case &As…"), this, &MainWindow::chooseCaseSaveAs);
    QAction *closeCase = file->addAction(
        tr("Close Cas&e"), this, [this] { m_workbench->caseSession()->closeCase(); });
    const auto askForNote = [this](bool aboutImage) {
        bool ok = false;
        const QString text = QInputDialog::getMultiLineText(this,
            aboutImage ? tr("Note on the Image Shown") : tr("Note on the Case"),
            aboutImage ? tr("The note is kept in the case with this image's SHA-256, logged, and "
                            "printed in the report.")
                       : tr("The note is kept in the case, logged, and printed in the report."),
            QString(), &ok);
        if (ok && !text.trimmed().isEmpty())
            addCaseNote(text, aboutImage);
    };
    QAction *caseNote
        = file->addAction(tr("Add Note to the Case…"), this, [askForNote] { askForNote(false); });
    QAction *imageNote = file->addAction(
        tr("Add Note to the Image Shown…"), this, [askForNote] { askForNote(true); });
    QAction *exportReport
        = file->addAction(tr("&Export Report…"), this, &MainWindow::chooseReportExport);
    exportReport->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    const QList<QAction *> caseActions{ saveAs, closeCase, caseNote, imageNote, exportReport };
    for (QAction *action : caseActions)
        action->setEnabled(false);
    connect(m_workbench->caseSession(), &CaseSession::caseChanged, this, [caseActions, this] {
        for (QAction *action : caseActions)
            action->setEnabled(m_workbench->caseSession()->isOpen());
    });
    connect(m_workbench->caseSession(), &CaseSession::caseClosed, this, [caseActions] {
        for (QAction *action : caseActions)
            action->setEnabled(false);
    });
    file->addSeparator();
    file->addAction(tr("&Preferences…"), this, &MainWindow::editPreferences)
        ->setShortcut(QKeySequence::Preferences);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *detectors = menuBar()->addMenu(tr("&Detectors"));
    QAction *add
        = detectors->addAction(tr("&Add Detector…"), this, [this] { chooseBundle(std::nullopt); });
    add->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QMenu *recentBundles = detectors->addMenu(tr("Recent &Bundles"));
    connect(recentBundles, &QMenu::aboutToShow, this, [this, recentBundles] {
        fillRecentMenu(recentBundles, m_preferences.recentBundles, true);
    });
    detectors->addAction(tr("&Replace Selected…"), this, [this] {
        const int index = m_detectorPanel->selectedIndex();
        chooseBundle(index >= 0 ? std::optional<int>(index) : std::nullopt);
    });
    detectors->addAction(tr("&Unload Selected"), this,
        [this] { m_workbench->removeDetector(m_detectorPanel->selectedIndex()); });
    detectors->addSeparator();
    const auto showEvaluation = [this] { showEvaluationDock(); };
    detectors->addAction(tr("&Evaluate on Labelled Folder…"), this, [this, showEvaluation] {
        showEvaluation();
        m_evaluationPanel->evaluateFolder();
    });
    detectors->addAction(tr("Open E&valuation…"), this, [this, showEvaluation] {
        showEvaluation();
        m_evaluationPanel->openEvaluation();
    });
    detectors->addSeparator();
    detectors->addAction(tr("Analyse &Again"), this, [this] { m_workbench->reanalyse(); })
        ->setShortcut(QKeySequence::Refresh);
    connect(m_detectorPanel, &DetectorListPanel::addRequested, this,
        [this] { chooseBundle(std::nullopt); });
    connect(m_detectorPanel, &DetectorListPanel::replaceRequested, this,
        [this](int index) { chooseBundle(index); });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Zoom &In"), m_imageView, &ImageView::zoomIn)
        ->setShortcuts({ QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal) });
    view->addAction(tr("Zoom &Out"), m_imageView, &ImageView::zoomOut)
        ->setShortcut(QKeySequence::ZoomOut);
    view->addAction(tr("&Actual Size (1:1)"), m_imageView, &ImageView::zoomActualSize)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    view->addAction(tr("&Fit to Window"), m_imageView, &ImageView::zoomToFit)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    QAction *regions = view->addAction(tr("Show &Scored Regions"));
    regions->setCheckable(true);
    regions->setChecked(m_showRegions);
    regions->setShortcut(QKeySequence(Qt::Key_T));
    regions->setToolTip(tr("Outline the crop or tiles the selected detector actually scored"));
    connect(regions, &QAction::toggled, this, [this](bool on) {
        m_showRegions = on;
        m_imageView->setOverlaysVisible(on);
    });
    view->addAction(m_scanDock->toggleViewAction());
    view->addAction(m_exemplarDock->toggleViewAction());
    view->addAction(m_evaluationDock->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("Next Scan &Row"), m_scanPanel, &ScanPanel::selectNext)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Down));
    view->addAction(tr("Previous Scan Ro&w"), m_scanPanel, &ScanPanel::selectPrevious)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Up));
    view->addAction(tr("&Next Image"), m_workbench, &Workbench::next)
        ->setShortcuts({ QKeySequence(Qt::Key_PageDown), QKeySequence(Qt::ALT | Qt::Key_Right) });
    view->addAction(tr("&Previous Image"), m_workbench, &Workbench::previous)
        ->setShortcuts({ QKeySequence(Qt::Key_PageUp), QKeySequence(Qt::ALT | Qt::Key_Left) });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ForgeLens"), this, [this] {
        QMessageBox::about(this, tr("About ForgeLens"),
            tr("<b>ForgeLens %1</b><br>A workbench for telling camera "
               "photographs from generated images.<br>Detector scores are "
               "evidence to weigh, not proof.")
                .arg(QStringLiteral(FORGELENS_VERSION)));
    });
}

void MainWindow::fillRecentMenu(QMenu *menu, const QStringList &paths, bool bundles)
{
    menu->clear();
    for (const QString &path : paths) {
        QAction *action = menu->addAction(displayText(path), this, [this, path, bundles] {
            if (bundles)
                loadModel(path);
            else
                openImage(path);
        });
        action->setEnabled(QFileInfo::exists(path));
    }
    if (paths.isEmpty())
        menu->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::chooseImages()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open Images"),
        QFileInfo(m_workbench->currentFile()).absolutePath(),
        tr("Images (%1);;All files (*)").arg(imageFilePatterns()));
    if (!paths.isEmpty())
        openImages(paths);
}

void MainWindow::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Scan Folder"), QFileInfo(m_workbench->currentFile()).absolutePath());
    if (!folder.isEmpty())
        chooseReportAndScan(folder);
}

void MainWindow::chooseReportAndScan(const QString &folder)
{
    // Reports go where the analyst says, never into the evidence: by default a folder of
    // reports in their documents.
    const QString reports = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
        + QStringLiteral("/ForgeLens reports");
    QDir().mkpath(reports);
    const QString suggested = reports + u'/' + QFileInfo(folder).fileName()
        + QDateTime::currentDateTime().toString(QStringLiteral("-yyyyMMdd-HHmm"))
        + QStringLiteral(".csv");
    QString report = QFileDialog::getSaveFileName(this,
        tr("Save the Scan Report of %1").arg(displayText(QFileInfo(folder).fileName())), suggested,
        tr("CSV reports (*.csv)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (report.isEmpty())
        return;
    if (!report.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
        report += QStringLiteral(".csv");
    bool resume = false;
    bool overwrite = false;
    if (QFileInfo::exists(report + QStringLiteral(".partial"))) {
        QMessageBox box(QMessageBox::Question, tr("Interrupted scan"),
            tr("An interrupted scan left its rows for this report. Continue it, or start "
               "afresh (its rows are discarded)?"),
            QMessageBox::Cancel, this);
        QPushButton *resumeButton = box.addButton(tr("Resume"), QMessageBox::AcceptRole);
        QPushButton *afresh = box.addButton(tr("Start Afresh"), QMessageBox::DestructiveRole);
        box.exec();
        if (box.clickedButton() == resumeButton)
            resume = true;
        else if (box.clickedButton() == afresh) {
            QFile::remove(report + QStringLiteral(".partial"));
            QFile::remove(report + QStringLiteral(".partial.json"));
        } else
            return;
    }
    if (!resume && QFileInfo::exists(report)) {
        if (QMessageBox::question(this, tr("Replace the report?"),
                tr("%1 exists. Replace it with a new scan?").arg(displayText(report)))
            != QMessageBox::Yes)
            return;
        overwrite = true;
    }
    scanFolder(folder, report, resume, overwrite);
}

void MainWindow::showScanDock()
{
    if (m_scanDock->isVisible())
        return;
    m_scanDock->show();
    // The table gets half the window; the image and its verdicts keep the rest.
    resizeDocks({ m_scanDock }, { height() / 2 }, Qt::Vertical);
}

void MainWindow::showEvaluationDock()
{
    m_evaluationDock->show();
    m_evaluationDock->raise();
    resizeDocks({ m_evaluationDock }, { height() * 3 / 5 }, Qt::Vertical);
}

void MainWindow::evaluateFolder(const QString &folder, const QString &outputDir)
{
    showEvaluationDock();
    if (!m_workbench->loadingBundles().isEmpty()) {
        m_status->setText(tr("The evaluation of %1 starts once the detectors have loaded …")
                              .arg(displayText(folder)));
        m_scanWhenLoaded = [this, folder, outputDir] { evaluateFolder(folder, outputDir); };
        return;
    }
    m_evaluationPanel->startEvaluation(folder, QString(), outputDir);
}

void MainWindow::scanFolder(
    const QString &folder, const QString &reportCsv, bool resume, bool overwrite)
{
    showScanDock();
    if (m_workbench->detectorCount() == 0 && !m_workbench->loadingBundles().isEmpty()) {
        m_status->setText(
            tr("The scan of %1 starts once the detectors have loaded …").arg(displayText(folder)));
        m_scanWhenLoaded = [this, folder, reportCsv, resume, overwrite] {
            scanFolder(folder, reportCsv, resume, overwrite);
        };
        return;
    }
    Workbench::FolderScanRequest request;
    request.folder = folder;
    request.reportCsv = reportCsv;
    request.resume = resume;
    request.overwrite = overwrite;
    if (std::optional<Error> error = m_workbench->startFolderScan(request)) {
        m_status->setText(
            tr("The scan of %1 did not start [%2]: %3")
                .arg(displayText(folder), error->codeName(), displayText(error->message)));
        return;
    }
    m_scanPanel->beginScan(folder, reportCsv, resume);
    m_status->setText(tr("Scanning %1 into %2 …").arg(displayText(folder), displayText(reportCsv)));
}

void MainWindow::chooseReport()
{
    const QString report = QFileDialog::getOpenFileName(this, tr("Open Scan Report"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
            + QStringLiteral("/ForgeLens reports"),
        tr("Scan reports (*.csv *.csv.partial);;All files (*)"));
    if (!report.isEmpty())
        openReport(report);
}

void MainWindow::openReport(const QString &reportCsv)
{
    // Reading and checking a report of 100,000 rows takes a moment: off the UI thread.
    m_status->setText(tr("Reading %1 …").arg(displayText(reportCsv)));
    auto *watcher = new QObject(this);
    QThreadPool::globalInstance()->start([this, reportCsv, watcher] {
        Result<ScanReport> report = readScanReport(reportCsv);
        QMetaObject::invokeMethod(watcher, [this, report = std::move(report), watcher]() mutable {
            watcher->deleteLater();
            if (!report) {
                m_status->setText(
                    tr("%1 cannot be shown [%2]: %3")
                        .arg(displayText(report.error().message.section(u':', 0, 0)),
                            report.error().codeName(), displayText(report.error().message)));
                return;
            }
            showScanDock();
            m_status->setText(tr("Report %1: %L2 rows")
                                  .arg(displayText(report->csvPath))
                                  .arg(report->rows.size()));
            const QString csv = report->csvPath;
            m_scanPanel->showReport(std::move(report).value());
            // Its marks go into the open case, which shows them from then on.
            if (m_workbench->caseSession()->isOpen())
                m_workbench->caseSession()->importTriage(csv);
        });
    });
}

void MainWindow::openFromScan(const QString &path)
{
    // The folder panel browses: the file it opened before leaves the evidence list, unless the
    // analyst opened it themselves.
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QString previous = m_openedFromScan;
    m_openedFromScan = m_workbench->files().contains(absolute) ? QString() : absolute;
    m_workbench->openFiles({ absolute }); // current, and analysed
    if (!previous.isEmpty() && previous != absolute) {
        const qsizetype index = m_workbench->files().indexOf(previous);
        if (index >= 0)
            m_workbench->closeFile(int(index));
    }
}

void MainWindow::chooseBundle(std::optional<int> replacing)
{
    const QString path = QFileDialog::getOpenFileName(this,
        replacing ? tr("Replace Detector") : tr("Add Detector"),
        QFileInfo(m_preferences.recentBundles.value(0)).absolutePath(),
        tr("Model bundles (*.pt);;All files (*)"));
    if (path.isEmpty())
        return;
    if (replacing)
        m_workbench->replaceDetector(*replacing, path);
    else
        loadModel(path);
}

void MainWindow::editPreferences()
{
    QStringList current;
    for (const std::shared_ptr<const ModelInfo> &model : m_workbench->detectors())
        current << model->bundlePath;
    PreferencesDialog dialog(m_preferences, current, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_preferences = dialog.preferences();
    m_preferences.save();
    applyEngineConfig();
}

void MainWindow::setThresholdOverrides(const QStringList &overrides)
{
    m_thresholdOverrides = overrides;
    applyEngineConfig();
}

void MainWindow::applyEngineConfig()
{
    EngineConfig config = m_preferences.engineConfig();
    config.thresholdOverrides = m_thresholdOverrides;
    m_workbench->setEngineConfig(config);
}

void MainWindow::loadModel(const QString &bundlePath)
{
    m_workbench->addDetector(bundlePath);
}

void MainWindow::loadStartupDetectors(const QStringList &explicitBundles)
{
    QStringList bundles = explicitBundles;
    if (bundles.isEmpty()) {
        for (const QString &path : m_preferences.defaultDetectors) {
            if (QFileInfo::exists(path))
                bundles << path;
        }
    }
    if (bundles.isEmpty()) {
        Result<QString> found = findDefaultBundle();
        if (!found) {
            m_status->setText(tr("No detector loaded: %1").arg(displayText(found.error().message)));
            return;
        }
        bundles << *found;
    }
    for (const QString &bundle : bundles)
        loadModel(bundle);
    m_status->setText(tr("Loading %1 …").arg(displayText(bundles.join(QStringLiteral(", ")))));
}

void MainWindow::openImage(const QString &path)
{
    openImages({ path });
}

void MainWindow::openImages(const QStringList &paths)
{
    for (const QString &path : paths)
        Preferences::remember(m_preferences.recentFiles, QFileInfo(path).absoluteFilePath());
    m_workbench->openFiles(paths);
}

bool MainWindow::isBusy() const
{
    return m_workbench->isBusy() || m_displayJobs > 0;
}

void MainWindow::updateBusy()
{
    m_busy->setVisible(isBusy());
}

void MainWindow::attachBanksWhenLoaded(const QStringList &banks)
{
    if (!m_workbench->loadingBundles().isEmpty() || m_workbench->detectorCount() == 0) {
        m_banksWhenLoaded += banks;
        return;
    }
    for (const QString &bank : banks)
        m_workbench->attachBank(-1, bank);
}

void MainWindow::showInspectorTab(QWidget *panel)
{
    m_tabs->setCurrentWidget(panel);
}

void MainWindow::onAnalysisStarted(const QString &path)
{
    if (m_workbench->detectorCount() == 0)
        m_verdictPanel->showWaitingForDetectors(path);
    else
        m_verdictPanel->showAnalysing(path);
    m_record.reset();
    m_metadataPanel->clear();
    // Every analysis invalidates the maps and neighbours on screen (the workbench cancels maps
    // in flight): they are made again from the new record.
    m_mapsPanel->clear(path);
    m_exemplarStrip->clear(path);
    m_status->setText(tr("Analysing %1 …").arg(displayText(QFileInfo(path).fileName())));
    if (path != m_displayedPath) {
        // Another file: its pixels replace these once decoded; an old picture must never sit
        // beside a new file's verdicts.
        m_imageView->clearImage();
        m_imageView->setPlaceholder(
            tr("Decoding %1 …").arg(displayText(QFileInfo(path).fileName())));
        m_displayedPath.clear();
    }
}

void MainWindow::onImageDecoded(const QString &path, const DecodedImage &image)
{
    if (path == m_displayedPath && !image.truncated && m_imageView->banner().isEmpty()) {
        showOverlays(); // the same pixels, analysed again
        return;
    }
    const quint64 id = ++m_displayId;
    m_pendingDisplayPath = path;
    auto *job = new DisplayImageJob(id, image);
    connect(job, &DisplayImageJob::ready, this, &MainWindow::onDisplayReady, Qt::QueuedConnection);
    ++m_displayJobs;
    updateBusy();
    QThreadPool::globalInstance()->start(job);
}

void MainWindow::onDisplayReady(
    quint64 id, const QImage &image, const QImage &preview, bool truncated)
{
    --m_displayJobs;
    updateBusy();
    if (id != m_displayId || m_pendingDisplayPath != m_workbench->currentFile())
        return; // a newer image was asked for
    m_imageView->setImage(image, preview);
    m_displayedPath = m_pendingDisplayPath;
    if (truncated)
        m_imageView->setBanner(tr("TRUNCATED: only the part of the file that decoded is shown "
                                  "(the rest is filled grey). No detector scored it."));
    showOverlays();
    Q_EMIT imageShown();
}

void MainWindow::onRecordReady(const QString &path, const AnalysisRecord &record)
{
    if (path != m_workbench->currentFile())
        return;
    m_record = record;
    m_verdictPanel->showRecord(record);
    if (record.metadata)
        m_metadataPanel->showReport(*record.metadata);
    else if (record.fileError)
        m_metadataPanel->showUnavailable(
            tr("The file could not be read (%1).").arg(record.fileError->codeName()));
    if (record.fileError && record.fileError->code != ErrorCode::Truncated) {
        m_imageView->clearImage();
        m_displayedPath.clear();
        m_imageView->setPlaceholder(
            tr("%1 could not be shown [%2]: %3")
                .arg(displayText(QFileInfo(path).fileName()), record.fileError->codeName(),
                    displayText(record.fileError->message)));
    }
    showOverlays();
    const QString name = displayText(QFileInfo(path).fileName());
    m_status->setText(record.fileError
            ? tr("%1 could not be analysed [%2].").arg(name, record.fileError->codeName())
            : record.detectors.empty() ? tr("%1: metadata read; no detector is loaded.").arg(name)
                                       : tr("%1: %2").arg(name, agreementSentence(record)));
    Q_EMIT analysisShown(record);
}

void MainWindow::showOverlays()
{
    std::vector<ImageOverlay> overlays;
    const int selected = m_verdictPanel->selectedDetector();
    if (m_record && m_record->path == m_displayedPath && selected >= 0
        && selected < int(m_record->detectors.size())) {
        const DetectorResult &result = m_record->detectors[size_t(selected)];
        overlays.push_back({ displayText(result.model->manifest.id),
            kRegionColours[size_t(selected) % std::size(kRegionColours)], result.regions });
    }
    m_imageView->setOverlays(std::move(overlays));
    m_imageView->setOverlaysVisible(m_showRegions);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_docksSized)
        return;
    // Once, when the layout exists: the image gets the room the lists do not need.
    m_docksSized = true;
    const QList<QDockWidget *> docks = findChildren<QDockWidget *>();
    resizeDocks(docks, QList<int>(docks.size(), 270), Qt::Horizontal);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList images;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (!url.isLocalFile())
            continue;
        if (isBundle(url.toLocalFile()))
            loadModel(url.toLocalFile());
        else if (QFileInfo(url.toLocalFile()).isDir())
            chooseReportAndScan(url.toLocalFile());
        else
            images << url.toLocalFile();
    }
    event->acceptProposedAction();
    if (!images.isEmpty())
        openImages(images);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_workbench->cancel();
    m_preferences.save();
    QMainWindow::closeEvent(event);
}

void MainWindow::chooseNewCase()
{
    CaseHeaderDialog dialog(QDir::homePath(), this);
    if (dialog.exec() == QDialog::Accepted)
        newCase(dialog.path(), dialog.header());
}

void MainWindow::newCase(const QString &path, const CaseHeader &header)
{
    m_workbench->caseSession()->createCase(path, header);
}

void MainWindow::chooseCase()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Case"),
        m_preferences.recentCases.value(0), tr("ForgeLens cases (*.forgelens);;All files (*)"));
    if (!path.isEmpty())
        openCase(path);
}

void MainWindow::openCase(const QString &path)
{
    m_status->setText(tr("Opening the case %1 and checking its log …").arg(displayText(path)));
    m_workbench->caseSession()->openCase(path);
}

void MainWindow::chooseCaseSaveAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Case As"),
        m_workbench->caseSession()->path(), tr("ForgeLens cases (*.forgelens)"));
    if (!path.isEmpty())
        saveCaseAs(path.endsWith(QLatin1String(".forgelens"))
                ? path
                : path + QStringLiteral(".forgelens"));
}

void MainWindow::saveCaseAs(const QString &path)
{
    m_workbench->caseSession()->saveCaseAs(path);
    Preferences::remember(m_preferences.recentCases, path);
    m_preferences.save();
}

void MainWindow::chooseReportExport()
{
    if (!m_workbench->caseSession()->isOpen())
        return;
    const QFileInfo caseInfo(m_workbench->caseSession()->path());
    ReportExportDialog dialog(caseInfo.absoluteDir().filePath(
                                  caseInfo.completeBaseName() + QStringLiteral("-report.pdf")),
        !m_workbench->currentFile().isEmpty(), this);
    if (dialog.exec() == QDialog::Accepted)
        exportReport(
            dialog.pdfPath(), dialog.jsonPath(), dialog.pageSize(), dialog.currentImageOnly());
}

void MainWindow::addCaseNote(const QString &text, bool aboutCurrentImage)
{
    QString sha256;
    if (aboutCurrentImage) {
        const QString current = m_workbench->currentFile();
        const AnalysisRecord *record = current.isEmpty() ? nullptr : m_workbench->record(current);
        if (!record || record->digest.sha256.isEmpty()) {
            m_status->setText(tr("No analysed image is shown: the note was not added."));
            return;
        }
        sha256 = record->digest.sha256;
    }
    m_workbench->caseSession()->addNote(text, sha256);
}

void MainWindow::exportReport(const QString &pdfPath, const QString &jsonPath,
    QPageSize::PageSizeId pageSize, bool currentImageOnly)
{
    CaseSession *session = m_workbench->caseSession();
    if (!session->isOpen()) {
        Q_EMIT reportExported(pdfPath, tr("No case is open."));
        return;
    }
    ReportExportRequest request;
    request.pdfPath = pdfPath;
    request.jsonPath = jsonPath;
    request.pdf.pageSize = pageSize;
    request.caseOptions.pageSize
        = pageSize == QPageSize::Letter ? QStringLiteral("Letter") : QStringLiteral("A4");
    const QString current = m_workbench->currentFile();
    const AnalysisRecord *record = current.isEmpty() ? nullptr : m_workbench->record(current);
    const QString currentSha256 = record ? record->digest.sha256 : QString();
    const std::shared_ptr<DecoderPool> sandbox = m_workbench->decoderPool();
    m_status->setText(tr("Writing the report %1 …").arg(displayText(pdfPath)));
    session->withCase(
        [request, currentImageOnly, currentSha256, current, sandbox](
            CaseFile &caseFile) mutable -> Result<QString> {
            if (currentImageOnly) {
                for (const CaseEvidence &item : caseFile.evidence()) {
                    if (item.intake.sha256 == currentSha256 && item.intake.path == current)
                        request.caseOptions.evidenceIds.push_back(item.id);
                }
                if (request.caseOptions.evidenceIds.empty())
                    return Error{ ErrorCode::BadSettings,
                        QStringLiteral("the image shown now is not yet evidence of the case") };
            }
            Result<ReportExportOutcome> outcome
                = exportCaseReport(caseFile, request, sandbox, DecodeLimits{});
            if (!outcome)
                return outcome.error();
            return QStringLiteral("SHA-256 %1, %2 bytes; case log head %3")
                .arg(outcome->pdfSha256)
                .arg(outcome->pdfBytes)
                .arg(outcome->chainHead);
        },
        [this, pdfPath](const Result<QString> &result) {
            if (!result) {
                m_status->setText(
                    tr("The report was not written: %1").arg(displayText(result.error().message)));
                auto *box = new QMessageBox(QMessageBox::Warning, tr("Export Report"),
                    displayText(result.error().message), QMessageBox::Ok, this);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
                Q_EMIT reportExported(pdfPath, result.error().message);
                return;
            }
            m_status->setText(tr("Report written: %1 (%2)").arg(displayText(pdfPath), *result));
            Q_EMIT reportExported(pdfPath, QString());
        });
}

void MainWindow::updateCaseState()
{
    CaseSession *session = m_workbench->caseSession();
    const QString file = m_workbench->currentFile();
    QStringList title;
    if (!file.isEmpty())
        title << displayText(QFileInfo(file).fileName());
    if (session->isOpen())
        title << tr("Case %1: %2%3")
                     .arg(displayText(session->header().number),
                         displayText(session->header().title),
                         session->chainStatus().intact ? QString() : tr(" [LOG BROKEN]"));
    title << tr("ForgeLens");
    setWindowTitle(title.join(QStringLiteral(" — ")));
    if (!session->isOpen())
        return;
    const CaseChainStatus chain = session->chainStatus();
    if (!chain.intact)
        m_status->setText(tr("The case's log does not verify: %1. Nothing will be added to it.")
                              .arg(displayText(chain.problems.value(0))));
}

void MainWindow::showCustody()
{
    CaseSession *session = m_workbench->caseSession();
    const QString path = m_workbench->currentFile();
    if (!session->isOpen() || path.isEmpty()) {
        m_verdictPanel->setCustody(QString(), false);
        return;
    }
    const std::optional<EvidenceCheck> state = session->evidenceState(path);
    if (!state) {
        m_verdictPanel->setCustody(tr("Case %1: taken in as evidence once analysed.")
                                       .arg(displayText(session->header().number)),
            false);
    } else if (state->state == EvidenceState::Unchanged) {
        m_verdictPanel->setCustody(
            tr("Case %1: the file's bytes match the SHA-256 recorded at intake.")
                .arg(displayText(session->header().number)),
            false);
    } else {
        m_verdictPanel->setCustody(
            tr("EVIDENCE %1: %2")
                .arg(evidenceStateName(state->state).toUpper(), displayText(state->message)),
            true);
    }
}

} // namespace forgelens
