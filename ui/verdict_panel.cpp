#include "verdict_panel.h"

#include <QFileInfo>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QTableWidget>
#include <QVBoxLayout>

namespace forgelens {
namespace {

// Plain text unless asked: file names and error messages come from the evidence and must never
// be rendered as markup.
QLabel *makeLabel(const QString &objectName, QWidget *parent, Qt::TextFormat format = Qt::PlainText)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(format);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

VerdictPanel::VerdictPanel(QWidget *parent) : QWidget(parent)
{
    setMinimumWidth(320);
    auto *layout = new QVBoxLayout(this);

    auto *modelBox = new QGroupBox(tr("Model"), this);
    auto *modelLayout = new QVBoxLayout(modelBox);
    m_modelName = makeLabel(QStringLiteral("modelName"), modelBox, Qt::RichText);
    m_modelBanner = makeLabel(QStringLiteral("modelBanner"), modelBox);
    m_modelBanner->setStyleSheet(QStringLiteral(
        "QLabel { background: #b3261e; color: white; font-weight: bold; padding: 6px; "
        "border-radius: 3px; }"));
    m_modelBanner->hide();
    modelLayout->addWidget(m_modelName);
    modelLayout->addWidget(m_modelBanner);
    layout->addWidget(modelBox);

    auto *fileBox = new QGroupBox(tr("File"), this);
    auto *fileLayout = new QVBoxLayout(fileBox);
    m_fileName = makeLabel(QStringLiteral("fileName"), fileBox);
    m_fileName->setStyleSheet(QStringLiteral("font-weight: bold;"));
    m_fileDetails = makeLabel(QStringLiteral("fileDetails"), fileBox);
    m_sha256 = new QLineEdit(fileBox);
    m_sha256->setObjectName(QStringLiteral("sha256"));
    m_sha256->setReadOnly(true);
    m_sha256->setFrame(false);
    m_sha256->setPlaceholderText(tr("SHA-256 of the file"));
    m_sha256->setStyleSheet(QStringLiteral("font-family: monospace; background: transparent;"));
    m_sha256->setToolTip(tr("SHA-256 of the file's bytes as read (select to copy)"));
    fileLayout->addWidget(m_fileName);
    fileLayout->addWidget(m_fileDetails);
    auto *hashCaption = new QLabel(tr("SHA-256"), fileBox);
    fileLayout->addWidget(hashCaption);
    fileLayout->addWidget(m_sha256);
    layout->addWidget(fileBox);

    auto *verdictBox = new QGroupBox(tr("Verdict"), this);
    auto *verdictLayout = new QVBoxLayout(verdictBox);
    m_probability = makeLabel(QStringLiteral("probability"), verdictBox);
    QFont big = m_probability->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    m_probability->setFont(big);
    m_probabilityBar = new QProgressBar(verdictBox);
    m_probabilityBar->setObjectName(QStringLiteral("probabilityBar"));
    m_probabilityBar->setRange(0, 1000);
    m_probabilityBar->setTextVisible(false);
    m_verdict = makeLabel(QStringLiteral("verdict"), verdictBox, Qt::RichText);
    m_classes = new QTableWidget(0, 2, verdictBox);
    m_classes->setObjectName(QStringLiteral("classTable"));
    m_classes->setHorizontalHeaderLabels({ tr("Class"), tr("Probability") });
    m_classes->horizontalHeader()->setStretchLastSection(true);
    m_classes->verticalHeader()->hide();
    m_classes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_classes->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_classes->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_timing = makeLabel(QStringLiteral("timing"), verdictBox);
    m_error = makeLabel(QStringLiteral("error"), verdictBox);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e; font-weight: bold;"));
    verdictLayout->addWidget(m_probability);
    verdictLayout->addWidget(m_probabilityBar);
    verdictLayout->addWidget(m_verdict);
    verdictLayout->addWidget(m_classes);
    verdictLayout->addWidget(m_timing);
    verdictLayout->addWidget(m_error);
    layout->addWidget(verdictBox);
    layout->addStretch(1);

    m_modelName->setText(tr("No model loaded."));
    clearVerdict();
}

void VerdictPanel::setModelLoading(const QString &bundlePath)
{
    m_model.reset();
    m_modelName->setText(tr("Loading %1 …").arg(QFileInfo(bundlePath).fileName()));
    m_modelBanner->hide();
}

void VerdictPanel::setModel(const ModelInfo &model)
{
    m_model = model;
    const ModelManifest &manifest = model.manifest;
    m_modelName->setText(
        tr("<b>%1</b> (%2, version %3)<br>on %4, bundle SHA-256 %5…<br>trained on: %6")
            .arg(manifest.name.toHtmlEscaped(), manifest.id.toHtmlEscaped(),
                manifest.version.toHtmlEscaped(), model.device, model.bundleSha256.left(16),
                manifest.trainedOn.toHtmlEscaped()));
    m_modelName->setToolTip(tr("Bundle %1\nSHA-256 %2\nManifest SHA-256 %3")
                                .arg(model.bundlePath, model.bundleSha256, model.manifestSha256));
    if (manifest.isUntrainedTestModel()) {
        m_modelBanner->setText(tr("UNTRAINED TEST MODEL: its weights are random. Its "
                                  "verdicts mean nothing and must not be used as evidence."));
        m_modelBanner->show();
    } else if (manifest.experimental) {
        m_modelBanner->setText(tr("EXPERIMENTAL detector: read its model card before relying "
                                  "on a verdict."));
        m_modelBanner->show();
    } else {
        m_modelBanner->hide();
    }
}

void VerdictPanel::setModelError(const QString &message)
{
    m_model.reset();
    m_modelName->setText(tr("No model loaded."));
    m_modelBanner->hide();
    m_error->setText(message);
}

void VerdictPanel::clearVerdict()
{
    m_probability->setText(QStringLiteral("–"));
    m_probabilityBar->setValue(0);
    m_verdict->clear();
    m_classes->setRowCount(0);
    m_timing->clear();
    m_error->clear();
}

void VerdictPanel::showAnalysing(const QString &path)
{
    clearVerdict();
    m_fileName->setText(QFileInfo(path).fileName());
    m_fileDetails->setText(tr("Analysing …"));
    m_sha256->clear();
}

void VerdictPanel::showWaitingForModel(const QString &path)
{
    clearVerdict();
    m_fileName->setText(QFileInfo(path).fileName());
    m_fileDetails->setText(tr("Not analysed yet: no model is ready. Load one with File ▸ Load "
                              "Model…"));
    m_sha256->clear();
}

void VerdictPanel::showOutcome(const AnalysisOutcome &outcome)
{
    clearVerdict();
    const QLocale locale;
    m_fileName->setText(QFileInfo(outcome.path).fileName());
    m_fileName->setToolTip(outcome.path);
    m_sha256->setText(outcome.digest.sha256);
    m_sha256->setCursorPosition(0);
    if (outcome.width > 0) {
        QString details = tr("%1 · %2 × %3 pixels · %4")
                              .arg(imageFormatName(outcome.format).toUpper())
                              .arg(outcome.width)
                              .arg(outcome.height)
                              .arg(locale.formattedDataSize(outcome.fileSize));
        if (outcome.orientation != 1)
            details += tr(" · EXIF orientation %1 applied").arg(outcome.orientation);
        m_fileDetails->setText(details);
    } else {
        m_fileDetails->clear();
    }

    if (outcome.error) {
        m_error->setText(
            tr("Not analysed (%1): %2").arg(outcome.error->code, outcome.error->message));
        return;
    }
    if (!outcome.prediction || !m_model)
        return;
    const Prediction &p = *outcome.prediction;
    const ModelManifest &manifest = m_model->manifest;
    m_probability->setText(tr("P(synthetic) = %1").arg(double(p.pSynthetic), 0, 'f', 3));
    m_probabilityBar->setValue(qBound(0, int(p.pSynthetic * 1000.0f + 0.5f), 1000));
    // "Below the threshold" is not a finding that the image is a camera photograph: say only
    // what the model's score says.
    QString verdict;
    if (manifest.isUntrainedTestModel())
        verdict = tr("<b>[UNTRAINED TEST MODEL]</b> ");
    else if (manifest.experimental)
        verdict = tr("<b>[EXPERIMENTAL detector]</b> ");
    if (manifest.inconclusive) {
        const InconclusiveBand &band = *manifest.inconclusive;
        switch (p.verdict) {
        case Verdict::Synthetic:
            verdict += tr("<b>Flagged as synthetic</b>: the score is at or above the top of this "
                          "model's inconclusive band, %1.")
                           .arg(band.high, 0, 'f', 3);
            break;
        case Verdict::Inconclusive:
            verdict += tr("<b>Inconclusive</b>: the score lies within this model's inconclusive "
                          "band, %1 to %2; it makes no call.")
                           .arg(band.low, 0, 'f', 3)
                           .arg(band.high, 0, 'f', 3);
            break;
        case Verdict::NotFlagged:
            verdict += tr("<b>Not flagged</b>: the score is below this model's inconclusive band, "
                          "%1.")
                           .arg(band.low, 0, 'f', 3);
            break;
        }
        verdict += tr("<br>Band: %1. Threshold %2 (%3).")
                       .arg(band.chosenBy.toHtmlEscaped())
                       .arg(p.threshold, 0, 'f', 3)
                       .arg(manifest.thresholdChosenBy.toHtmlEscaped());
    } else {
        verdict += (p.verdict == Verdict::Synthetic
                           ? tr("<b>Flagged as synthetic</b>: the score is at or above this "
                                "model's threshold")
                           : tr("<b>Not flagged</b>: the score is below this model's threshold"))
            + tr(" %1 (%2).")
                  .arg(p.threshold, 0, 'f', 3)
                  .arg(manifest.thresholdChosenBy.toHtmlEscaped());
    }
    if (manifest.calibration == QLatin1String("none"))
        verdict += tr("<br>The score is the model's output, not a calibrated probability.");
    if (const QString head = headSummary(p.head); !head.isEmpty())
        verdict += QStringLiteral("<br>") + head;
    m_verdict->setText(verdict);
    m_classes->setRowCount(int(p.classProbabilities.size()));
    for (int i = 0; i < int(p.classProbabilities.size()); ++i) {
        m_classes->setItem(i, 0, new QTableWidgetItem(manifest.classes.value(i)));
        m_classes->setItem(i, 1,
            new QTableWidgetItem(QString::number(double(p.classProbabilities[size_t(i)]), 'f', 4)));
    }
    m_timing->setText(tr("Inference %1 ms on %2 · %3 input(s)")
                          .arg(p.inferenceMillis, 0, 'f', 1)
                          .arg(m_model->device)
                          .arg(p.tiles));
}

// How far from its boundary the head puts the image, in the head's own terms.
QString VerdictPanel::headSummary(const HeadScores &head)
{
    switch (head.kind) {
    case HeadScores::Kind::None: return {};
    case HeadScores::Kind::Linear:
        return tr("Linear head: log-odds of synthetic %1 (0 is the boundary).")
            .arg(head.decision.value_or(0.0), 0, 'f', 3);
    case HeadScores::Kind::Ocsvm:
        return head.decision.value_or(0.0) > 0.0
            ? tr("One-class SVM: %1 inside the region learnt from real images (0 is the "
                 "boundary).")
                  .arg(head.decision.value_or(0.0), 0, 'g', 4)
            : tr("One-class SVM: %1 outside the region learnt from real images (0 is the "
                 "boundary).")
                  .arg(head.decision.value_or(0.0), 0, 'g', 4);
    case HeadScores::Kind::Knn: break;
    }
    const auto distance = [](const std::optional<double> &value) {
        return value ? QString::number(*value, 'f', 4) : QStringLiteral("–");
    };
    return tr("kNN head: cosine distance to the nearest real training image %1, to the nearest "
              "synthetic one %2.")
        .arg(distance(head.nearestRealDistance), distance(head.nearestFakeDistance));
}

} // namespace forgelens
