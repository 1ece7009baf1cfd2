#pragma once

#include "forgelens/inference/image_analysis.h"
#include "forgelens/inference/model_info.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QProgressBar;
class QTableWidget;

namespace forgelens {

// The verdict of the loaded model on the open image, with what an analyst needs to cite it:
// the model's identity and status, the file's hash, the probability, the threshold it was
// compared with, and every class's probability. Errors are shown in place of the verdict.
class VerdictPanel : public QWidget {
    Q_OBJECT
public:
    explicit VerdictPanel(QWidget *parent = nullptr);

    void setModel(const ModelInfo &model);
    void setModelLoading(const QString &bundlePath);
    void setModelError(const QString &message);
    void showAnalysing(const QString &path);
    void showWaitingForModel(const QString &path);
    void showOutcome(const AnalysisOutcome &outcome);

private:
    static QString headSummary(const HeadScores &head);

    void clearVerdict();

    std::optional<ModelInfo> m_model;
    QLabel *m_modelName;
    QLabel *m_modelBanner;
    QLabel *m_fileName;
    QLabel *m_fileDetails;
    QLineEdit *m_sha256; // read-only, so the whole hash can be selected and copied exactly
    QLabel *m_probability;
    QProgressBar *m_probabilityBar;
    QLabel *m_verdict;
    QTableWidget *m_classes;
    QLabel *m_timing;
    QLabel *m_error;
};

} // namespace forgelens
