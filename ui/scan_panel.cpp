#include "scan_panel.h"

#include "qcustomplot_include.h"
#include "scan_results_colours.h"
#include "thumbnail_cache.h"

#include "forgelens/report/display_text.h"
#include "forgelens/scan/triage_marks.h"
#include "forgelens/session/workbench.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <climits>
#include <cmath>

namespace forgelens {
namespace {

const QColor kDetectorColours[] = { QColor(0x00, 0x8c, 0xc8), QColor(0xe0, 0x8a, 0x00),
    QColor(0xd0, 0x30, 0x80), QColor(0x3a, 0xa0, 0x48), QColor(0x80, 0x60, 0xd0) };

QString duration(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("…");
    const qint64 s = qint64(seconds + 0.5);
    if (s < 60)
        return ScanPanel::tr("%1 s").arg(s);
    if (s < 3600)
        return ScanPanel::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return ScanPanel::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString verdictText(const QString &verdict)
{
    if (verdict == QLatin1String("not_flagged"))
        return ScanPanel::tr("not flagged");
    if (verdict.isEmpty())
        return ScanPanel::tr("no verdict");
    return verdict;
}

} // namespace

ScanPanel::ScanPanel(Workbench *workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_model(new ScanResultsModel(this)),
      m_progress(new QProgressBar(this)), m_progressText(new QLabel(this)),
      m_pause(new QPushButton(tr("Pause"), this)), m_cancel(new QPushButton(tr("Cancel"), this)),
      m_verdict(new QComboBox(this)), m_detector(new QComboBox(this)),
      m_finding(new QComboBox(this)), m_status(new QComboBox(this)), m_mark(new QComboBox(this)),
      m_text(new QLineEdit(this)), m_thumbnails(new QCheckBox(tr("Thumbnails"), this)),
      m_thumbnailCache(new ThumbnailCache(this)), m_textDelay(new QTimer(this)),
      m_count(new QLabel(this)), m_table(new QTableView(this)), m_note(new QLineEdit(this)),
      m_tabs(new QTabWidget(this)), m_counts(new QLabel(this)), m_plot(new QCustomPlot(this)),
      m_summaryDelay(new QTimer(this))
{
    setObjectName(QStringLiteral("scanPanel"));
    m_progress->setObjectName(QStringLiteral("scanProgress"));
    m_progressText->setObjectName(QStringLiteral("scanProgressText"));
    m_progressText->setTextFormat(Qt::PlainText);
    m_pause->setObjectName(QStringLiteral("scanPause"));
    m_cancel->setObjectName(QStringLiteral("scanCancel"));
    m_pause->setEnabled(false);
    m_cancel->setEnabled(false);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 2);
    progressRow->addWidget(m_progressText, 3);
    progressRow->addWidget(m_pause);
    progressRow->addWidget(m_cancel);

    m_verdict->setObjectName(QStringLiteral("filterVerdict"));
    m_verdict->addItem(tr("Any verdict"), QString());
    m_verdict->addItem(tr("Synthetic"), QStringLiteral("synthetic"));
    m_verdict->addItem(tr("Inconclusive"), QStringLiteral("inconclusive"));
    m_verdict->addItem(tr("Not flagged"), QStringLiteral("not_flagged"));
    m_detector->setObjectName(QStringLiteral("filterDetector"));
    m_finding->setObjectName(QStringLiteral("filterFinding"));
    m_status->setObjectName(QStringLiteral("filterStatus"));
    m_mark->setObjectName(QStringLiteral("filterMark"));
    m_mark->addItem(tr("Any mark"), QString());
    m_mark->addItem(tr("Not marked"), QStringLiteral("none"));
    for (const TriageMark mark :
        { TriageMark::Reviewed, TriageMark::Suspicious, TriageMark::Cleared })
        m_mark->addItem(triageMarkName(mark), triageMarkName(mark));
    m_text->setObjectName(QStringLiteral("filterText"));
    m_text->setPlaceholderText(tr("Path or note contains…"));
    m_text->setClearButtonEnabled(true);
    m_count->setObjectName(QStringLiteral("filterCount"));
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_verdict);
    filterRow->addWidget(new QLabel(tr("by"), this));
    filterRow->addWidget(m_detector);
    filterRow->addWidget(m_finding);
    filterRow->addWidget(m_status);
    filterRow->addWidget(m_mark);
    filterRow->addWidget(m_text, 1);
    filterRow->addWidget(m_thumbnails);
    filterRow->addWidget(m_count);

    m_table->setObjectName(QStringLiteral("scanResults"));
    auto *coloured = new ScanResultsColours(this);
    coloured->setSourceModel(m_model);
    m_table->setModel(coloured);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    // Fixed row heights and no per-row header: a view over 100,000 rows never measures them.
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setSortingEnabled(true);

    auto *summary = new QWidget(this);
    auto *summaryLayout = new QHBoxLayout(summary);
    m_counts->setObjectName(QStringLiteral("summaryCounts"));
    m_counts->setTextFormat(Qt::RichText);
    m_counts->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_counts->setMinimumWidth(280);
    m_plot->setObjectName(QStringLiteral("summaryHistogram"));
    m_plot->setMinimumHeight(160);
    m_plot->xAxis->setLabel(tr("P(synthetic)"));
    m_plot->yAxis->setLabel(tr("files"));
    m_plot->xAxis->setRange(0, 1);
    m_plot->legend->setVisible(true);
    // Top left: scores of a folder of photographs pile up on the right.
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->setInteractions(QCP::iSelectPlottables);
    summaryLayout->addWidget(m_counts);
    summaryLayout->addWidget(m_plot, 1);

    m_tabs->setObjectName(QStringLiteral("scanTabs"));
    m_tabs->addTab(m_table, tr("Results"));
    m_tabs->addTab(summary, tr("Summary"));

    auto *previous = new QPushButton(tr("◀ Previous"), this);
    auto *next = new QPushButton(tr("Next ▶"), this);
    auto *triageRow = new QHBoxLayout;
    triageRow->addWidget(previous);
    triageRow->addWidget(next);
    const std::pair<TriageMark, QString> marks[] = { { TriageMark::Reviewed, tr("Reviewed (1)") },
        { TriageMark::Suspicious, tr("Suspicious (2)") },
        { TriageMark::Cleared, tr("Cleared (3)") }, { TriageMark::None, tr("Unmark (0)") } };
    for (const auto &[mark, label] : marks) {
        auto *button = new QPushButton(label, this);
        button->setObjectName(QStringLiteral("mark_")
            + (triageMarkName(mark).isEmpty() ? QStringLiteral("none") : triageMarkName(mark)));
        connect(button, &QPushButton::clicked, this, [this, mark] { markSelected(int(mark)); });
        triageRow->addWidget(button);
        auto *shortcut = new QShortcut(
            QKeySequence(Qt::Key_0 + (mark == TriageMark::None ? 0 : int(mark))), m_table);
        shortcut->setContext(Qt::WidgetShortcut);
        connect(shortcut, &QShortcut::activated, this, [this, mark] { markSelected(int(mark)); });
    }
    m_note->setObjectName(QStringLiteral("triageNote"));
    m_note->setPlaceholderText(tr("Note on the selected file (Enter saves)"));
    m_note->setMaxLength(int(TriageEntry::kMaxNoteChars));
    triageRow->addWidget(m_note, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(progressRow);
    layout->addLayout(filterRow);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(triageRow);

    m_textDelay->setSingleShot(true);
    m_textDelay->setInterval(200);
    m_summaryDelay->setSingleShot(true);
    m_summaryDelay->setInterval(1000);
    connect(m_textDelay, &QTimer::timeout, this, &ScanPanel::applyFilterFromControls);
    connect(m_summaryDelay, &QTimer::timeout, this, &ScanPanel::refreshCounts);
    connect(m_text, &QLineEdit::textChanged, m_textDelay, qOverload<>(&QTimer::start));
    for (QComboBox *combo : { m_verdict, m_detector, m_finding, m_status, m_mark })
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_updatingControls)
                applyFilterFromControls();
        });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        m_count->setText(tr("%L1 of %L2 shown").arg(m_model->rowCount()).arg(m_model->totalRows()));
        if (!m_summaryDelay->isActive())
            m_summaryDelay->start();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_count->setText(tr("%L1 of %L2 shown").arg(m_model->rowCount()).arg(m_model->totalRows()));
        if (m_model->columnCount() != m_sizedColumns)
            sizeColumns();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) {
            showCurrentTriage();
            if (current.isValid())
                openRow(current.row());
        });
    m_thumbnails->setObjectName(QStringLiteral("showThumbnails"));
    m_thumbnails->setToolTip(tr("Small pictures of the rows on screen, decoded in the background "
                                "as analyses decode (in the sandbox)"));
    connect(m_thumbnails, &QCheckBox::toggled, this, &ScanPanel::showThumbnails);
    connect(m_thumbnailCache, &ThumbnailCache::ready, m_model,
        &ScanResultsModel::pathDecorationChanged);
    connect(next, &QPushButton::clicked, this, &ScanPanel::selectNext);
    connect(previous, &QPushButton::clicked, this, &ScanPanel::selectPrevious);
    connect(m_note, &QLineEdit::returnPressed, this, &ScanPanel::saveNote);
    connect(m_counts, &QLabel::linkActivated, this, [this](const QString &link) {
        const QStringList parts = link.split(u':');
        ScanResultsFilter filter;
        if (parts.value(0) == QLatin1String("verdict")) {
            filter.detector = parts.value(1).toInt();
            filter.verdict = parts.value(2);
        } else if (parts.value(0) == QLatin1String("status")) {
            filter.status = parts.value(1);
        } else if (parts.value(0) == QLatin1String("finding")) {
            filter.finding = parts.value(1);
        } else if (parts.value(0) == QLatin1String("mark")) {
            filter.mark = triageMarkFromName(parts.value(1)).value_or(TriageMark::None);
        }
        setFilter(filter);
        m_tabs->setCurrentIndex(0);
    });
    connect(m_plot, &QCustomPlot::plottableClick, this,
        [this](QCPAbstractPlottable *plottable, int dataIndex, QMouseEvent *) {
            for (int d = 0; d < m_plot->plottableCount(); ++d) {
                if (m_plot->plottable(d) != plottable)
                    continue;
                ScanResultsFilter filter;
                filter.detector = d;
                filter.pLow = double(dataIndex) / ScanResultsSummary::kHistogramBins;
                filter.pHigh = double(dataIndex + 1) / ScanResultsSummary::kHistogramBins;
                setFilter(filter);
                m_tabs->setCurrentIndex(0);
            }
        });

    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (m_workbench->isScanning()) {
            const bool paused = !m_workbench->isScanPaused();
            m_workbench->setScanPaused(paused);
            m_pause->setText(paused ? tr("Continue") : tr("Pause"));
            if (paused)
                m_progressText->setText(tr("Paused: the files in flight finish, no new one "
                                           "starts."));
            return;
        }
        // An interrupted scan: continue it as --resume does.
        Workbench::FolderScanRequest request;
        request.folder = m_folder;
        request.reportCsv = m_reportCsv;
        request.resume = true;
        if (std::optional<Error> error = m_workbench->startFolderScan(request)) {
            reportProblem(error);
            return;
        }
        beginScan(m_folder, m_reportCsv, true);
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_workbench->cancelScan();
        m_cancel->setEnabled(false);
        m_pause->setEnabled(false);
        m_progressText->setText(tr("Stopping after the files in flight …"));
    });
    connect(m_workbench, &Workbench::scanPlanned, this, &ScanPanel::onPlanned);
    connect(m_workbench, &Workbench::scanProgressed, this, &ScanPanel::onProgress);
    connect(m_workbench, &Workbench::scanRowsAdded, this,
        [this](const QVector<ScanResultRow> &rows) { m_model->appendRows(rows); });
    connect(m_workbench, &Workbench::scanFinished, this, &ScanPanel::onFinished);
    refreshCounts();
}

void ScanPanel::sizeColumns()
{
    // Fixed widths: measuring 100,000 rows' contents would stall the view.
    m_sizedColumns = m_model->columnCount();
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    m_table->setColumnWidth(0, 80);
    m_table->setColumnWidth(m_model->pathColumn(), 300);
    for (qsizetype d = 0; d < m_model->columns().detectorIds.size(); ++d) {
        m_table->setColumnWidth(m_model->pColumn(int(d)), 95);
        m_table->setColumnWidth(m_model->verdictColumn(int(d)), 170);
    }
    m_table->setColumnWidth(m_model->findingsColumn(), 220);
    m_table->setColumnWidth(m_model->statusColumn(), 110);
    m_table->setColumnWidth(m_model->statusColumn() + 1, 80);
    m_table->setColumnWidth(m_model->statusColumn() + 2, 100);
    m_table->setColumnWidth(m_model->statusColumn() + 3, 60);
}

void ScanPanel::showThumbnails(bool on)
{
    const int textRow = m_table->fontMetrics().height() + 6;
    m_table->verticalHeader()->setDefaultSectionSize(on ? ThumbnailCache::kEdge + 4 : textRow);
    m_table->setIconSize(QSize(ThumbnailCache::kEdge, ThumbnailCache::kEdge));
    if (!on) {
        m_model->setPathDecoration(nullptr);
        return;
    }
    m_thumbnailCache->setDecoderPool(m_workbench->decoderPool());
    ThumbnailCache *cache = m_thumbnailCache;
    m_model->setPathDecoration([cache](const QString &path) -> QVariant {
        const QImage picture = cache->thumbnail(path);
        return picture.isNull() ? QVariant() : QVariant(picture);
    });
}

void ScanPanel::beginScan(const QString &folder, const QString &reportCsv, bool resumed)
{
    m_folder = folder;
    m_reportCsv = reportCsv;
    m_progress->setRange(0, 0);
    m_progressText->setText(resumed ? tr("Resuming: reading the interrupted report and listing "
                                         "the folder …")
                                    : tr("Listing the folder …"));
    m_pause->setText(tr("Pause"));
    m_pause->setEnabled(true);
    m_cancel->setEnabled(true);
}

void ScanPanel::onPlanned(const ScanPlan &plan, const QStringList &header)
{
    Result<ScanReportColumns> columns = ScanReportColumns::fromHeader(header);
    if (!columns)
        return;
    m_model->reset(*columns, m_reportCsv, QFileInfo(m_folder).absoluteFilePath());
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the report's order
    // A resumed scan: the rows the interrupted run wrote, and the marks made on them.
    if (plan.rowsResumed > 0) {
        if (Result<ScanReport> earlier = readScanReport(m_reportCsv + QStringLiteral(".partial"));
            earlier && earlier->columns.header == header)
            m_model->appendRows(std::move(earlier->rows));
    }
    if (Result<TriageMarks> marks = TriageMarks::load(m_reportCsv))
        m_model->setTriage(std::move(marks).value());
    else
        reportProblem(marks.error());
    m_progress->setRange(0, int(std::min<qint64>(plan.filesInScope, INT_MAX)));
    m_progress->setValue(int(plan.rowsResumed));
    QString text = tr("%L1 files to scan").arg(plan.filesInScope);
    if (!plan.walkProblems.isEmpty())
        text += tr("; %n folder(s) or entries could not be read (see the report's sidecar)", "",
            int(plan.walkProblems.size()));
    m_progressText->setText(text);
    refreshCounts();
}

void ScanPanel::onProgress(const ScanProgress &progress)
{
    m_progress->setValue(int(std::min<qint64>(progress.done, INT_MAX)));
    if (m_workbench->isScanPaused())
        return;
    m_progressText->setText(
        tr("%L1 / %L2 files · %3 files/s · ETA %4 · %n error(s)", "", int(progress.failed))
            .arg(progress.done)
            .arg(progress.total)
            .arg(QLocale().toString(progress.filesPerSecond, 'f', 1))
            .arg(duration(progress.etaSeconds)));
}

void ScanPanel::onFinished(const ScanFolderOutcome &outcome)
{
    m_cancel->setEnabled(false);
    m_progress->setRange(0, std::max(1, m_progress->maximum()));
    if (outcome.error) {
        m_pause->setEnabled(false);
        m_progressText->setText(
            tr("The scan did not run [%1]: %2")
                .arg(outcome.error->codeName(), displayText(outcome.error->message)));
        Q_EMIT statusMessage(m_progressText->text());
        return;
    }
    const ScanSummary &summary = *outcome.summary;
    if (summary.interrupted) {
        m_pause->setText(tr("Resume"));
        m_pause->setEnabled(true);
        m_progressText->setText(tr("Interrupted after %L1 rows; Resume continues it (as "
                                   "forgelens-cli scan --resume does).")
                                    .arg(m_model->totalRows()));
    } else {
        m_pause->setEnabled(false);
        m_progress->setValue(m_progress->maximum());
        m_progressText->setText(tr("Done: %L1 rows, %L2 with an error; report %3")
                                    .arg(m_model->totalRows())
                                    .arg(summary.failedRows())
                                    .arg(displayText(summary.csvPath)));
    }
    Q_EMIT statusMessage(m_progressText->text());
    refreshCounts();
}

void ScanPanel::showReport(ScanReport report)
{
    // An interrupted run's REPORT.partial belongs to REPORT: its marks live beside REPORT, and
    // Resume continues REPORT as --resume does.
    QString reportCsv = report.csvPath;
    if (reportCsv.endsWith(QLatin1String(".partial")))
        reportCsv.chop(int(QStringLiteral(".partial").size()));
    m_folder = report.root;
    m_reportCsv = reportCsv;
    m_model->reset(report.columns, reportCsv, report.root);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the report's order
    const qint64 rows = qint64(report.rows.size());
    m_model->appendRows(std::move(report.rows));
    if (Result<TriageMarks> marks = TriageMarks::load(reportCsv))
        m_model->setTriage(std::move(marks).value());
    else
        reportProblem(marks.error());
    m_progress->setRange(0, 1);
    m_progress->setValue(report.complete ? 1 : 0);
    m_pause->setText(tr("Resume"));
    m_pause->setEnabled(report.resumable && !report.root.isEmpty());
    m_cancel->setEnabled(false);
    m_progressText->setText(
        (report.resumable ? tr("Interrupted report: %L1 files so far; Resume continues it")
                : report.complete
                ? tr("Report of %L1 files")
                : tr("Incomplete report (a merge that left shards out): %L1 files"))
            .arg(rows)
        + (report.root.isEmpty() ? tr(" (no sidecar: the files cannot be opened from it)")
                                 : QString()));
    refreshCounts();
}

void ScanPanel::setFilter(const ScanResultsFilter &filter)
{
    m_updatingControls = true;
    m_verdict->setCurrentIndex(std::max(0, m_verdict->findData(filter.verdict)));
    m_detector->setCurrentIndex(std::max(0, m_detector->findData(filter.detector)));
    m_finding->setCurrentIndex(std::max(0, m_finding->findData(filter.finding)));
    m_status->setCurrentIndex(std::max(0, m_status->findData(filter.status)));
    m_mark->setCurrentIndex(std::max(0,
        m_mark->findData(filter.mark
                ? (*filter.mark == TriageMark::None ? QStringLiteral("none")
                                                    : triageMarkName(*filter.mark))
                : QString())));
    m_text->blockSignals(true);
    m_text->setText(filter.text);
    m_text->blockSignals(false);
    m_updatingControls = false;
    m_model->setFilter(filter);
    if (filter.pHigh >= 0)
        m_count->setText(tr("%L1 of %L2 shown (P %3–%4)")
                             .arg(m_model->rowCount())
                             .arg(m_model->totalRows())
                             .arg(filter.pLow, 0, 'f', 2)
                             .arg(filter.pHigh, 0, 'f', 2));
}

void ScanPanel::applyFilterFromControls()
{
    ScanResultsFilter filter;
    filter.verdict = m_verdict->currentData().toString();
    filter.detector = m_detector->currentData().toInt();
    filter.finding = m_finding->currentData().toString();
    filter.status = m_status->currentData().toString();
    const QString mark = m_mark->currentData().toString();
    if (mark == QLatin1String("none"))
        filter.mark = TriageMark::None;
    else if (!mark.isEmpty())
        filter.mark = triageMarkFromName(mark);
    filter.text = m_text->text();
    m_model->setFilter(filter);
}

void ScanPanel::refreshCounts()
{
    // One pass over the rows for both.
    const ScanResultsSummary summary = m_model->summary();
    refreshFilterChoices(summary);
    refreshSummary(summary);
}

void ScanPanel::refreshFilterChoices(const ScanResultsSummary &summary)
{
    const ScanResultsFilter &filter = m_model->filter();
    m_updatingControls = true;
    m_detector->clear();
    m_detector->addItem(tr("any detector"), -1);
    for (qsizetype d = 0; d < m_model->columns().detectorIds.size(); ++d)
        m_detector->addItem(displayText(m_model->columns().detectorIds[d]), int(d));
    m_detector->setCurrentIndex(std::max(0, m_detector->findData(filter.detector)));
    m_finding->clear();
    m_finding->addItem(tr("Any finding"), QString());
    for (const auto &[finding, count] : summary.findings)
        m_finding->addItem(QStringLiteral("%1 (%L2)").arg(finding).arg(count), finding);
    m_finding->setCurrentIndex(std::max(0, m_finding->findData(filter.finding)));
    m_status->clear();
    m_status->addItem(tr("Any status"), QString());
    m_status->addItem(tr("Any error"), QStringLiteral("failed"));
    for (const auto &[status, count] : summary.statuses)
        m_status->addItem(QStringLiteral("%1 (%L2)").arg(status).arg(count), status);
    m_status->setCurrentIndex(std::max(0, m_status->findData(filter.status)));
    m_updatingControls = false;
}

void ScanPanel::refreshSummary(const ScanResultsSummary &summary)
{
    const QStringList &ids = m_model->columns().detectorIds;
    QString html = tr("<b>%L1 files</b><br>").arg(summary.rows);
    const auto link = [](const QString &target, const QString &text, qint64 count) {
        return QStringLiteral("&nbsp;&nbsp;<a href=\"%1\">%2</a>: %L3<br>")
            .arg(target, text.toHtmlEscaped())
            .arg(count);
    };
    for (qsizetype d = 0; d < ids.size(); ++d) {
        html += tr("<b>%1</b><br>").arg(displayText(ids[d]).toHtmlEscaped());
        for (const auto &[verdict, count] : summary.verdicts[size_t(d)])
            html += link(
                QStringLiteral("verdict:%1:%2").arg(d).arg(verdict), verdictText(verdict), count);
    }
    html += tr("<b>Status</b><br>");
    for (const auto &[status, count] : summary.statuses)
        html += link(QStringLiteral("status:") + status, status, count);
    if (!summary.findings.empty())
        html += tr("<b>Metadata findings</b><br>");
    for (const auto &[finding, count] : summary.findings)
        html += link(QStringLiteral("finding:") + finding, finding, count);
    html += tr("<b>Marks</b><br>");
    for (const auto &[mark, count] : summary.marks)
        html += link(
            QStringLiteral("mark:") + mark, mark.isEmpty() ? tr("not marked") : mark, count);
    m_counts->setText(html);

    m_plot->clearPlottables();
    const int bins = ScanResultsSummary::kHistogramBins;
    const double width = 1.0 / bins;
    double highest = 1.0;
    for (qsizetype d = 0; d < ids.size(); ++d) {
        auto *bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        bars->setName(displayText(ids[d]));
        const QColor colour = kDetectorColours[size_t(d) % std::size(kDetectorColours)];
        bars->setPen(QPen(colour.darker(130)));
        QColor fill = colour;
        fill.setAlpha(ids.size() > 1 ? 150 : 220);
        bars->setBrush(fill);
        // Side by side within each bin when several detectors share the plot.
        const double barWidth = width / double(ids.size());
        bars->setWidth(barWidth * 0.9);
        QVector<double> keys;
        QVector<double> values;
        for (int b = 0; b < bins; ++b) {
            keys << b * width + barWidth * (double(d) + 0.5);
            const qint64 count = summary.histograms[size_t(d)][size_t(b)];
            values << double(count);
            highest = std::max(highest, double(count));
        }
        bars->setData(keys, values, true);
        bars->setSelectable(QCP::stDataRange);
    }
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, highest * 1.1);
    m_plot->replot();
}

void ScanPanel::openRow(int visibleRow)
{
    const QString path = m_model->absolutePath(visibleRow);
    if (path.isEmpty()) {
        Q_EMIT statusMessage(tr("This report has no sidecar naming the scanned folder, so its "
                                "files cannot be opened from it."));
        return;
    }
    Q_EMIT openRequested(path);
}

void ScanPanel::selectNext()
{
    const int row = m_table->currentIndex().isValid() ? m_table->currentIndex().row() + 1 : 0;
    if (row < m_model->rowCount())
        m_table->setCurrentIndex(m_table->model()->index(row, m_model->pathColumn()));
}

void ScanPanel::selectPrevious()
{
    const int row = m_table->currentIndex().row() - 1;
    if (row >= 0)
        m_table->setCurrentIndex(m_table->model()->index(row, m_model->pathColumn()));
}

void ScanPanel::markSelected(int mark)
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    reportProblem(m_model->setMark(current.row(), TriageMark(mark)));
    if (!m_summaryDelay->isActive())
        m_summaryDelay->start();
}

void ScanPanel::saveNote()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    reportProblem(m_model->setNote(current.row(), m_note->text()));
    Q_EMIT statusMessage(
        tr("Note saved to %1").arg(displayText(TriageMarks::pathFor(m_reportCsv))));
}

void ScanPanel::showCurrentTriage()
{
    const TriageEntry *entry = m_model->triage(m_table->currentIndex().row());
    m_note->setText(entry ? entry->note : QString());
}

void ScanPanel::reportProblem(const std::optional<Error> &error)
{
    if (error)
        Q_EMIT statusMessage(tr("[%1] %2").arg(error->codeName(), displayText(error->message)));
}

} // namespace forgelens
