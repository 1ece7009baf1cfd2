#include "ui/report_export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>

namespace forgelens {

ReportExportDialog::ReportExportDialog(
    const QString &suggestedPdf, bool haveCurrentImage, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export Report"));
    auto *form = new QFormLayout;
    m_pdf = new QLineEdit(suggestedPdf, this);
    m_pdf->setObjectName(QStringLiteral("reportPdf"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(
            this, tr("Export Report"), m_pdf->text(), tr("PDF documents (*.pdf)"));
        if (!chosen.isEmpty())
            m_pdf->setText(
                chosen.endsWith(QLatin1String(".pdf")) ? chosen : chosen + QStringLiteral(".pdf"));
    });
    auto *pdfRow = new QHBoxLayout;
    pdfRow->addWidget(m_pdf, 1);
    pdfRow->addWidget(browse);
    form->addRow(tr("PDF"), pdfRow);
    m_pageSize = new QComboBox(this);
    m_pageSize->addItem(tr("A4"), int(QPageSize::A4));
    m_pageSize->addItem(tr("Letter"), int(QPageSize::Letter));
    form->addRow(tr("Page size"), m_pageSize);
    m_json = new QCheckBox(tr("Also write the same content as JSON beside it"), this);
    m_json->setChecked(true);
    form->addRow(QString(), m_json);
    m_all = new QRadioButton(tr("Every evidence item of the case"), this);
    m_current = new QRadioButton(tr("The image shown now"), this);
    m_current->setEnabled(haveCurrentImage);
    m_all->setChecked(true);
    auto *scope = new QVBoxLayout;
    scope->addWidget(m_all);
    scope->addWidget(m_current);
    form->addRow(tr("Report on"), scope);
    auto *note = new QLabel(tr("PDF/A-1b intended, fonts embedded. Each evidence file is hashed "
                               "again; one that no longer matches its intake is reported as "
                               "changed and not shown. The export is logged in the case."),
        this);
    note->setWordWrap(true);
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

QString ReportExportDialog::pdfPath() const
{
    return m_pdf->text().trimmed();
}

QString ReportExportDialog::jsonPath() const
{
    if (!m_json->isChecked())
        return {};
    QString json = pdfPath();
    if (json.endsWith(QLatin1String(".pdf")))
        json.chop(4);
    return json + QStringLiteral(".json");
}

QPageSize::PageSizeId ReportExportDialog::pageSize() const
{
    return QPageSize::PageSizeId(m_pageSize->currentData().toInt());
}

bool ReportExportDialog::currentImageOnly() const
{
    return m_current->isChecked();
}

void ReportExportDialog::accept()
{
    if (pdfPath().isEmpty()) {
        m_problem->setText(tr("Choose where the PDF goes."));
        return;
    }
    QDialog::accept();
}

} // namespace forgelens
