#include "exemplar_strip.h"

#include "exemplar_compare_dialog.h"
#include "forgelens/report/display_text.h"
#include "forgelens/session/workbench.h"
#include "image_view.h"

#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QScrollArea>
#include <QVBoxLayout>

namespace forgelens {
namespace {

constexpr int kIconSide = 96;

// The thumbnail centred on a square, so every item of a row lines up.
QIcon squareIcon(const QImage &thumbnail)
{
    QImage square(kIconSide, kIconSide, QImage::Format_RGB32);
    square.fill(QColor(0x30, 0x30, 0x30));
    if (!thumbnail.isNull()) {
        const QImage scaled
            = thumbnail.scaled(kIconSide, kIconSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        QPainter painter(&square);
        painter.drawImage(
            (kIconSide - scaled.width()) / 2, (kIconSide - scaled.height()) / 2, scaled);
    }
    return QIcon(QPixmap::fromImage(square));
}

} // namespace

ExemplarStrip::ExemplarStrip(Workbench *workbench, ImageView *view, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_view(view), m_rows(new QWidget),
      m_rowsLayout(new QVBoxLayout(m_rows)), m_empty(new QLabel(this))
{
    setObjectName(QStringLiteral("exemplarStrip"));
    setMinimumHeight(kIconSide + 110); // a header and one row of thumbnails with their text
    m_empty->setTextFormat(Qt::PlainText);
    m_empty->setWordWrap(true);
    m_rowsLayout->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(m_rows);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_empty);
    layout->addWidget(scroll, 1);
    connect(m_workbench, &Workbench::exemplarsReady, this, &ExemplarStrip::onReady);
    clear(QString());
}

ExemplarStrip::~ExemplarStrip() = default;

const std::vector<DetectorExemplars> &ExemplarStrip::shown() const
{
    return m_shown;
}

void ExemplarStrip::clear(const QString &path)
{
    m_path = path;
    m_shown.clear();
    while (QLayoutItem *item = m_rowsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    bool anyBank = false;
    for (int i = 0; i < m_workbench->detectorCount(); ++i)
        anyBank = anyBank || m_workbench->bank(i) != nullptr;
    m_empty->setText(anyBank ? tr("The nearest exemplars appear once the image is analysed.")
                             : tr("No exemplar bank is attached. Attach one to a detector, or "
                                  "build one from a folder of labelled images (Detectors ▸ "
                                  "Bank), to see the known real and generated images nearest "
                                  "to this one."));
    m_empty->show();
}

void ExemplarStrip::onReady(const QString &path, const QList<DetectorExemplars> &exemplars)
{
    if (path != m_path)
        return;
    clear(path);
    m_shown.assign(exemplars.begin(), exemplars.end());
    m_empty->hide();
    for (int d = 0; d < int(m_shown.size()); ++d) {
        const DetectorExemplars &found = m_shown[size_t(d)];
        auto *header = new QLabel(m_rows);
        header->setTextFormat(Qt::PlainText);
        header->setWordWrap(true);
        header->setTextInteractionFlags(Qt::TextSelectableByMouse);
        if (!found.neighbourhood) {
            header->setText(
                tr("%1: %2").arg(displayText(found.detectorId), displayText(found.missing)));
            m_rowsLayout->addWidget(header);
            continue;
        }
        header->setText(tr("%1, bank %2: %3")
                            .arg(displayText(found.detectorId),
                                displayText(QFileInfo(found.bankPath).fileName()),
                                found.neighbourhood->shareText()));
        QFont bold = header->font();
        bold.setBold(true);
        header->setFont(bold);
        auto *list = new QListWidget(m_rows);
        list->setObjectName(QStringLiteral("exemplars-%1").arg(d));
        list->setViewMode(QListView::IconMode);
        list->setFlow(QListView::LeftToRight);
        list->setWrapping(false);
        list->setMovement(QListView::Static);
        list->setIconSize(QSize(kIconSide, kIconSide));
        list->setGridSize(QSize(kIconSide + 40, kIconSide + 52));
        list->setWordWrap(true);
        list->setFixedHeight(kIconSide + 72);
        list->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
        for (const ExemplarNeighbour &n : found.neighbourhood->neighbours) {
            const Exemplar &e = n.exemplar;
            auto *item = new QListWidgetItem(squareIcon(exemplarThumbnail(e)),
                tr("#%1 · %2\n%3%4")
                    .arg(n.rank)
                    .arg(double(n.similarity), 0, 'f', 3)
                    .arg(displayText(e.label),
                        e.generator.isEmpty() ? QString()
                                              : QStringLiteral(" · ") + displayText(e.generator)),
                list);
            item->setForeground(e.label == QStringLiteral("synthetic") ? QColor(0xb3, 0x26, 0x1e)
                                                                       : QColor(0x1b, 0x5e, 0x20));
            item->setToolTip(
                tr("%1\nSource: %2\nLicence: %3\nAttribution: %4\nClick to compare "
                   "with the evidence")
                    .arg(displayText(e.path),
                        e.source.isEmpty() ? tr("not stated") : displayText(e.source),
                        e.licence.isEmpty() ? tr("not stated") : displayText(e.licence),
                        e.attribution.isEmpty() ? tr("not stated") : displayText(e.attribution))
                    .toHtmlEscaped());
        }
        connect(list, &QListWidget::itemClicked, this,
            [this, d, list](QListWidgetItem *item) { compare(d, list->row(item) + 1); });
        m_rowsLayout->addWidget(header);
        m_rowsLayout->addWidget(list);
    }
    m_rowsLayout->addStretch(1);
}

void ExemplarStrip::compare(int detector, int rank)
{
    if (detector < 0 || size_t(detector) >= m_shown.size()
        || !m_shown[size_t(detector)].neighbourhood)
        return;
    const std::vector<ExemplarNeighbour> &neighbours
        = m_shown[size_t(detector)].neighbourhood->neighbours;
    if (rank < 1 || rank > int(neighbours.size()))
        return;
    auto *dialog = new ExemplarCompareDialog(m_view->image(), QFileInfo(m_path).fileName(),
        m_shown[size_t(detector)].detectorId, neighbours[size_t(rank - 1)], this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

} // namespace forgelens
