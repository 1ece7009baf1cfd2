#pragma once

#include <QList>
#include <QWidget>

#include <vector>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QVBoxLayout;

namespace forgelens {

class ImageView;
class Workbench;
struct DetectorExemplars;

// The nearest exemplars of the image on screen, one row per detector with a bank: thumbnails
// with label, generator, cosine similarity and source, the share of synthetic neighbours stated
// as what it is (not a probability), and, for detectors without a bank, why there is none.
// Clicking a thumbnail shows it beside the evidence with its provenance and licence.
class ExemplarStrip : public QWidget {
    Q_OBJECT
public:
    ExemplarStrip(Workbench *workbench, ImageView *view, QWidget *parent = nullptr);
    ~ExemplarStrip() override;

    // A new image is on screen (or none): the previous image's neighbours are dropped.
    void clear(const QString &path);
    // The rows shown now (for tests and screenshots).
    const std::vector<DetectorExemplars> &shown() const;
    // Opens the side-by-side view of row `detector`'s neighbour `rank` (1-based).
    void compare(int detector, int rank);

private:
    void onReady(const QString &path, const QList<DetectorExemplars> &exemplars);

    Workbench *m_workbench;
    ImageView *m_view;
    QWidget *m_rows;
    QVBoxLayout *m_rowsLayout;
    QLabel *m_empty;
    QString m_path;
    std::vector<DetectorExemplars> m_shown;
};

} // namespace forgelens
