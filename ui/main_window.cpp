#include "main_window.h"

#include "decoded_image_conversion.h"
#include "image_view.h"
#include "verdict_panel.h"

#include "forgelens/inference/image_analysis_job.h"
#include "forgelens/inference/model_load_job.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSplitter>
#include <QStatusBar>
#include <QThreadPool>

namespace forgelens {

MainWindow::MainWindow(EngineConfig engineConfig, QWidget *parent)
    : QMainWindow(parent), m_engineConfig(std::move(engineConfig)),
      m_imageView(new ImageView(this)), m_verdictPanel(new VerdictPanel(this)),
      m_busy(new QProgressBar(this)), m_status(new QLabel(this))
{
    qRegisterMetaType<forgelens::DecodedImage>();
    qRegisterMetaType<forgelens::AnalysisOutcome>();
    qRegisterMetaType<forgelens::Error>();
    qRegisterMetaType<std::shared_ptr<forgelens::InferenceWorker>>();

    setWindowTitle(tr("ForgeLens"));
    setAcceptDrops(true);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_imageView);
    splitter->addWidget(m_verdictPanel);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({ 800, 420 }); // wide enough for a whole SHA-256 in monospace
    setCentralWidget(splitter);
    m_imageView->setPlaceholder(
        tr("Drop an image here, or choose File ▸ Open Image… (Ctrl+O).\n\nThe file is opened "
           "read-only and never modified."));

    m_busy->setObjectName(QStringLiteral("busyIndicator"));
    m_busy->setRange(0, 0); // indeterminate: a busy indicator
    m_busy->setMaximumWidth(160);
    m_busy->hide();
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_busy);

    createMenus();
}

MainWindow::~MainWindow()
{
    if (m_cancelCurrent)
        m_cancelCurrent->store(true);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Image…"), this, &MainWindow::chooseImage);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Load &Model…"), this, &MainWindow::chooseModel);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ForgeLens"), this, [this] {
        QMessageBox::about(this, tr("About ForgeLens"),
            tr("<b>ForgeLens %1</b><br>A workbench for telling camera "
               "photographs from generated images.<br>Detector scores are "
               "evidence to weigh, not proof.")
                .arg(QStringLiteral(FORGELENS_VERSION)));
    });
}

void MainWindow::chooseImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Image"),
        QFileInfo(m_imagePath).absolutePath(),
        tr("Images (*.jpg *.jpeg *.jpe *.png *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"));
    if (!path.isEmpty())
        openImage(path);
}

void MainWindow::chooseModel()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load Model Bundle"), QString(), tr("Model bundles (*.pt);;All files (*)"));
    if (!path.isEmpty())
        loadModel(path);
}

void MainWindow::loadModel(const QString &bundlePath)
{
    // A verdict in flight belongs to the model being replaced: drop it.
    if (m_cancelCurrent)
        m_cancelCurrent->store(true);
    ++m_requestId;
    releaseWorker(std::move(m_worker));
    const quint64 generation = ++m_modelGeneration;

    m_verdictPanel->setModelLoading(bundlePath);
    m_status->setText(tr("Loading model %1 …").arg(QFileInfo(bundlePath).fileName()));
    auto *job = new ModelLoadJob(bundlePath, m_engineConfig);
    // Only the newest load counts: an older one that finishes later is discarded.
    connect(
        job, &ModelLoadJob::loaded, this,
        [this, generation](std::shared_ptr<InferenceWorker> worker) {
            jobEnded();
            if (generation == m_modelGeneration)
                onModelLoaded(std::move(worker));
            else
                releaseWorker(std::move(worker));
        },
        Qt::QueuedConnection);
    connect(
        job, &ModelLoadJob::failed, this,
        [this, generation](const Error &error) {
            jobEnded();
            if (generation == m_modelGeneration)
                onModelFailed(error);
        },
        Qt::QueuedConnection);
    jobStarted();
    QThreadPool::globalInstance()->start(job);
}

void MainWindow::releaseWorker(std::shared_ptr<InferenceWorker> worker)
{
    // Destroying a worker joins its thread, which may be in the middle of a forward pass: never
    // on the UI thread.
    if (worker)
        QThreadPool::globalInstance()->start(
            [worker = std::move(worker)]() mutable { worker.reset(); });
}

void MainWindow::onModelLoaded(std::shared_ptr<InferenceWorker> worker)
{
    m_worker = std::move(worker);
    m_verdictPanel->setModel(m_worker->info());
    m_status->setText(
        tr("Model %1 ready on %2.").arg(m_worker->info().manifest.name, m_worker->info().device));
    Q_EMIT modelReady();
    if (!m_imagePath.isEmpty())
        startAnalysis();
}

void MainWindow::onModelFailed(const Error &error)
{
    m_verdictPanel->setModelError(
        tr("The model could not be loaded (%1): %2").arg(error.code, error.message));
    m_status->setText(tr("No model loaded."));
}

void MainWindow::openImage(const QString &path)
{
    m_imagePath = path;
    m_imageView->setImage({});
    setWindowTitle(tr("%1 — ForgeLens").arg(QFileInfo(path).fileName()));
    if (!m_worker) {
        m_verdictPanel->showWaitingForModel(path);
        m_status->setText(tr("No model is ready: the image is analysed once one is loaded."));
        return;
    }
    startAnalysis();
}

void MainWindow::startAnalysis()
{
    if (m_cancelCurrent)
        m_cancelCurrent->store(true);
    m_cancelCurrent = std::make_shared<std::atomic_bool>(false);
    const quint64 id = ++m_requestId;

    m_verdictPanel->showAnalysing(m_imagePath);
    m_status->setText(tr("Analysing %1 …").arg(QFileInfo(m_imagePath).fileName()));
    auto *job = new ImageAnalysisJob(id, m_imagePath, m_decodeLimits, m_worker, m_cancelCurrent);
    connect(job, &ImageAnalysisJob::decoded, this, &MainWindow::onDecoded, Qt::QueuedConnection);
    connect(job, &ImageAnalysisJob::finished, this, &MainWindow::onFinished, Qt::QueuedConnection);
    jobStarted();
    QThreadPool::globalInstance()->start(job);
}

void MainWindow::onDecoded(quint64 requestId, const DecodedImage &image)
{
    if (requestId == m_requestId)
        m_imageView->setImage(toQImage(image));
}

void MainWindow::onFinished(quint64 requestId, const AnalysisOutcome &outcome)
{
    jobEnded();
    if (requestId != m_requestId)
        return; // superseded by a newer request
    m_verdictPanel->showOutcome(outcome);
    m_status->setText(outcome.ok()
            ? tr("Analysed %1.").arg(QFileInfo(outcome.path).fileName())
            : tr("%1 could not be analysed.").arg(QFileInfo(outcome.path).fileName()));
    Q_EMIT analysisShown(outcome);
}

void MainWindow::jobStarted()
{
    ++m_pendingJobs;
    m_busy->show();
}

void MainWindow::jobEnded()
{
    if (--m_pendingJobs <= 0) {
        m_pendingJobs = 0;
        m_busy->hide();
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openImage(urls.first().toLocalFile());
}

} // namespace forgelens
