#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/case/case_file.h"
#include "preferences.h"

#include <QImage>
#include <QMainWindow>
#include <QPageSize>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace forgelens {

class DetectorListPanel;
class EvidenceList;
class ExemplarStrip;
class MapsPanel;
class ImageView;
class MetadataPanel;
class ScanPanel;
class EvaluationPanel;
class VerdictPanel;
class Workbench;
struct DecodedImage;

// The analyst's workspace, bound to a Workbench (the widget-free session that owns detectors,
// files, jobs and records): the evidence list and the detectors on the left, the image with the
// regions each detector scored in the middle, the verdicts side by side and the file's metadata
// on the right. Nothing here waits on decoding, inference, hashing or disk: the workbench's jobs
// do that work, and even the pixels are turned into what the view paints on a pool thread.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Workbench &workbench() { return *m_workbench; }

    // Adds a detector (kept only once it has loaded).
    void loadModel(const QString &bundlePath);
    // `explicitBundles` when given (--model), else the preferences' default detectors that
    // exist, else the bundle findDefaultBundle() finds. The status bar says which were used.
    void loadStartupDetectors(const QStringList &explicitBundles);
    // Threshold override files (forgelens-cli evaluate --write-threshold) for the detectors
    // loaded from now on: each applies to the bundle it names by SHA-256, never changing it.
    void setThresholdOverrides(const QStringList &overrides);
    // Attaches each bank to the detector it was built with, once no detector is still loading.
    void attachBanksWhenLoaded(const QStringList &banks);
    void openImage(const QString &path);
    void openImages(const QStringList &paths);
    // Scans `folder` into `reportCsv` with the loaded detectors (once they have loaded, when
    // some are still loading), in the folder panel. `resume`: continue its interrupted run.
    void scanFolder(const QString &folder, const QString &reportCsv, bool resume = false,
        bool overwrite = false);
    // Asks where the report of a scan of `folder` goes, then scans it.
    void chooseReportAndScan(const QString &folder);
    // Shows a report from an earlier scan (the window's, the CLI's or a merge) in the table.
    void openReport(const QString &reportCsv);
    // Evaluates the loaded detectors (once they have loaded) on a labelled folder into
    // `outputDir`, in the evaluation panel.
    void evaluateFolder(const QString &folder, const QString &outputDir);
    void showEvaluationDock();
    ScanPanel *scanPanel() const { return m_scanPanel; }
    EvaluationPanel *evaluationPanel() const { return m_evaluationPanel; }
    MapsPanel *mapsPanel() const { return m_mapsPanel; }
    ExemplarStrip *exemplarStrip() const { return m_exemplarStrip; }
    // Shows the inspector tab holding `panel` (the verdicts, metadata or maps).
    void showInspectorTab(QWidget *panel);

    bool isBusy() const;

    // Cases (File ▸ New Case, Open Case, Save Case As, Export Report): the case's evidence opens
    // in the workspace, and every analysis, scan, evaluation and mark is recorded in it.
    void newCase(const QString &path, const CaseHeader &header);
    void openCase(const QString &path);
    void saveCaseAs(const QString &path);
    // The examiner's note, on the case, or on the image shown now (by its SHA-256).
    void addCaseNote(const QString &text, bool aboutCurrentImage);
    // Writes the report of the open case (or of the image shown now) in the background;
    // reportExported says how it went.
    void exportReport(const QString &pdfPath, const QString &jsonPath,
        QPageSize::PageSizeId pageSize = QPageSize::A4, bool currentImageOnly = false);

Q_SIGNALS:
    // A report was written (error empty) or not.
    void reportExported(const QString &pdfPath, const QString &error);
    // Emitted when a record is on screen (verdicts, metadata and scored regions).
    void analysisShown(const forgelens::AnalysisRecord &record);
    void modelReady();
    // The image view has the current file's pixels.
    void imageShown();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void applyEngineConfig(); // the preferences' engine settings with this session's overrides
    void createMenus();
    void chooseImages();
    void chooseNewCase();
    void chooseCase();
    void chooseCaseSaveAs();
    void chooseReportExport();
    void updateCaseState();
    void showCustody();
    void chooseFolder();
    void chooseReport();
    void openFromScan(const QString &path);
    void showScanDock();
    void chooseBundle(std::optional<int> replacing);
    void editPreferences();
    void fillRecentMenu(QMenu *menu, const QStringList &paths, bool bundles);
    void onAnalysisStarted(const QString &path);
    void onImageDecoded(const QString &path, const DecodedImage &image);
    void onDisplayReady(quint64 id, const QImage &image, const QImage &preview, bool truncated);
    void onRecordReady(const QString &path, const AnalysisRecord &record);
    void showOverlays();
    void updateBusy();

    Preferences m_preferences;
    Workbench *m_workbench;
    ImageView *m_imageView;
    VerdictPanel *m_verdictPanel;
    MetadataPanel *m_metadataPanel;
    DetectorListPanel *m_detectorPanel;
    EvidenceList *m_evidenceList;
    ScanPanel *m_scanPanel;
    QDockWidget *m_scanDock;
    MapsPanel *m_mapsPanel;
    ExemplarStrip *m_exemplarStrip;
    QDockWidget *m_exemplarDock;
    EvaluationPanel *m_evaluationPanel;
    QDockWidget *m_evaluationDock;
    QString m_openedFromScan; // the file the folder panel last opened in the workspace
    std::function<void()> m_scanWhenLoaded; // a scan or evaluation asked for while detectors load
    QStringList m_banksWhenLoaded;
    QStringList m_thresholdOverrides; // session only: not kept in the preferences
    QTabWidget *m_tabs;
    QProgressBar *m_busy;
    QLabel *m_status;
    QLabel *m_cursor;
    QLabel *m_zoom;
    QString m_displayedPath; // the file whose pixels are in the view
    QString m_pendingDisplayPath;
    quint64 m_displayId = 0;
    int m_displayJobs = 0;
    std::optional<AnalysisRecord> m_record; // the record on screen
    bool m_showRegions = true;
    bool m_docksSized = false;
};

} // namespace forgelens
