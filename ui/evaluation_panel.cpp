#include "ui/evaluation_panel.h"

#include "ui/evaluation_plots.h"
#include "ui/qcustomplot_include.h"

#include "forgelens/eval/evaluation_job.h"
#include "forgelens/eval/threshold_choice.h"
#include "forgelens/report/display_text.h"
#include "forgelens/scan/output_location.h"
#include "forgelens/scan/scan_sidecar.h"
#include "forgelens/session/workbench.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

namespace forgelens {
namespace {

constexpr int kListedImages = 500;

QString figure(double value, int decimals = 3)
{
    return std::isfinite(value) ? QString::number(value, 'f', decimals) : QStringLiteral("–");
}

QString percent(double value)
{
    return std::isfinite(value) ? QString::number(100.0 * value, 'f', 1) + QLatin1Char('%')
                                : QStringLiteral("–");
}

QCustomPlot *makePlot(QWidget *parent)
{
    auto *plot = new QCustomPlot(parent);
    plot->setMinimumSize(360, 260);
    plot->setInteractions(QCP::iSelectPlottables);
    return plot;
}

// A row of the images list: what it is, each detector's P, the path. The path is evidence
// (a file name): shown through displayText, as plain text.
QString imageLine(const EvaluatedFile &file, int detector)
{
    const ScanRowScore &score = file.scores[size_t(detector)];
    return QStringLiteral("%1  P %2  %3")
        .arg(file.label.synthetic ? QStringLiteral("synthetic") : QStringLiteral("real     "),
            figure(score.pSynthetic), displayText(file.label.path));
}

} // namespace

EvaluationPanel::EvaluationPanel(Workbench *workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench),
      m_evaluate(new QPushButton(tr("Evaluate Folder…"), this)),
      m_open(new QPushButton(tr("Open Evaluation…"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_threshold(new QPushButton(tr("Write Threshold Override…"), this)),
      m_progress(new QProgressBar(this)), m_summary(new QLabel(this)),
      m_figures(new QTableWidget(this)), m_plots(new QTabWidget(this)), m_roc(makePlot(this)),
      m_pr(makePlot(this)), m_histogram(makePlot(this)), m_histogramDetector(new QComboBox(this)),
      m_reliability(makePlot(this)), m_generators(makePlot(this)), m_imagesTitle(new QLabel(this)),
      m_images(new QListWidget(this)), m_caveat(new QLabel(this))
{
    setObjectName(QStringLiteral("evaluationPanel"));
    m_roc->setObjectName(QStringLiteral("evaluationRoc"));
    m_roc->setMouseTracking(true); // hover tips, without a button held
    m_figures->setObjectName(QStringLiteral("evaluationFigures"));
    m_images->setObjectName(QStringLiteral("evaluationImages"));
    m_cancel->setEnabled(false);
    m_threshold->setEnabled(false);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_summary->setText(tr("Measure the loaded detectors on images whose truth you know: a folder "
                          "with real/ and synthetic/ (or generator-named) subfolders, or a labels "
                          "CSV. Results match forgelens-cli evaluate's."));
    m_caveat->setTextFormat(Qt::PlainText);
    m_caveat->setWordWrap(true);
    m_caveat->setText(baseRateCaveat());
    m_imagesTitle->setTextFormat(Qt::PlainText);
    m_imagesTitle->setText(tr("Click a detector's row or a bar to list its images; double-click "
                              "one to open it."));
    QFont mono = m_images->font();
    mono.setFamily(QStringLiteral("monospace"));
    m_images->setFont(mono);

    const QStringList columns{ tr("Detector"), tr("Images"), tr("AUC [95 % CI]"), tr("AP"),
        tr("Accuracy"), tr("Real acc."), tr("Synthetic acc."), tr("Threshold"), tr("TPR @1 % FPR"),
        tr("TPR @5 % FPR"), tr("ECE"), tr("Inconclusive"), tr("Flags right @1 % prev."),
        tr("@10 % prev."), tr("Not scored") };
    m_figures->setColumnCount(int(columns.size()));
    m_figures->setHorizontalHeaderLabels(columns);
    m_figures->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_figures->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_figures->setSelectionMode(QAbstractItemView::SingleSelection);
    m_figures->verticalHeader()->hide();
    m_figures->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_figures->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);

    auto *histogramPage = new QWidget(this);
    auto *histogramLayout = new QVBoxLayout(histogramPage);
    histogramLayout->setContentsMargins(0, 0, 0, 0);
    histogramLayout->addWidget(m_histogramDetector);
    histogramLayout->addWidget(m_histogram, 1);
    m_plots->addTab(m_roc, tr("ROC"));
    m_plots->addTab(m_pr, tr("Precision–recall"));
    m_plots->addTab(histogramPage, tr("Scores"));
    m_plots->addTab(m_reliability, tr("Calibration"));
    m_plots->addTab(m_generators, tr("Per generator"));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_evaluate);
    buttons->addWidget(m_open);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress);
    buttons->addStretch(1);
    buttons->addWidget(m_threshold);
    auto *imagesBox = new QWidget(this);
    auto *imagesLayout = new QVBoxLayout(imagesBox);
    imagesLayout->setContentsMargins(0, 0, 0, 0);
    imagesLayout->addWidget(m_imagesTitle);
    imagesLayout->addWidget(m_images, 1);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_plots);
    split->addWidget(imagesBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_summary);
    layout->addWidget(m_figures);
    layout->addWidget(split, 1);
    layout->addWidget(m_caveat);

    connect(m_evaluate, &QPushButton::clicked, this, &EvaluationPanel::evaluateFolder);
    connect(m_open, &QPushButton::clicked, this, &EvaluationPanel::openEvaluation);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_workbench->cancelEvaluation();
        m_cancel->setEnabled(false);
        m_summary->setText(tr("Stopping after the files in flight … (the scan stays resumable)"));
    });
    connect(m_threshold, &QPushButton::clicked, this, &EvaluationPanel::writeThreshold);
    connect(m_histogramDetector, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (m_run && index >= 0)
            drawEvaluationPlot(
                *m_histogram, m_run->evaluation, EvaluationPlotKind::Histogram, index);
    });
    connect(
        m_figures, &QTableWidget::cellClicked, this, [this](int row, int) { listMistakes(row); });
    connect(m_roc, &QCustomPlot::mouseMove, this,
        [this](QMouseEvent *event) { showRocTip(event->pos()); });
    connect(m_histogram, &QCustomPlot::plottableClick, this,
        [this](QCPAbstractPlottable *plottable, int dataIndex, QMouseEvent *) {
            if (!m_run)
                return;
            const int detector = m_histogramDetector->currentIndex();
            const bool synthetic = plottable == m_histogram->plottable(1);
            std::vector<const EvaluatedFile *> files;
            for (const EvaluatedFile &file : m_run->evaluation.files) {
                const double p = file.scores[size_t(detector)].pSynthetic;
                if (file.label.synthetic == synthetic && std::isfinite(p)
                    && std::clamp(int(p * 20), 0, 19) == dataIndex)
                    files.push_back(&file);
            }
            listImages(tr("%1 images with P(synthetic) in [%2, %3)")
                           .arg(synthetic ? tr("Synthetic") : tr("Real"))
                           .arg(dataIndex / 20.0)
                           .arg((dataIndex + 1) / 20.0),
                std::move(files), detector);
        });
    connect(m_generators, &QCustomPlot::plottableClick, this,
        [this](QCPAbstractPlottable *plottable, int dataIndex, QMouseEvent *) {
            auto *bars = qobject_cast<QCPBars *>(plottable);
            if (!m_run || bars == nullptr)
                return;
            int detector = -1;
            for (int d = 0, seen = 0; d < m_generators->plottableCount(); ++d) {
                if (qobject_cast<QCPBars *>(m_generators->plottable(d)) == nullptr)
                    continue;
                if (m_generators->plottable(d) == plottable)
                    detector = seen;
                ++seen;
            }
            const auto ticker = m_generators->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
            if (detector < 0 || !ticker || dataIndex >= bars->data()->size())
                return;
            const double key = (bars->data()->begin() + dataIndex)->key;
            const QString generator = ticker->ticks().value(key);
            std::vector<const EvaluatedFile *> files;
            for (const EvaluatedFile &file : m_run->evaluation.files)
                if (file.label.synthetic && file.label.generator == generator)
                    files.push_back(&file);
            listImages(tr("%1: images of %2 (missed first)")
                           .arg(m_run->evaluation.detectorIds.at(detector), displayText(generator)),
                std::move(files), detector);
        });
    connect(m_images, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem *item) {
        const QString relative = item->data(Qt::UserRole).toString();
        if (!relative.isEmpty() && !m_root.isEmpty())
            Q_EMIT openRequested(QDir(m_root).filePath(relative));
    });
    connect(m_workbench, &Workbench::evaluationPlanned, this, &EvaluationPanel::onPlanned);
    connect(m_workbench, &Workbench::evaluationProgressed, this, &EvaluationPanel::onProgress);
    connect(m_workbench, &Workbench::evaluationFinished, this, &EvaluationPanel::onFinished);
}

EvaluationPanel::~EvaluationPanel() = default;

void EvaluationPanel::evaluateFolder()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Evaluate Detectors"));
    auto *folder = new QLineEdit(&dialog);
    auto *labels = new QLineEdit(&dialog);
    labels->setPlaceholderText(tr("none: the folders say real / synthetic / generator"));
    auto *output = new QLineEdit(&dialog);
    const auto browse = [&dialog](QLineEdit *edit, bool directory, const QString &title) {
        auto *button = new QPushButton(QObject::tr("Browse…"), &dialog);
        QObject::connect(button, &QPushButton::clicked, &dialog, [=, &dialog] {
            const QString chosen = directory
                ? QFileDialog::getExistingDirectory(&dialog, title, edit->text())
                : QFileDialog::getOpenFileName(
                    &dialog, title, edit->text(), QObject::tr("CSV files (*.csv);;All files (*)"));
            if (!chosen.isEmpty())
                edit->setText(chosen);
        });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(button);
        return row;
    };
    connect(folder, &QLineEdit::textChanged, &dialog, [output](const QString &text) {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
        output->setText(
            QStringLiteral("%1/evaluations/%2-%3")
                .arg(base, QFileInfo(text).fileName(),
                    QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    });
    auto *form = new QFormLayout;
    form->addRow(tr("Labelled images:"), browse(folder, true, tr("Folder of Labelled Images")));
    form->addRow(tr("Labels CSV:"), browse(labels, false, tr("Labels CSV")));
    form->addRow(tr("Results folder:"), browse(output, true, tr("Results Folder")));
    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    box->button(QDialogButtonBox::Ok)->setText(tr("Evaluate"));
    connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addLayout(form);
    auto *note = new QLabel(tr("Never evaluate on a detector's own training images. The scan "
                               "report, figures and plots are written to the results folder."),
        &dialog);
    note->setWordWrap(true);
    layout->addWidget(note);
    layout->addWidget(box);
    dialog.resize(640, dialog.sizeHint().height());
    if (dialog.exec() != QDialog::Accepted || folder->text().isEmpty())
        return;
    startEvaluation(folder->text(), labels->text(), output->text());
}

void EvaluationPanel::startEvaluation(
    const QString &folder, const QString &labelsCsv, const QString &outputDir)
{
    Workbench::EvaluationRequest request;
    request.folder = folder;
    request.labelsCsv = labelsCsv;
    request.outputDir = outputDir;
    if (std::optional<Error> error = m_workbench->startEvaluation(request)) {
        QMessageBox::warning(this, tr("Evaluation"), displayText(error->message));
        return;
    }
    m_outputDir = outputDir;
    setRunning(true);
    m_summary->setText(tr("Evaluating %1 …").arg(displayText(folder)));
}

void EvaluationPanel::openEvaluation()
{
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Open Evaluation (its results folder)"));
    if (folder.isEmpty())
        return;
    QFile file(QDir(folder).filePath(QStringLiteral("evaluation.json")));
    const QJsonObject document = file.open(QIODevice::ReadOnly) && file.size() < (qint64(64) << 20)
        ? QJsonDocument::fromJson(file.readAll()).object()
        : QJsonObject();
    const QJsonObject dataset = document.value(QStringLiteral("dataset")).toObject();
    Workbench::EvaluationRequest request;
    request.existingReport = QDir(folder).filePath(QStringLiteral("scan.csv"));
    request.labelsCsv = dataset.value(QStringLiteral("labels_csv")).toString();
    for (const QJsonValue &entry : dataset.value(QStringLiteral("class_folders")).toArray())
        request.classFolders << entry.toString();
    for (const QJsonValue &entry : dataset.value(QStringLiteral("exclusion_lists")).toArray())
        request.excludeLists << entry.toString();
    // The figures are computed again from the report, into a folder of their own: opening an
    // evaluation never rewrites it.
    request.outputDir = QDir::temp().filePath(QStringLiteral("forgelens-evaluation-%1-%2")
                                                  .arg(QCoreApplication::applicationPid())
                                                  .arg(QDateTime::currentMSecsSinceEpoch()));
    if (std::optional<Error> error = m_workbench->startEvaluation(request)) {
        QMessageBox::warning(this, tr("Evaluation"), displayText(error->message));
        return;
    }
    m_outputDir = folder;
    setRunning(true);
}

void EvaluationPanel::setRunning(bool running)
{
    m_evaluate->setEnabled(!running);
    m_open->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
    m_progress->setRange(0, 0);
}

void EvaluationPanel::onPlanned(const ScanPlan &plan)
{
    m_progress->setRange(0, int(std::min<qint64>(plan.filesInScope, INT_MAX)));
    m_summary->setText(
        tr("Scanning %n labelled file(s) with %1 detector(s) …", nullptr, int(plan.filesInScope))
            .arg(plan.models.size()));
}

void EvaluationPanel::onProgress(const ScanProgress &progress)
{
    m_progress->setValue(int(std::min<qint64>(progress.done, INT_MAX)));
}

void EvaluationPanel::onFinished(const EvaluationOutcome &outcome)
{
    setRunning(false);
    if (outcome.error) {
        m_summary->setText(
            tr("The evaluation did not run: %1").arg(displayText(outcome.error->message)));
        Q_EMIT statusMessage(m_summary->text());
        return;
    }
    if (outcome.run->interrupted) {
        m_summary->setText(tr("Interrupted: the scan so far is in %1; evaluate the same folder "
                              "into the same results folder to continue it.")
                               .arg(outcome.run->scan ? outcome.run->scan->csvPath : QString()));
        return;
    }
    showRun(outcome.run);
}

void EvaluationPanel::showRun(std::shared_ptr<const EvaluationRun> run)
{
    m_run = std::move(run);
    const Evaluation &evaluation = m_run->evaluation;
    m_root = m_run->reportSidecar.value(QStringLiteral("root")).toString();
    qint64 synthetic = 0;
    for (const EvaluatedFile &file : evaluation.files)
        synthetic += file.label.synthetic ? 1 : 0;
    QString summary
        = tr("%1 labelled images (%2 real, %3 synthetic) from %4; file list SHA-256 %5.")
              .arg(evaluation.files.size())
              .arg(qint64(evaluation.files.size()) - synthetic)
              .arg(synthetic)
              .arg(displayText(m_run->reportPath), evaluation.fileListSha256);
    if (evaluation.excluded > 0)
        summary += tr(" %1 left out by hash.").arg(evaluation.excluded);
    if (!m_outputDir.isEmpty())
        summary += tr(" Results: %1").arg(displayText(m_outputDir));
    m_summary->setText(summary);
    m_histogramDetector->blockSignals(true);
    m_histogramDetector->clear();
    for (const QString &id : evaluation.detectorIds)
        m_histogramDetector->addItem(displayText(id));
    m_histogramDetector->blockSignals(false);
    m_threshold->setEnabled(true);
    fillFigures();
    fitFiguresHeight();
    redrawPlots();
    m_images->clear();
}

void EvaluationPanel::fillFigures()
{
    const Evaluation &evaluation = m_run->evaluation;
    m_figures->setRowCount(int(evaluation.detectors.size()));
    for (int d = 0; d < int(evaluation.detectors.size()); ++d) {
        const DetectorFigures &f = evaluation.detectors[size_t(d)].overall;
        QString auc = figure(f.auc);
        if (f.aucInterval)
            auc += QStringLiteral(" [%1, %2]")
                       .arg(figure(f.aucInterval->low), figure(f.aucInterval->high));
        // The caveat the report's sidecar records (untrained, stand_in, experimental) goes with
        // the name, as it does wherever a verdict appears.
        QString name = displayText(evaluation.detectorIds.at(d));
        const QString caveat = sidecarModel(m_run->reportSidecar, evaluation.detectorIds.at(d))
                                   .value(QStringLiteral("caveat"))
                                   .toString();
        if (!caveat.isEmpty())
            name += QStringLiteral(" [%1]").arg(displayText(caveat).toUpper());
        const QStringList cells{ name,
            QStringLiteral("%1 (%2 / %3)").arg(f.scored()).arg(f.real).arg(f.synthetic), auc,
            figure(f.averagePrecision), percent(f.atThreshold.accuracy()),
            f.real > 0 ? percent(f.atThreshold.realAccuracy()) : QStringLiteral("–"),
            f.synthetic > 0 ? percent(f.atThreshold.syntheticAccuracy()) : QStringLiteral("–"),
            figure(f.threshold, 4), f.atFpr1 ? percent(f.atFpr1->tpr) : QStringLiteral("–"),
            f.atFpr5 ? percent(f.atFpr5->tpr) : QStringLiteral("–"), figure(f.ece),
            f.scored() > 0 ? percent(double(f.inconclusive) / double(f.scored()))
                           : QStringLiteral("–"),
            f.predictive.size() > 0 ? percent(f.predictive[0].ppv) : QStringLiteral("–"),
            f.predictive.size() > 1 ? percent(f.predictive[1].ppv) : QStringLiteral("–"),
            QString::number(f.failed()) };
        for (int c = 0; c < int(cells.size()); ++c) {
            auto *item = new QTableWidgetItem(cells.at(c));
            item->setForeground(c == 0 ? QBrush(detectorColour(d)) : QBrush());
            if (!f.whyNoRanking.isEmpty())
                item->setToolTip(displayText(f.whyNoRanking));
            m_figures->setItem(d, c, item);
        }
    }
}

void EvaluationPanel::fitFiguresHeight()
{
    // Every detector's row visible without scrolling, and no more.
    int height = m_figures->horizontalHeader()->height() + 2 * m_figures->frameWidth()
        + m_figures->horizontalScrollBar()->sizeHint().height();
    for (int row = 0; row < m_figures->rowCount(); ++row)
        height += m_figures->rowHeight(row);
    m_figures->setFixedHeight(std::min(height, 260));
}

void EvaluationPanel::redrawPlots()
{
    const Evaluation &evaluation = m_run->evaluation;
    drawEvaluationPlot(*m_roc, evaluation, EvaluationPlotKind::Roc);
    drawEvaluationPlot(*m_pr, evaluation, EvaluationPlotKind::PrecisionRecall);
    drawEvaluationPlot(*m_histogram, evaluation, EvaluationPlotKind::Histogram,
        std::max(0, m_histogramDetector->currentIndex()));
    drawEvaluationPlot(*m_reliability, evaluation, EvaluationPlotKind::Reliability);
    drawEvaluationPlot(*m_generators, evaluation, EvaluationPlotKind::GeneratorAuc);
    m_rocCurves.clear();
    for (int d = 0; d < evaluation.detectorIds.size(); ++d) {
        Result<RocCurve> curve = rocCurve(labelledScores(evaluation.files, d));
        m_rocCurves.push_back(curve ? std::move(curve).value() : RocCurve{});
    }
}

void EvaluationPanel::showRocTip(const QPoint &position)
{
    if (!m_run)
        return;
    double best = 12.0; // pixels: closer than this to a point shows it
    QString text;
    for (size_t d = 0; d < m_rocCurves.size(); ++d) {
        const RocCurve &curve = m_rocCurves[d];
        for (size_t i = 0; i < curve.fpr.size(); ++i) {
            const double dx = m_roc->xAxis->coordToPixel(curve.fpr[i]) - position.x();
            const double dy = m_roc->yAxis->coordToPixel(curve.tpr[i]) - position.y();
            const double distance = std::hypot(dx, dy);
            if (distance >= best)
                continue;
            best = distance;
            text = tr("%1\nthreshold %2\nFPR %3 (real images called synthetic)\nTPR %4 "
                      "(synthetic images caught)")
                       .arg(displayText(m_run->evaluation.detectorIds.at(qsizetype(d))),
                           std::isinf(curve.thresholds[i]) ? tr("above every score")
                                                           : figure(curve.thresholds[i], 4),
                           percent(curve.fpr[i]), percent(curve.tpr[i]));
        }
    }
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(m_roc->mapToGlobal(position), text, m_roc);
}

void EvaluationPanel::listMistakes(int detector)
{
    if (!m_run || detector < 0 || detector >= m_run->evaluation.detectorIds.size())
        return;
    std::vector<const EvaluatedFile *> files;
    for (const EvaluatedFile &file : m_run->evaluation.files) {
        const ScanRowScore &score = file.scores[size_t(detector)];
        if (std::isfinite(score.pSynthetic)
            && (score.pSynthetic >= score.threshold) != file.label.synthetic)
            files.push_back(&file);
    }
    const QString title
        = tr("%1: %n image(s) misclassified at its threshold (most confidently wrong first)",
            nullptr, int(files.size()))
              .arg(displayText(m_run->evaluation.detectorIds.at(detector)));
    listImages(title, std::move(files), detector);
}

void EvaluationPanel::listImages(
    const QString &title, std::vector<const EvaluatedFile *> files, int detector)
{
    // Most wrong first: synthetic images by lowest P, real ones by highest.
    std::stable_sort(files.begin(), files.end(), [detector](const auto *a, const auto *b) {
        const auto wrongness = [detector](const EvaluatedFile *file) {
            const double p = file->scores[size_t(detector)].pSynthetic;
            return std::isfinite(p) ? (file->label.synthetic ? 1.0 - p : p) : -1.0;
        };
        return wrongness(a) > wrongness(b);
    });
    m_imagesTitle->setText(title);
    m_images->clear();
    for (size_t i = 0; i < std::min<size_t>(files.size(), kListedImages); ++i) {
        auto *item = new QListWidgetItem(imageLine(*files[i], detector), m_images);
        item->setData(Qt::UserRole, files[i]->label.path);
        item->setToolTip(tr("Double-click to open it in the workspace"));
    }
    if (files.size() > size_t(kListedImages))
        m_images->addItem(
            tr("… and %1 more (all are in scores.csv)").arg(files.size() - kListedImages));
}

void EvaluationPanel::writeThreshold()
{
    if (!m_run)
        return;
    const Evaluation &evaluation = m_run->evaluation;
    QStringList ids;
    for (const QString &id : evaluation.detectorIds)
        ids << displayText(id);
    bool ok = false;
    const QString chosenId = QInputDialog::getItem(
        this, tr("Threshold Override"), tr("Detector:"), ids, 0, false, &ok);
    if (!ok)
        return;
    const int detector = int(ids.indexOf(chosenId));
    const double rate = QInputDialog::getDouble(this, tr("Threshold Override"),
        tr("Share of this evaluation's real images it may flag (%):"), 5.0, 0.1, 50.0, 1, &ok);
    if (!ok)
        return;
    const ThresholdChoice choice = ThresholdChoice::atFpr(rate / 100.0);
    const QJsonObject model
        = sidecarModel(m_run->reportSidecar, evaluation.detectorIds.at(detector));
    Result<QJsonObject> document = thresholdOverrideDocument(
        evaluation, detector, model, choice, QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    if (!document) {
        QMessageBox::warning(this, tr("Threshold Override"), displayText(document.error().message));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Threshold Override"),
        QDir(m_outputDir).filePath(QStringLiteral("threshold.json")),
        tr("Threshold overrides (*.json)"));
    if (path.isEmpty())
        return;
    if (!m_root.isEmpty() && liesInsideFolder(path, m_root)) {
        QMessageBox::warning(this, tr("Threshold Override"),
            tr("The override must lie outside the evaluated folder, which is never written."));
        return;
    }
    if (std::optional<Error> error = writeJsonAtomically(path, *document)) {
        QMessageBox::warning(this, tr("Threshold Override"), displayText(error->message));
        return;
    }
    const QJsonObject threshold = document->value(QStringLiteral("manifest"))
                                      .toObject()
                                      .value(QStringLiteral("threshold"))
                                      .toObject();
    Q_EMIT statusMessage(tr("Threshold %1 for %2 written to %3 (the bundle is unchanged); use it "
                            "with --threshold-override (forgelens or forgelens-cli).")
                             .arg(threshold.value(QStringLiteral("value")).toDouble())
                             .arg(chosenId, path));
}

} // namespace forgelens
