#pragma once

#include "forgelens/image/decoded_image.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/image_analysis.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/result.h"

#include <QMainWindow>
#include <QString>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;

namespace forgelens {

class ImageView;
class VerdictPanel;

// The first workspace: open an image (menu, Ctrl+O or drag-and-drop), see it, and read the
// loaded model's verdict. Loading, decoding and inference run off the UI thread; a busy
// indicator shows while they do. The newest request wins: opening another image cancels the
// one in flight.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(EngineConfig engineConfig = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    void loadModel(const QString &bundlePath);
    void openImage(const QString &path);

    bool isBusy() const { return m_pendingJobs > 0; }

Q_SIGNALS:
    // Emitted when an analysis finishes (with a verdict or an error) and is on screen.
    void analysisShown(const forgelens::AnalysisOutcome &outcome);
    void modelReady();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createMenus();
    void chooseImage();
    void chooseModel();
    void startAnalysis();
    void onModelLoaded(std::shared_ptr<forgelens::InferenceWorker> worker);
    void onModelFailed(const forgelens::Error &error);
    static void releaseWorker(std::shared_ptr<forgelens::InferenceWorker> worker);
    void onDecoded(quint64 requestId, const forgelens::DecodedImage &image);
    void onFinished(quint64 requestId, const forgelens::AnalysisOutcome &outcome);
    void jobStarted();
    void jobEnded();

    EngineConfig m_engineConfig;
    DecodeLimits m_decodeLimits;
    std::shared_ptr<InferenceWorker> m_worker;
    QString m_imagePath;
    quint64 m_requestId = 0;
    quint64 m_modelGeneration = 0;
    std::shared_ptr<std::atomic_bool> m_cancelCurrent;
    int m_pendingJobs = 0;

    ImageView *m_imageView;
    VerdictPanel *m_verdictPanel;
    QProgressBar *m_busy;
    QLabel *m_status;
};

} // namespace forgelens
