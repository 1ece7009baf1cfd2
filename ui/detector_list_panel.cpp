#include "detector_list_panel.h"

#include "forgelens/report/display_text.h"
#include "forgelens/report/verdict_statement.h"
#include "forgelens/session/workbench.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
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
      m_down(new QToolButton(this))
{
    m_list->setObjectName(QStringLiteral("detectorList"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels(
        { tr("Detector"), tr("Status"), tr("Device"), tr("Family"), tr("Bundle SHA-256") });
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

    auto *buttons = new QHBoxLayout;
    for (QAbstractButton *button :
        std::initializer_list<QAbstractButton *>{ m_add, m_replace, m_remove, m_up, m_down })
        buttons->addWidget(button);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
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
    refresh();
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
        auto *item = new QTreeWidgetItem(m_list,
            { displayText(manifest.id),
                caveat == ModelCaveat::None ? tr("—") : caveatMarker(caveat), model->device,
                displayText(manifest.family), model->bundleSha256.left(12) + QStringLiteral("…") });
        const QString tip = tr("%1, version %2\nBundle: %3\nSHA-256: %4\nManifest SHA-256: %5\n"
                               "Trained on: %6\nThreshold %7 (%8)")
                                .arg(displayText(manifest.name), displayText(manifest.version),
                                    displayText(model->bundlePath), model->bundleSha256,
                                    model->manifestSha256, displayText(manifest.trainedOn))
                                .arg(manifest.threshold)
                                .arg(displayText(manifest.thresholdChosenBy));
        for (int column = 0; column < 5; ++column)
            item->setToolTip(column, tip.toHtmlEscaped());
        if (caveat != ModelCaveat::None)
            item->setForeground(1, QColor(0xb3, 0x26, 0x1e));
    }
    for (const QString &bundle : m_workbench->loadingBundles()) {
        auto *item = new QTreeWidgetItem(m_list,
            { displayText(QFileInfo(bundle).fileName()), tr("loading…"), QString(), QString(),
                QString() });
        QFont italic = item->font(0);
        italic.setItalic(true);
        for (int column = 0; column < 5; ++column)
            item->setFont(column, italic);
        item->setFlags(Qt::ItemIsEnabled);
    }
    for (int column = 0; column < 4; ++column)
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
}

} // namespace forgelens
