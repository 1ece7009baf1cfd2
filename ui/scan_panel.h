#pragma once

#include "forgelens/scan/scan_report.h"
#include "forgelens/session/scan_results_model.h"

#include <QElapsedTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTabWidget;
class QTimer;
class QCustomPlot;

namespace forgelens {

class ThumbnailCache;
class Workbench;
struct ScanFolderOutcome;
struct ScanPlan;
struct ScanProgress;

// The folder workflow: a scan's progress (files done of total, files/s, ETA, errors) with
// Pause and Cancel; the results table (ScanResultsModel: sort by any column, filter by verdict,
// finding, status, mark and text); the analyst's marks and notes; and a summary (counts and a
// score histogram per detector, each clickable to filter the table). Selecting a row asks the
// window to open that file in the workspace.
class ScanPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScanPanel(Workbench *workbench, QWidget *parent = nullptr);

    // A scan the workbench has just started into `reportCsv` (of `folder`).
    void beginScan(const QString &folder, const QString &reportCsv, bool resumed);
    // A report read from disk (a complete or interrupted scan, the CLI's or a merge).
    void showReport(ScanReport report);

    ScanResultsModel &model() { return *m_model; }
    QTableView *table() const { return m_table; }
    QString reportCsv() const { return m_reportCsv; }

    // Moves the selection to the next or previous row of the filtered table and opens it.
    void selectNext();
    void selectPrevious();
    void setFilter(const ScanResultsFilter &filter); // the controls follow

Q_SIGNALS:
    void openRequested(const QString &absolutePath);
    void statusMessage(const QString &message);

private:
    void onPlanned(const ScanPlan &plan, const QStringList &header);
    void onProgress(const ScanProgress &progress);
    void onFinished(const ScanFolderOutcome &outcome);
    void applyFilterFromControls();
    void refreshCounts(); // the filters' choices and the summary, from one ScanResultsSummary
    void refreshFilterChoices(const ScanResultsSummary &summary);
    void refreshSummary(const ScanResultsSummary &summary);
    void openRow(int visibleRow);
    void markSelected(int mark);
    void saveNote();
    void showCurrentTriage();
    void reportProblem(const std::optional<Error> &error);
    void sizeColumns();
    void showThumbnails(bool on);

    Workbench *m_workbench;
    ScanResultsModel *m_model;
    QProgressBar *m_progress;
    QLabel *m_progressText;
    QPushButton *m_pause;
    QPushButton *m_cancel;
    QComboBox *m_verdict;
    QComboBox *m_detector;
    QComboBox *m_finding;
    QComboBox *m_status;
    QComboBox *m_mark;
    QLineEdit *m_text;
    QCheckBox *m_thumbnails;
    ThumbnailCache *m_thumbnailCache;
    QTimer *m_textDelay;
    QLabel *m_count;
    QTableView *m_table;
    QLineEdit *m_note;
    QTabWidget *m_tabs;
    QLabel *m_counts;
    QCustomPlot *m_plot;
    QTimer *m_summaryDelay;
    QString m_reportCsv;
    QString m_folder;
    bool m_updatingControls = false;
    int m_sizedColumns = -1;
};

} // namespace forgelens
