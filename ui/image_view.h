#pragma once

#include <QColor>
#include <QImage>
#include <QPoint>
#include <QPointF>
#include <QRect>
#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

namespace forgelens {

// A set of rectangles a detector actually scored, in image pixel coordinates (image as shown,
// EXIF orientation applied), drawn as outlines over the image with a label.
struct ImageOverlay {
    QString label; // e.g. the detector's id; plain text, never markup
    QColor color;
    std::vector<QRect> regions;
};

// The analyst's view of the image under analysis: fit to the window by default, zoom about the
// cursor with the wheel, pan by dragging or with the arrow keys, real pixels (nearest
// neighbour) from 200 % up, and the regions each detector scored drawn over the image.
//
// Only the exposed part of the image is drawn on each paint, and when a preview is given it is
// drawn instead of the full image while the zoom is at or below its scale, so large images
// never have to be scaled as a whole on the UI thread.
//
// Everything that describes one image (banner, overlays) is reset by setImage() and
// clearImage(): set them after the image they belong to, so a new image can never show the
// previous image's findings.
class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    // `preview` (optional) is a smaller copy of `image` made off the UI thread (e.g. at most
    // 2048 px on its long side); the view paints from it whenever the zoom is at or below the
    // preview's scale, so a 50-megapixel image never has to be scaled on the UI thread. A
    // preview that is not smaller than `image` is ignored. The view goes to fit mode.
    void setImage(const QImage &image, const QImage &preview = QImage());
    void clearImage();
    void setPlaceholder(const QString &text);
    // A line drawn over the top of the image, e.g. "TRUNCATED: only the part that decoded is
    // shown". An empty text removes it.
    void setBanner(const QString &text);
    void setOverlays(std::vector<ImageOverlay> overlays);
    void setOverlaysVisible(bool visible);
    // A map over the whole image (ui/image_map_rendering.h's imageMapLayer: any size, stretched
    // to the image), drawn under the region outlines at `opacity` (0..1). A null layer removes
    // it. Reset by setImage().
    void setMapLayer(const QImage &layer, double opacity);
    void setMapOpacity(double opacity);
    const QImage &mapLayer() const { return m_mapLayer; }

    const QImage &image() const { return m_image; }
    const QString &placeholder() const { return m_placeholder; }
    const QString &banner() const { return m_banner; }
    const std::vector<ImageOverlay> &overlays() const { return m_overlays; }
    bool overlaysVisible() const { return m_overlaysVisible; }
    double zoom() const { return m_zoom; } // displayed pixels per image pixel
    // True while the view follows the window size.
    bool isFitToWindow() const { return m_fitToWindow; }
    // Zooming is clamped to [minimumZoom(), maximumZoom()]; the minimum depends on the fit.
    double minimumZoom() const;
    double maximumZoom() const;

    QPointF imageToWidget(QPointF imagePoint) const;
    QPointF widgetToImage(QPointF widgetPoint) const;

    QSize sizeHint() const override;

public Q_SLOTS:
    void zoomIn(); // x1.25 about the view centre
    void zoomOut();
    void zoomToFit(); // whole image visible, never enlarged past 100 %; follows resizes
    void zoomActualSize(); // 1:1
    // Keeps the image point under the anchor fixed (unless the image would leave the view).
    void setZoom(double factor, QPointF anchorWidgetPoint);

Q_SIGNALS:
    void zoomChanged(double factor);
    // The image pixel under the mouse cursor (integer, after orientation) and whether the
    // cursor is over the image.
    void cursorPixelChanged(QPoint pixel, bool insideImage);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    double fitZoom() const;
    QPointF viewCentre() const;
    void applyFit();
    void setZoomAndOffset(double zoom, QPointF offset);
    QPointF clampedOffset(QPointF offset) const;
    void panBy(QPointF delta);
    void reportCursorPixel();
    void paintImage(QPainter &painter, const QRect &exposed) const;
    void paintOverlays(QPainter &painter) const;
    void paintBanner(QPainter &painter) const;

    QImage m_image;
    QImage m_preview; // null when none was given or it was not smaller than m_image
    QString m_placeholder;
    QString m_banner;
    std::vector<ImageOverlay> m_overlays;
    bool m_overlaysVisible = true;
    QImage m_mapLayer;
    double m_mapOpacity = 0.5;

    double m_zoom = 1.0;
    bool m_fitToWindow = true;
    // Where the image's top-left corner lies in widget coordinates; with m_zoom it defines the
    // whole mapping, so imageToWidget and widgetToImage are exact inverses.
    QPointF m_offset;

    bool m_dragging = false;
    QPointF m_dragStartPosition;
    QPointF m_dragStartOffset;

    // The last position of the mouse over the widget, so the pixel under a still cursor is
    // reported again when zooming or panning moves the image beneath it.
    std::optional<QPointF> m_cursorPosition;
    std::optional<QPoint> m_reportedPixel;
    bool m_reportedInside = false;
};

} // namespace forgelens
