#include "detector_list_panel.h"

#include "forgelens/report/display_text.h"
#include "forgelens/report/verdict_statement.h"
#include "forgelens/session/workbench.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace forgelens {

DetectorListPanel::DetectorListPanel(Workbench *workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_list(new QTreeWidget(this)),
      m_error(new QLabel(this)), m_add(new QPushButton(tr("Add…"), this)),
      m_replace(new QPushButton(tr("Replace…"), this)),
      m_remove(new QPushButton(tr("Unload"), this)), m_up(new QToolButton(this)),
      m_down(new QToolButton(this)), m_bank(new QToolButton(this)),
      m_bankProgress(new QProgressBar(this)), m_bankStatus(new QLabel(this))
{
    m_list->setObjectName(QStringLiteral("detectorList"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({ tr("Detector"), tr("Status"), tr("Exemplar bank"), tr("Device"),
        tr("Family"), tr("Bundle SHA-256") });
    m_list->header()->setStretchLastSection(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_error->setObjectName(QStringLiteral("detectorError"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    m_add->setObjectName(QStringLiteral("addDetector"));
    m_replace->setObjectName(QStringLiteral("replaceDetector"));
    m_remove->setObjectName(QStringLiteral("removeDetector"));
    m_add->setToolTip(tr("Load another detector bundle to compare"));
    m_up->setArrowType(Qt::UpArrow);
    m_up->setToolTip(tr("Move the selected detector up"));
    m_down->setArrowType(Qt::DownArrow);
    m_down->setToolTip(tr("Move the selected detector down"));
    m_replace->setToolTip(
        tr("Load a bundle in place of the selected detector; it stays until the new one has "
           "loaded"));

    m_bank->setObjectName(QStringLiteral("bankMenu"));
    m_bank->setText(tr("Bank"));
    m_bank->setToolTip(tr("The selected detector's exemplar bank: its nearest known real and "
                          "generated images, and its patch-similarity map"));
    m_bank->setPopupMode(QToolButton::InstantPopup);
    auto *bankMenu = new QMenu(m_bank);
    bankMenu->addAction(tr("Attach Bank…"), this, &DetectorListPanel::attachBank);
    bankMenu->addAction(tr("Build Bank from Folder…"), this, &DetectorListPanel::buildBank);
    bankMenu->addAction(
        tr("Detach Bank"), this, [this] { m_workbench->detachBank(selectedIndex()); });
    bankMenu->addAction(tr("Cancel Bank Build"), m_workbench, &Workbench::cancelBankBuild);
    m_bank->setMenu(bankMenu);
    m_bankProgress->setObjectName(QStringLiteral("bankBuildProgress"));
    m_bankProgress->hide();
    m_bankStatus->setObjectName(QStringLiteral("bankStatus"));
    m_bankStatus->setTextFormat(Qt::PlainText);
    m_bankStatus->setWordWrap(true);
    m_bankStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bankStatus->hide();

    auto *buttons = new QHBoxLayout;
    for (QAbstractButton *button : std::initializer_list<QAbstractButton *>{
             m_add, m_replace, m_remove, m_up, m_down, m_bank })
        buttons->addWidget(button);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_bankProgress);
    layout->addWidget(m_bankStatus);
    layout->addWidget(m_error);

    connect(m_add, &QPushButton::clicked, this, &DetectorListPanel::addRequested);
    connect(m_replace, &QPushButton::clicked, this,
        [this] { Q_EMIT replaceRequested(selectedIndex()); });
    connect(m_remove, &QPushButton::clicked, this,
        [this] { m_workbench->removeDetector(selectedIndex()); });
    connect(m_up, &QToolButton::clicked, this, [this] {
        const int index = selectedIndex();
        m_workbench->moveDetector(index, index - 1);
        if (QTreeWidgetItem *item = m_list->topLevelItem(index - 1))
            m_list->setCurrentItem(item);
    });
    connect(m_down, &QToolButton::clicked, this, [this] {
        const int index = selectedIndex();
        m_workbench->moveDetector(index, index + 1);
        if (QTreeWidgetItem *item = m_list->topLevelItem(index + 1))
            m_list->setCurrentItem(item);
    });
    connect(m_list, &QTreeWidget::currentItemChanged, this, &DetectorListPanel::updateButtons);
    connect(m_workbench, &Workbench::detectorsChanged, this, &DetectorListPanel::refresh);
    connect(m_workbench, &Workbench::detectorLoadStarted, this, &DetectorListPanel::refresh);
    connect(m_workbench, &Workbench::detectorLoaded, this, [this] {
        m_error->hide();
        refresh();
    });
    connect(m_workbench, &Workbench::detectorLoadFailed, this, &DetectorListPanel::showLoadError);
    connect(m_workbench, &Workbench::banksChanged, this, [this] {
        m_error->hide();
        refresh();
    });
    connect(m_workbench, &Workbench::bankAttachFailed, this,
        [this](const QString &bankPath, const Error &error) {
            m_error->setText(tr("%1 was not attached [%2]: %3")
                                 .arg(displayText(QFileInfo(bankPath).fileName()), error.codeName(),
                                     displayText(error.message)));
            m_error->show();
        });
    connect(m_workbench, &Workbench::bankBuildProgressed, this, [this](qint64 done, qint64 total) {
        m_bankProgress->setRange(0, int(std::min<qint64>(total, 1 << 30)));
        m_bankProgress->setValue(int(std::min<qint64>(done, 1 << 30)));
        m_bankProgress->setFormat(tr("Building bank: %1 of %2 files").arg(done).arg(total));
        m_bankProgress->show();
    });
    connect(m_workbench, &Workbench::bankBuildFinished, this,
        [this](const QString &bankPath, const QString &summary, const QString &error) {
            m_bankProgress->hide();
            m_bankStatus->setText(error.isEmpty()
                    ? tr("Built %1: %2.")
                          .arg(displayText(QFileInfo(bankPath).fileName()), displayText(summary))
                    : tr("The bank %1 was not built: %2")
                          .arg(displayText(QFileInfo(bankPath).fileName()), displayText(error)));
            m_bankStatus->show();
        });
    refresh();
}

void DetectorListPanel::attachBank()
{
    const int index = selectedIndex();
    if (index < 0)
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Attach Exemplar Bank"), QString(),
        tr("Exemplar banks (*.sqlite *.db);;All files (*)"));
    if (!path.isEmpty())
        m_workbench->attachBank(index, path);
}

void DetectorListPanel::buildBank()
{
    const int index = selectedIndex();
    if (index < 0)
        return;
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Folder of Labelled Images (real/, synthetic/ or one folder per generator)"));
    if (folder.isEmpty())
        return;
    const QString bank = QFileDialog::getSaveFileName(this, tr("Save Bank As"),
        QFileInfo(folder).absolutePath() + QStringLiteral("/") + QFileInfo(folder).fileName()
            + QStringLiteral(".bank.sqlite"),
        tr("Exemplar banks (*.sqlite)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (bank.isEmpty())
        return;
    if (std::optional<Error> refused = m_workbench->startBankBuild(index, folder, bank)) {
        m_bankStatus->setText(tr("The bank was not started [%1]: %2")
                                  .arg(refused->codeName(), displayText(refused->message)));
        m_bankStatus->show();
        return;
    }
    m_bankProgress->setRange(0, 0);
    m_bankProgress->setFormat(tr("Building bank: listing the folder…"));
    m_bankProgress->show();
    m_bankStatus->hide();
}

int DetectorListPanel::selectedIndex() const
{
    const int index = m_list->indexOfTopLevelItem(m_list->currentItem());
    return index < m_workbench->detectorCount() ? index : -1;
}

void DetectorListPanel::refresh()
{
    const int selected = selectedIndex();
    m_list->clear();
    for (const std::shared_ptr<const ModelInfo> &model : m_workbench->detectors()) {
        const ModelManifest &manifest = model->manifest;
        const ModelCaveat caveat = modelCaveat(manifest);
        const int row = m_list->topLevelItemCount();
        const std::shared_ptr<const AttachedBank> bank = m_workbench->bank(row);
        const QString bankText = bank
            ? tr("%1 (%2 real, %3 synthetic)")
                  .arg(displayText(QFileInfo(bank->path()).fileName()))
                  .arg(bank->realCount())
                  .arg(bank->syntheticCount())
            : (manifest.hasEmbedding ? tr("none") : tr("— (no embedding)"));
        auto *item = new QTreeWidgetItem(m_list,
            { displayText(manifest.id),
                caveat == ModelCaveat::None ? tr("—") : caveatMarker(caveat), bankText,
                model->device, displayText(manifest.family),
                model->bundleSha256.left(12) + QStringLiteral("…") });
        const QString tip = tr("%1, version %2\nBundle: %3\nSHA-256: %4\nManifest SHA-256: %5\n"
                               "Trained on: %6\nThreshold %7 (%8)")
                                .arg(displayText(manifest.name), displayText(manifest.version),
                                    displayText(model->bundlePath), model->bundleSha256,
                                    model->manifestSha256, displayText(manifest.trainedOn))
                                .arg(manifest.threshold)
                                .arg(displayText(manifest.thresholdChosenBy));
        for (int column = 0; column < 6; ++column)
            item->setToolTip(column, tip.toHtmlEscaped());
        if (bank)
            item->setToolTip(2, displayText(bank->path()).toHtmlEscaped());
        if (caveat != ModelCaveat::None)
            item->setForeground(1, QColor(0xb3, 0x26, 0x1e));
    }
    for (const QString &bundle : m_workbench->loadingBundles()) {
        auto *item = new QTreeWidgetItem(m_list,
            { displayText(QFileInfo(bundle).fileName()), tr("loading…"), QString(), QString(),
                QString(), QString() });
        QFont italic = item->font(0);
        italic.setItalic(true);
        for (int column = 0; column < 6; ++column)
            item->setFont(column, italic);
        item->setFlags(Qt::ItemIsEnabled);
    }
    for (int column = 0; column < 5; ++column)
        m_list->resizeColumnToContents(column);
    if (QTreeWidgetItem *item = m_list->topLevelItem(selected >= 0 ? selected : 0);
        item && item->flags().testFlag(Qt::ItemIsSelectable))
        m_list->setCurrentItem(item);
    updateButtons();
}

void DetectorListPanel::showLoadError(const QString &bundlePath, const Error &error)
{
    refresh();
    m_error->setText(tr("%1 was not loaded [%2]: %3\nThe detectors above are unchanged.")
                         .arg(displayText(QFileInfo(bundlePath).fileName()), error.codeName(),
                             displayText(error.message)));
    m_error->show();
}

void DetectorListPanel::updateButtons()
{
    const int index = selectedIndex();
    const int count = m_workbench->detectorCount();
    m_replace->setEnabled(index >= 0);
    m_remove->setEnabled(index >= 0);
    m_up->setEnabled(index > 0);
    m_down->setEnabled(index >= 0 && index + 1 < count);
    m_bank->setEnabled(index >= 0);
}

} // namespace forgelens
