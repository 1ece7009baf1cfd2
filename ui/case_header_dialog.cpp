#include "ui/case_header_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimeZone>

namespace forgelens {

CaseHeaderDialog::CaseHeaderDialog(const QString &folder, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("New Case"));
    auto *form = new QFormLayout;
    m_path = new QLineEdit(QDir(folder).filePath(QStringLiteral("case.forgelens")), this);
    m_path->setObjectName(QStringLiteral("casePath"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(
            this, tr("New Case"), m_path->text(), tr("ForgeLens cases (*.forgelens)"));
        if (!chosen.isEmpty())
            m_path->setText(chosen.endsWith(QLatin1String(".forgelens"))
                    ? chosen
                    : chosen + QStringLiteral(".forgelens"));
    });
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    form->addRow(tr("Case file"), pathRow);
    const auto field = [this, form](const QString &label, const QString &name) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(name);
        edit->setMaxLength(500);
        form->addRow(label, edit);
        return edit;
    };
    m_number = field(tr("Case number"), QStringLiteral("caseNumber"));
    m_title = field(tr("Title"), QStringLiteral("caseTitle"));
    m_examiner = field(tr("Examiner"), QStringLiteral("caseExaminer"));
    m_organisation = field(tr("Organisation"), QStringLiteral("caseOrganisation"));
    m_timeZone = new QComboBox(this);
    m_timeZone->setObjectName(QStringLiteral("caseTimeZone"));
    m_timeZone->setEditable(true);
    for (const QByteArray &zone : QTimeZone::availableTimeZoneIds())
        m_timeZone->addItem(QString::fromUtf8(zone));
    m_timeZone->setCurrentText(QString::fromUtf8(QTimeZone::systemTimeZoneId()));
    form->addRow(tr("Time zone"), m_timeZone);
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->setWordWrap(true);
    auto *note = new QLabel(tr("Times are kept in UTC and shown in the case's time zone beside "
                               "them. Every change to the case is logged, each entry chained "
                               "to the one before by SHA-256."),
        this);
    note->setWordWrap(true);
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

QString CaseHeaderDialog::path() const
{
    return m_path->text().trimmed();
}

CaseHeader CaseHeaderDialog::header() const
{
    CaseHeader header;
    header.number = m_number->text().trimmed();
    header.title = m_title->text().trimmed();
    header.examiner = m_examiner->text().trimmed();
    header.organisation = m_organisation->text().trimmed();
    header.timeZone = m_timeZone->currentText().trimmed();
    return header;
}

void CaseHeaderDialog::accept()
{
    QString problem = header().validate();
    if (problem.isEmpty() && path().isEmpty())
        problem = tr("choose where the case file goes");
    if (problem.isEmpty() && QFileInfo::exists(path()))
        problem = tr("%1 already exists: open it, or choose another name").arg(path());
    if (!problem.isEmpty()) {
        m_problem->setText(problem);
        return;
    }
    QDialog::accept();
}

} // namespace forgelens
