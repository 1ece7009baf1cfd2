#pragma once

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QCustomPlot;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace forgelens {

class Workbench;
struct EvaluatedFile;
struct EvaluationOutcome;
struct EvaluationRun;
struct RocCurve;
struct ScanPlan;
struct ScanProgress;

// The evaluation view: the loaded detectors measured on a labelled folder (forgelens-cli
// evaluate's pipeline and files), as a background job with progress and Cancel. Shows every
// detector's figures in a table and the plots the CLI writes, interactive: hovering the ROC shows
// the threshold, FPR and TPR of the nearest point; clicking a histogram or generator bar, or a
// detector's row, lists those images (the misclassified ones first); double-clicking one opens it
// in the workspace. Writes a threshold override for a detector from the evaluation's real images.
class EvaluationPanel : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationPanel(Workbench *workbench, QWidget *parent = nullptr);
    ~EvaluationPanel() override;

    // Asks for a labelled folder (and optionally a labels CSV) and where the results go, then
    // evaluates the loaded detectors on it.
    void evaluateFolder();
    // Re-reads an evaluation's output folder (its scan.csv and evaluation.json): no scan.
    void openEvaluation();
    // Starts evaluating `folder` into `outputDir` (the window's --evaluate, tests, the dialog).
    void startEvaluation(const QString &folder, const QString &labelsCsv, const QString &outputDir);
    void showRun(std::shared_ptr<const EvaluationRun> run);
    std::shared_ptr<const EvaluationRun> run() const { return m_run; }
    QCustomPlot *rocPlot() const { return m_roc; }

Q_SIGNALS:
    void openRequested(const QString &absolutePath);
    void statusMessage(const QString &message);

private:
    void onPlanned(const ScanPlan &plan);
    void onProgress(const ScanProgress &progress);
    void onFinished(const EvaluationOutcome &outcome);
    void fillFigures();
    void fitFiguresHeight();
    void redrawPlots();
    void listImages(const QString &title, std::vector<const EvaluatedFile *> files, int detector);
    void listMistakes(int detector);
    void showRocTip(const QPoint &position);
    void writeThreshold();
    void setRunning(bool running);

    Workbench *m_workbench;
    QPushButton *m_evaluate;
    QPushButton *m_open;
    QPushButton *m_cancel;
    QPushButton *m_threshold;
    QProgressBar *m_progress;
    QLabel *m_summary;
    QTableWidget *m_figures;
    QTabWidget *m_plots;
    QCustomPlot *m_roc;
    QCustomPlot *m_pr;
    QCustomPlot *m_histogram;
    QComboBox *m_histogramDetector;
    QCustomPlot *m_reliability;
    QCustomPlot *m_generators;
    QLabel *m_imagesTitle;
    QListWidget *m_images;
    QLabel *m_caveat;
    std::shared_ptr<const EvaluationRun> m_run;
    std::vector<RocCurve> m_rocCurves; // per detector, as drawn
    QString m_root; // the evaluated folder, to open its images
    QString m_outputDir;
};

} // namespace forgelens
