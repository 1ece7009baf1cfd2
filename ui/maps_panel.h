#pragma once

#include "forgelens/explain/image_map.h"

#include <QList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;

namespace forgelens {

class ImageView;
class MapLegend;
class Workbench;
struct DetectorMaps;
struct Error;

// The maps of the image on screen (core/explain): computed on request for every detector as a
// background job with progress and cancel, then one detector's map of one kind drawn over the
// image at the analyst's opacity, with its legend (colour scale, range, units), how it was
// made (windows, coverage, forward passes, time) and how to read it. Where a detector has no
// map of a kind, the panel says why (no embedding, no bank attached...). Maps can be exported
// as PNG (pre-composited over the image, legend below) and as JSON grids.
class MapsPanel : public QWidget {
    Q_OBJECT
public:
    MapsPanel(Workbench *workbench, ImageView *view, QWidget *parent = nullptr);
    ~MapsPanel() override;

    // A new image is on screen (or none): the previous image's maps are dropped.
    void clear(const QString &path);
    // The detector (by index in the list) and kind shown; for tests and screenshots.
    void showMap(int detector, ImageMap::Kind kind);
    // The map drawn now, or null.
    const ImageMap *shownMap() const;

private:
    void compute();
    void onProgress(const QString &path, int done, int total);
    void onReady(const QString &path, const QList<DetectorMaps> &maps);
    void onFailed(const QString &path, const Error &error);
    void fillDetectors();
    void showSelected();
    void exportMaps();
    void setRunning(bool running);

    Workbench *m_workbench;
    ImageView *m_view;
    QPushButton *m_compute;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QComboBox *m_detector;
    QComboBox *m_kind;
    QCheckBox *m_show;
    QSlider *m_opacity;
    MapLegend *m_legend;
    QLabel *m_about;
    QLabel *m_status;
    QPushButton *m_export;
    QString m_path; // the image on screen
    QString m_mapsPath; // the image m_maps belong to
    std::vector<DetectorMaps> m_maps;
};

} // namespace forgelens
