#include "evidence_list.h"

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/report/display_text.h"
#include "forgelens/report/verdict_statement.h"
#include "forgelens/session/workbench.h"

#include <QFileInfo>

namespace forgelens {

EvidenceList::EvidenceList(Workbench *workbench, QWidget *parent)
    : QListWidget(parent), m_workbench(workbench)
{
    setObjectName(QStringLiteral("evidenceList"));
    setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_workbench, &Workbench::filesChanged, this, &EvidenceList::refresh);
    connect(m_workbench, &Workbench::currentChanged, this, [this](int index) {
        const QSignalBlocker blocker(this);
        setCurrentRow(index);
    });
    connect(m_workbench, &Workbench::recordReady, this, &EvidenceList::showRecord);
    connect(this, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row != m_workbench->currentIndex())
            m_workbench->setCurrentIndex(row);
    });
}

QString EvidenceList::summary(const AnalysisRecord &record)
{
    if (record.fileError)
        return record.fileError->codeName();
    if (record.detectors.empty())
        return tr("no detector");
    const AgreementCounts counts = agreementCounts(record);
    if (counts.scored == 0)
        return counts.meaningless > 0 ? tr("untrained/stand-in only") : tr("not scored");
    return tr("%1/%2 flag").arg(counts.flagged).arg(counts.scored);
}

void EvidenceList::refresh()
{
    const QSignalBlocker blocker(this);
    clear();
    for (const QString &path : m_workbench->files()) {
        auto *item = new QListWidgetItem(displayText(QFileInfo(path).fileName()), this);
        item->setToolTip(displayText(path).toHtmlEscaped());
        if (const AnalysisRecord *record = m_workbench->record(path))
            item->setText(item->text() + QStringLiteral("  —  ") + summary(*record));
    }
    setCurrentRow(m_workbench->currentIndex());
}

void EvidenceList::showRecord(const QString &path, const AnalysisRecord &record)
{
    const int row = int(m_workbench->files().indexOf(path));
    if (QListWidgetItem *item = this->item(row)) {
        item->setText(
            displayText(QFileInfo(path).fileName()) + QStringLiteral("  —  ") + summary(record));
        item->setForeground(record.fileError ? QColor(0xb3, 0x26, 0x1e) : palette().text().color());
    }
}

} // namespace forgelens
