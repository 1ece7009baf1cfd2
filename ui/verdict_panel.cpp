#include "verdict_panel.h"

#include "forgelens/report/display_text.h"
#include "forgelens/report/verdict_statement.h"

#include <QFileInfo>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
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

QString html(const QString &text)
{
    return text.toHtmlEscaped();
}

QColor verdictColour(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Synthetic: return { 0xfb, 0xdc, 0xd9 };
    case Verdict::Inconclusive: return { 0xfd, 0xef, 0xc3 };
    case Verdict::NotFlagged: return { 0xe4, 0xef, 0xe4 };
    }
    return {};
}

QTableWidgetItem *cell(const QString &text, const QString &tip = {})
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    if (!tip.isEmpty())
        item->setToolTip(tip.toHtmlEscaped());
    return item;
}

} // namespace

VerdictPanel::VerdictPanel(QWidget *parent) : QWidget(parent)
{
    setMinimumWidth(360);
    auto *layout = new QVBoxLayout(this);

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
    m_error = makeLabel(QStringLiteral("error"), fileBox);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e; font-weight: bold;"));
    fileLayout->addWidget(m_fileName);
    fileLayout->addWidget(m_fileDetails);
    fileLayout->addWidget(new QLabel(tr("SHA-256"), fileBox));
    fileLayout->addWidget(m_sha256);
    fileLayout->addWidget(m_error);
    m_custody = makeLabel(QStringLiteral("custody"), fileBox);
    m_custody->hide();
    fileLayout->addWidget(m_custody);
    layout->addWidget(fileBox);

    auto *verdictBox = new QGroupBox(tr("Detectors"), this);
    auto *verdictLayout = new QVBoxLayout(verdictBox);
    m_caveats = makeLabel(QStringLiteral("caveats"), verdictBox);
    m_caveats->setStyleSheet(QStringLiteral(
        "QLabel { background: #fdecea; color: #7a1c14; border: 1px solid #b3261e; padding: 6px; "
        "border-radius: 3px; }"));
    m_agreement = makeLabel(QStringLiteral("agreement"), verdictBox);
    m_agreement->setStyleSheet(QStringLiteral("font-weight: bold;"));
    m_table = new QTableWidget(0, 8, verdictBox);
    m_table->setObjectName(QStringLiteral("comparisonTable"));
    m_table->setHorizontalHeaderLabels({ tr("Detector"), tr("P(synthetic)"), tr("Label"),
        tr("Threshold"), tr("Band"), tr("Head"), tr("Scored"), tr("Time") });
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    // As tall as its rows: the selected detector's verdict in words follows right below.
    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_table->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Maximum);
    m_probability = makeLabel(QStringLiteral("probability"), verdictBox);
    QFont big = m_probability->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    m_probability->setFont(big);
    m_verdict = makeLabel(QStringLiteral("verdict"), verdictBox, Qt::RichText);
    verdictLayout->addWidget(m_caveats);
    verdictLayout->addWidget(m_agreement);
    verdictLayout->addWidget(m_table);
    verdictLayout->addWidget(m_probability);
    verdictLayout->addWidget(m_verdict);
    verdictLayout->addStretch(1);
    layout->addWidget(verdictBox, 1);

    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) {
        showDetail(row);
        Q_EMIT detectorSelected(row);
    });
    clear();
}

void VerdictPanel::clearVerdicts()
{
    m_record.reset();
    m_error->clear();
    m_caveats->clear();
    m_caveats->hide();
    m_agreement->clear();
    m_table->setRowCount(0);
    m_probability->setText(QStringLiteral("–"));
    m_verdict->clear();
}

void VerdictPanel::setCustody(const QString &text, bool warning)
{
    m_custody->setText(text);
    m_custody->setStyleSheet(warning
            ? QStringLiteral(
                "color: #b3261e; font-weight: bold; background: #fbe4e4; padding: 4px;")
            : QStringLiteral("color: #2e6b2e;"));
    m_custody->setVisible(!text.isEmpty());
}

void VerdictPanel::clear()
{
    clearVerdicts();
    m_fileName->setText(tr("No image open."));
    m_fileDetails->clear();
    m_sha256->clear();
}

void VerdictPanel::showAnalysing(const QString &path)
{
    clearVerdicts();
    m_fileName->setText(displayText(QFileInfo(path).fileName()));
    m_fileName->setToolTip(displayText(path).toHtmlEscaped());
    m_fileDetails->setText(tr("Analysing …"));
    m_sha256->clear();
}

void VerdictPanel::showWaitingForDetectors(const QString &path)
{
    showAnalysing(path);
    m_fileDetails->setText(tr(
        "No detector is loaded: add one with Detectors ▸ Add Detector… (metadata is still read)."));
}

int VerdictPanel::selectedDetector() const
{
    return m_table->currentRow();
}

void VerdictPanel::showFile(const AnalysisRecord &record)
{
    const QLocale locale;
    m_fileName->setText(displayText(QFileInfo(record.path).fileName()));
    m_fileName->setToolTip(displayText(record.path).toHtmlEscaped());
    m_sha256->setText(record.digest.sha256);
    m_sha256->setCursorPosition(0);
    if (record.decoded()) {
        QString details = tr("%1 · %2 × %3 pixels · %4")
                              .arg(imageFormatDisplayName(record.format))
                              .arg(record.width)
                              .arg(record.height)
                              .arg(locale.formattedDataSize(record.fileSize));
        if (record.orientation != 1)
            details += tr(" · %1 orientation %2 applied")
                           .arg(orientationSourceName(record.format))
                           .arg(record.orientation);
        m_fileDetails->setText(details);
    } else if (record.fileSize >= 0) {
        m_fileDetails->setText(locale.formattedDataSize(record.fileSize));
    } else {
        m_fileDetails->clear();
    }
}

void VerdictPanel::showRecord(const AnalysisRecord &record)
{
    clearVerdicts();
    m_record = record;
    showFile(record);
    if (record.fileError) {
        QString text
            = tr("Not analysed (%1): %2")
                  .arg(record.fileError->codeName(), displayText(record.fileError->message));
        if (record.fileError->code == ErrorCode::Truncated)
            text
                += tr("\nThe part that decoded is shown, marked TRUNCATED; no detector scored it.");
        m_error->setText(text);
    }
    if (const QStringList caveats = recordCaveats(record); !caveats.isEmpty()) {
        m_caveats->setText(caveats.join(QStringLiteral("\n")));
        m_caveats->show();
    }
    // No detector ran on a file that failed: no empty table, no placeholder score.
    m_table->setVisible(!record.fileError);
    m_probability->setVisible(!record.fileError);
    if (record.fileError)
        return;
    m_agreement->setText(agreementSentence(record));

    m_table->setRowCount(int(record.detectors.size()));
    for (int row = 0; row < int(record.detectors.size()); ++row) {
        const DetectorResult &result = record.detectors[size_t(row)];
        const ModelManifest &manifest = result.model->manifest;
        m_table->setItem(row, 0, cell(displayText(manifest.id), displayText(manifest.name)));
        if (!result.ok()) {
            const QString error = result.error
                ? tr("[%1] %2").arg(result.error->codeName(), displayText(result.error->message))
                : tr("not run");
            m_table->setItem(row, 1, cell(tr("—")));
            m_table->setItem(row, 2, cell(error, error));
            for (int column = 3; column < 8; ++column)
                m_table->setItem(row, column, cell(QString()));
            continue;
        }
        const Prediction &p = *result.prediction;
        const VerdictStatement s = describeVerdict(p, manifest);
        m_table->setItem(row, 1, cell(QString::number(double(p.pSynthetic), 'f', 3)));
        QTableWidgetItem *label = cell(s.label, s.headline + QStringLiteral(": ") + s.reason);
        label->setBackground(verdictColour(p.verdict));
        m_table->setItem(row, 2, label);
        m_table->setItem(row, 3, cell(QString::number(p.threshold, 'f', 3), s.threshold));
        m_table->setItem(row, 4,
            cell(manifest.inconclusive ? QStringLiteral("%1–%2")
                                             .arg(manifest.inconclusive->low, 0, 'f', 3)
                                             .arg(manifest.inconclusive->high, 0, 'f', 3)
                                       : tr("none"),
                s.band));
        QString head;
        if (p.head.decision)
            head = QString::number(*p.head.decision, 'g', 4);
        else if (p.head.nearestRealDistance || p.head.nearestFakeDistance)
            head = tr("real %1 / synth %2")
                       .arg(p.head.nearestRealDistance.value_or(-1), 0, 'f', 3)
                       .arg(p.head.nearestFakeDistance.value_or(-1), 0, 'f', 3);
        m_table->setItem(row, 5, cell(head.isEmpty() ? tr("—") : head, s.head));
        m_table->setItem(row, 6,
            cell(result.regions.size() == 1 ? tr("1 region")
                                            : tr("%1 tiles").arg(result.regions.size()),
                tr("The outlines on the image show what this detector scored.")));
        m_table->setItem(row, 7, cell(tr("%1 ms").arg(p.inferenceMillis, 0, 'f', 0)));
    }
    m_table->resizeColumnsToContents();
    if (!record.detectors.empty())
        m_table->setCurrentCell(0, 0);
}

void VerdictPanel::showDetail(int row)
{
    m_verdict->clear();
    m_probability->setText(QStringLiteral("–"));
    if (!m_record || row < 0 || row >= int(m_record->detectors.size()))
        return;
    const DetectorResult &result = m_record->detectors[size_t(row)];
    const ModelManifest &manifest = result.model->manifest;
    if (!result.ok()) {
        m_verdict->setText(
            tr("<b>%1</b> could not score this file.").arg(html(displayText(manifest.id))));
        return;
    }
    const Prediction &p = *result.prediction;
    const VerdictStatement s = describeVerdict(p, manifest);
    m_probability->setText(tr("P(synthetic) = %1 · %2")
                               .arg(double(p.pSynthetic), 0, 'f', 3)
                               .arg(displayText(manifest.id)));
    QString text;
    if (!s.caveatMarker.isEmpty())
        text += QStringLiteral("<b>%1</b> ").arg(html(s.caveatMarker));
    text += QStringLiteral("<b>%1</b>: %2.").arg(html(s.headline), html(s.reason));
    text += QStringLiteral("<br>%1.").arg(html(s.threshold));
    if (!s.band.isEmpty())
        text += QStringLiteral("<br>%1.").arg(html(s.band));
    if (!s.calibration.isEmpty())
        text += QStringLiteral("<br>%1").arg(html(s.calibration));
    if (!s.head.isEmpty())
        text += QStringLiteral("<br>%1").arg(html(s.head));
    QStringList classes;
    for (int i = 0; i < int(p.classProbabilities.size()); ++i)
        classes << QStringLiteral("%1 %2")
                       .arg(html(displayText(manifest.classes.value(i))))
                       .arg(double(p.classProbabilities[size_t(i)]), 0, 'f', 4);
    text += tr("<br>Classes: %1.").arg(classes.join(QStringLiteral(", ")));
    text += tr("<br>Model: %1 (version %2), bundle SHA-256 %3…, on %4; %5 input(s), %6 ms.")
                .arg(html(displayText(manifest.name)), html(displayText(manifest.version)),
                    result.model->bundleSha256.left(16), result.model->device)
                .arg(p.tiles)
                .arg(p.inferenceMillis, 0, 'f', 1);
    m_verdict->setText(text);
}

} // namespace forgelens
