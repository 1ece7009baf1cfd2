#include "maps_panel.h"

#include "forgelens/report/display_text.h"
#include "forgelens/session/workbench.h"
#include "image_map_files.h"
#include "image_map_rendering.h"
#include "image_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace forgelens {

// The colour scale of the map shown, its two ends labelled in the map's units.
class MapLegend : public QWidget {
public:
    explicit MapLegend(QWidget *parent) : QWidget(parent)
    {
        setObjectName(QStringLiteral("mapLegend"));
        setMinimumHeight(40);
    }
    void setMap(const ImageMap *map)
    {
        m_has = map != nullptr;
        if (map) {
            m_low = map->low;
            m_high = map->high;
            m_units = map->units;
        }
        update();
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        if (!m_has)
            return;
        QPainter painter(this);
        const QRect ramp(4, 4, width() - 8, 14);
        paintMapRamp(painter, ramp);
        painter.setPen(palette().color(QPalette::WindowText));
        const int baseline = ramp.bottom() + 4 + fontMetrics().ascent();
        const QString low = QString::number(m_low, 'f', 3);
        const QString high = QString::number(m_high, 'f', 3);
        painter.drawText(ramp.left(), baseline, low);
        painter.drawText(ramp.right() - fontMetrics().horizontalAdvance(high), baseline, high);
        painter.drawText(
            QRect(ramp.left(), ramp.bottom() + 4, ramp.width(), fontMetrics().height()),
            Qt::AlignHCenter, m_units);
    }

private:
    bool m_has = false;
    float m_low = 0.0f;
    float m_high = 1.0f;
    QString m_units;
};

namespace {

constexpr ImageMap::Kind kKinds[] = { ImageMap::Kind::TileScore, ImageMap::Kind::SelfConsistency,
    ImageMap::Kind::PatchSimilarity };

QString kindTitle(ImageMap::Kind kind)
{
    switch (kind) {
    case ImageMap::Kind::TileScore: return QObject::tr("Tile scores");
    case ImageMap::Kind::SelfConsistency: return QObject::tr("Self-consistency");
    case ImageMap::Kind::PatchSimilarity: return QObject::tr("Patch similarity to exemplars");
    }
    return {};
}

const ImageMap *mapOf(const WindowMaps &maps, ImageMap::Kind kind)
{
    switch (kind) {
    case ImageMap::Kind::TileScore: return &maps.tileScores;
    case ImageMap::Kind::SelfConsistency:
        return maps.selfConsistency ? &*maps.selfConsistency : nullptr;
    case ImageMap::Kind::PatchSimilarity:
        return maps.patchSimilarity ? &*maps.patchSimilarity : nullptr;
    }
    return nullptr;
}

} // namespace

MapsPanel::MapsPanel(Workbench *workbench, ImageView *view, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_view(view),
      m_compute(new QPushButton(tr("Compute Maps"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)), m_progress(new QProgressBar(this)),
      m_detector(new QComboBox(this)), m_kind(new QComboBox(this)),
      m_show(new QCheckBox(tr("Show over the image"), this)),
      m_opacity(new QSlider(Qt::Horizontal, this)), m_legend(new MapLegend(this)),
      m_about(new QLabel(this)), m_status(new QLabel(this)),
      m_export(new QPushButton(tr("Export PNG and JSON…"), this))
{
    m_compute->setObjectName(QStringLiteral("computeMaps"));
    m_cancel->setObjectName(QStringLiteral("cancelMaps"));
    m_progress->setObjectName(QStringLiteral("mapsProgress"));
    m_detector->setObjectName(QStringLiteral("mapDetector"));
    m_kind->setObjectName(QStringLiteral("mapKind"));
    m_show->setObjectName(QStringLiteral("showMap"));
    m_opacity->setObjectName(QStringLiteral("mapOpacity"));
    m_export->setObjectName(QStringLiteral("exportMaps"));
    m_compute->setToolTip(tr("Every detector's tile-score and self-consistency maps, and its "
                             "patch-similarity map where a bank is attached"));
    for (ImageMap::Kind kind : kKinds)
        m_kind->addItem(kindTitle(kind), int(kind));
    m_show->setChecked(true);
    m_opacity->setRange(0, 100);
    m_opacity->setValue(55);
    m_opacity->setToolTip(tr("Opacity of the map over the image"));
    m_progress->hide();
    m_cancel->hide();
    for (QLabel *label : { m_about, m_status }) {
        label->setTextFormat(Qt::PlainText);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    }
    m_about->setObjectName(QStringLiteral("mapAbout"));
    m_status->setObjectName(QStringLiteral("mapStatus"));

    auto *run = new QHBoxLayout;
    run->addWidget(m_compute);
    run->addWidget(m_cancel);
    run->addWidget(m_progress, 1);
    auto *form = new QFormLayout;
    form->addRow(tr("Detector"), m_detector);
    form->addRow(tr("Map"), m_kind);
    auto *opacity = new QHBoxLayout;
    opacity->addWidget(m_show);
    opacity->addWidget(new QLabel(tr("Opacity"), this));
    opacity->addWidget(m_opacity, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(run);
    layout->addWidget(m_status);
    layout->addLayout(form);
    layout->addLayout(opacity);
    layout->addWidget(m_legend);
    layout->addWidget(m_about, 1);
    layout->addWidget(m_export);

    connect(m_compute, &QPushButton::clicked, this, &MapsPanel::compute);
    connect(m_cancel, &QPushButton::clicked, m_workbench, &Workbench::cancelMaps);
    connect(m_detector, &QComboBox::currentIndexChanged, this, &MapsPanel::showSelected);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &MapsPanel::showSelected);
    connect(m_show, &QCheckBox::toggled, this, &MapsPanel::showSelected);
    connect(m_opacity, &QSlider::valueChanged, this,
        [this](int value) { m_view->setMapOpacity(value / 100.0); });
    connect(m_export, &QPushButton::clicked, this, &MapsPanel::exportMaps);
    connect(m_workbench, &Workbench::mapsProgressed, this, &MapsPanel::onProgress);
    connect(m_workbench, &Workbench::mapsReady, this, &MapsPanel::onReady);
    connect(m_workbench, &Workbench::mapsFailed, this, &MapsPanel::onFailed);
    connect(m_workbench, &Workbench::detectorsChanged, this, [this] { clear(m_path); });
    connect(m_workbench, &Workbench::banksChanged, this, [this] { clear(m_path); });
    clear(QString());
}

MapsPanel::~MapsPanel() = default;

void MapsPanel::clear(const QString &path)
{
    m_path = path;
    m_maps.clear();
    m_mapsPath.clear();
    m_view->setMapLayer(QImage(), 0.0);
    fillDetectors();
    m_status->setText(path.isEmpty()
            ? tr("Open an image to map where each detector finds it synthetic.")
            : tr("No maps yet for this image: Compute Maps runs every detector on windows of "
                 "the image at its full resolution."));
    showSelected();
}

void MapsPanel::fillDetectors()
{
    const QSignalBlocker blocker(m_detector);
    const int previous = m_detector->currentIndex();
    m_detector->clear();
    for (const std::shared_ptr<const ModelInfo> &model : m_workbench->detectors())
        m_detector->addItem(displayText(model->manifest.id));
    m_detector->setCurrentIndex(std::clamp(previous, 0, m_detector->count() - 1));
}

void MapsPanel::showMap(int detector, ImageMap::Kind kind)
{
    m_detector->setCurrentIndex(detector);
    m_kind->setCurrentIndex(m_kind->findData(int(kind)));
    showSelected();
}

const ImageMap *MapsPanel::shownMap() const
{
    const int detector = m_detector->currentIndex();
    if (m_mapsPath != m_path || detector < 0 || size_t(detector) >= m_maps.size()
        || !m_maps[size_t(detector)].maps)
        return nullptr;
    return mapOf(*m_maps[size_t(detector)].maps, ImageMap::Kind(m_kind->currentData().toInt()));
}

void MapsPanel::compute()
{
    if (m_path.isEmpty())
        return;
    m_workbench->computeMaps();
    if (m_workbench->isMapping()) {
        setRunning(true);
        m_status->setText(tr("Computing maps…"));
    }
}

void MapsPanel::setRunning(bool running)
{
    m_compute->setEnabled(!running);
    m_cancel->setVisible(running);
    m_progress->setVisible(running);
    if (running)
        m_progress->setRange(0, 0);
}

void MapsPanel::onProgress(const QString &path, int done, int total)
{
    if (path != m_path)
        return;
    m_progress->setRange(0, total);
    m_progress->setValue(done);
    m_progress->setFormat(tr("%1 of %2 windows").arg(done).arg(total));
}

void MapsPanel::onReady(const QString &path, const QList<DetectorMaps> &maps)
{
    setRunning(false);
    if (path != m_path)
        return;
    m_maps.assign(maps.begin(), maps.end());
    m_mapsPath = path;
    QStringList failures;
    for (const DetectorMaps &map : maps)
        if (map.error)
            failures << tr("%1: [%2] %3")
                            .arg(displayText(map.detectorId), map.error->codeName(),
                                displayText(map.error->message));
    m_status->setText(failures.isEmpty() ? tr("Maps of %n detector(s).", nullptr, int(maps.size()))
                                         : failures.join(QLatin1Char('\n')));
    showSelected();
}

void MapsPanel::onFailed(const QString &path, const Error &error)
{
    if (!m_workbench->isMapping())
        setRunning(false);
    if (path != m_path)
        return;
    m_status->setText(error.code == ErrorCode::Cancelled
            ? tr("The maps were cancelled; nothing is shown.")
            : tr("No maps [%1]: %2").arg(error.codeName(), displayText(error.message)));
}

void MapsPanel::showSelected()
{
    const ImageMap *map = shownMap();
    const int detector = m_detector->currentIndex();
    m_legend->setMap(map);
    m_export->setEnabled(m_mapsPath == m_path && !m_maps.empty());
    if (!map) {
        m_view->setMapLayer(QImage(), 0.0);
        QString why;
        if (m_mapsPath == m_path && detector >= 0 && size_t(detector) < m_maps.size()) {
            const DetectorMaps &maps = m_maps[size_t(detector)];
            const auto kind = ImageMap::Kind(m_kind->currentData().toInt());
            if (maps.error)
                why = tr("No maps: %1").arg(displayText(maps.error->message));
            else if (maps.maps && kind == ImageMap::Kind::SelfConsistency)
                why = tr("No self-consistency map: %1")
                          .arg(displayText(maps.maps->noSelfConsistency));
            else if (maps.maps && kind == ImageMap::Kind::PatchSimilarity)
                why = tr("No patch-similarity map: %1")
                          .arg(displayText(maps.maps->noPatchSimilarity));
        } else if (detector >= 0
            && m_kind->currentData().toInt() == int(ImageMap::Kind::PatchSimilarity)
            && !m_workbench->bank(detector)) {
            why = tr("The patch-similarity map needs an exemplar bank attached to this detector "
                     "(Detectors ▸ Bank).");
        }
        m_about->setText(why);
        return;
    }
    m_view->setMapLayer(
        m_show->isChecked() ? imageMapLayer(*map) : QImage(), m_opacity->value() / 100.0);
    QString about = tr("%1 × %2 windows of %3 px (stride %4 × %5 px), %6 batched forward passes, "
                       "%7 s; covers %8 % of the image.\n\n%9.")
                        .arg(map->cols)
                        .arg(map->rows)
                        .arg(map->window)
                        .arg(map->strideX)
                        .arg(map->strideY)
                        .arg(map->forwardPasses)
                        .arg(map->seconds, 0, 'f', 1)
                        .arg(map->coverage * 100.0, 0, 'f', 0)
                        .arg(displayText(map->reading));
    m_about->setText(about);
}

void MapsPanel::exportMaps()
{
    if (m_mapsPath != m_path || m_maps.empty())
        return;
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export Maps To"));
    if (folder.isEmpty())
        return;
    // The evidence folder is never written.
    if (QDir(folder).absolutePath() == QFileInfo(m_path).absolutePath()) {
        m_status->setText(tr("That folder holds the evidence file, which is never written "
                             "beside: choose another."));
        return;
    }
    const QImage picture = m_view->image();
    int written = 0;
    for (const DetectorMaps &maps : m_maps) {
        if (!maps.maps)
            continue;
        for (ImageMap::Kind kind : kKinds) {
            const ImageMap *map = mapOf(*maps.maps, kind);
            if (!map)
                continue;
            const QString stem = imageMapFileStem(folder, m_path, *map);
            const QJsonObject extra{ { QStringLiteral("image"),
                QJsonObject{ { QStringLiteral("path"), m_path } } } };
            if (!writeImageMapFiles(stem, *map, picture, m_opacity->value() / 100.0, extra)) {
                m_status->setText(tr("Could not write %1.png/.json").arg(displayText(stem)));
                return;
            }
            ++written;
        }
    }
    m_status->setText(
        tr("Exported %n map(s) to %1 as PNG and JSON.", nullptr, written).arg(displayText(folder)));
}

} // namespace forgelens
