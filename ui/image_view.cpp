#include "image_view.h"

#include "forgelens/report/display_text.h"

#include <QFontMetrics>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPen>
#include <QResizeEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <utility>

namespace forgelens {

namespace {

constexpr double kZoomStep = 1.25;
constexpr double kMaximumZoom = 32.0;
// The absolute floor of zooming out, unless fitting a very large image needs less.
constexpr double kZoomFloor = 0.01;
// One notch of an ordinary mouse wheel, in QWheelEvent::angleDelta units (eighths of a degree).
constexpr double kWheelNotch = 120.0;
constexpr int kBannerPadding = 4;
constexpr int kLabelPadding = 3;
constexpr int kLabelMaximumWidth = 240;

const QColor kBannerColor(0xb3, 0x26, 0x1e);
const QColor kHaloColor(0, 0, 0, 170);
const QColor kFallbackOverlayColor(0xff, 0xc4, 0x00);

// Text from an evidence file or a model manifest, made safe to draw (displayText), keeping the
// placeholder's own line breaks.
QString visibleText(const QString &text, bool keepNewlines = false)
{
    if (!keepNewlines)
        return displayText(text);
    QStringList lines = text.split(u'\n');
    for (QString &line : lines)
        line = displayText(line);
    return lines.join(u'\n');
}

} // namespace

ImageView::ImageView(QWidget *parent) : QWidget(parent)
{
    setMinimumSize(240, 180);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Dark);
    // Report the pixel under the cursor without a button held.
    setMouseTracking(true);
    // The arrow keys pan, so the view must be able to take the keyboard focus.
    setFocusPolicy(Qt::StrongFocus);
}

void ImageView::setImage(const QImage &image, const QImage &preview)
{
    m_image = image;
    const bool previewUsable = !image.isNull() && !preview.isNull()
        && preview.width() <= image.width() && preview.height() <= image.height()
        && preview.size() != image.size();
    m_preview = previewUsable ? preview : QImage();
    m_banner.clear();
    m_overlays.clear();
    m_mapLayer = QImage();
    m_fitToWindow = true;
    applyFit();
    update();
}

void ImageView::setMapLayer(const QImage &layer, double opacity)
{
    m_mapLayer = layer;
    m_mapOpacity = std::clamp(opacity, 0.0, 1.0);
    update();
}

void ImageView::setMapOpacity(double opacity)
{
    m_mapOpacity = std::clamp(opacity, 0.0, 1.0);
    update();
}

void ImageView::clearImage()
{
    setImage(QImage());
}

void ImageView::setPlaceholder(const QString &text)
{
    m_placeholder = text;
    update();
}

void ImageView::setBanner(const QString &text)
{
    m_banner = text;
    update();
}

void ImageView::setOverlays(std::vector<ImageOverlay> overlays)
{
    m_overlays = std::move(overlays);
    update();
}

void ImageView::setOverlaysVisible(bool visible)
{
    if (m_overlaysVisible == visible)
        return;
    m_overlaysVisible = visible;
    update();
}

double ImageView::fitZoom() const
{
    if (m_image.isNull())
        return 1.0;
    const double available = std::min(double(std::max(1, width())) / m_image.width(),
        double(std::max(1, height())) / m_image.height());
    // Never enlarge past 100 %: an analyst should see real pixels, not invented ones.
    return std::min(1.0, available);
}

double ImageView::minimumZoom() const
{
    // An eighth of the fit, so a zoomed-out image keeps a useful size, but never above the fit
    // itself, so the whole of a very large image can always be shown.
    const double fit = fitZoom();
    return std::min(fit, std::max(fit / 8.0, kZoomFloor));
}

double ImageView::maximumZoom() const
{
    return kMaximumZoom;
}

QPointF ImageView::imageToWidget(QPointF imagePoint) const
{
    return m_offset + imagePoint * m_zoom;
}

QPointF ImageView::widgetToImage(QPointF widgetPoint) const
{
    return (widgetPoint - m_offset) / m_zoom;
}

QSize ImageView::sizeHint() const
{
    return { 720, 540 };
}

QPointF ImageView::viewCentre() const
{
    return { width() / 2.0, height() / 2.0 };
}

void ImageView::zoomIn()
{
    setZoom(m_zoom * kZoomStep, viewCentre());
}

void ImageView::zoomOut()
{
    setZoom(m_zoom / kZoomStep, viewCentre());
}

void ImageView::zoomToFit()
{
    m_fitToWindow = true;
    applyFit();
}

void ImageView::zoomActualSize()
{
    setZoom(1.0, viewCentre());
}

void ImageView::setZoom(double factor, QPointF anchorWidgetPoint)
{
    if (m_image.isNull() || !std::isfinite(factor) || factor <= 0.0)
        return;
    const QPointF imagePoint = widgetToImage(anchorWidgetPoint);
    const double zoom = std::clamp(factor, minimumZoom(), maximumZoom());
    m_fitToWindow = false;
    setZoomAndOffset(zoom, anchorWidgetPoint - imagePoint * zoom);
}

void ImageView::applyFit()
{
    // The offset is recomputed by the clamp, which centres an image that fits.
    setZoomAndOffset(fitZoom(), QPointF());
}

void ImageView::setZoomAndOffset(double zoom, QPointF offset)
{
    const double previousZoom = m_zoom;
    const QPointF previousOffset = m_offset;
    m_zoom = zoom;
    m_offset = clampedOffset(offset);
    if (m_zoom != previousZoom || m_offset != previousOffset)
        update();
    if (m_zoom != previousZoom)
        Q_EMIT zoomChanged(m_zoom);
    reportCursorPixel();
}

QPointF ImageView::clampedOffset(QPointF offset) const
{
    if (m_image.isNull())
        return {};
    // Per axis: an image narrower than the widget is centred; a wider one always covers the
    // widget, so it can never be panned off-screen and lost.
    const auto clampAxis = [](double value, double extent, double available) {
        // Tolerates the rounding of zoom * size, so an image fitted exactly counts as fitting.
        if (extent <= available + 1e-9)
            return (available - extent) / 2.0;
        return std::clamp(value, available - extent, 0.0);
    };
    return { clampAxis(offset.x(), m_image.width() * m_zoom, width()),
        clampAxis(offset.y(), m_image.height() * m_zoom, height()) };
}

void ImageView::panBy(QPointF delta)
{
    setZoomAndOffset(m_zoom, m_offset + delta);
}

void ImageView::reportCursorPixel()
{
    QPoint pixel;
    bool inside = false;
    if (m_cursorPosition) {
        if (!m_image.isNull()) {
            const QPointF point = widgetToImage(*m_cursorPosition);
            pixel = QPoint(int(std::floor(point.x())), int(std::floor(point.y())));
            inside = m_image.rect().contains(pixel);
        }
    } else if (m_reportedPixel) {
        // The cursor left: the last pixel is no longer under it.
        pixel = *m_reportedPixel;
    } else {
        return;
    }
    if (m_reportedPixel && *m_reportedPixel == pixel && m_reportedInside == inside)
        return;
    m_reportedPixel = pixel;
    m_reportedInside = inside;
    Q_EMIT cursorPixelChanged(pixel, inside);
}

void ImageView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_fitToWindow) {
        applyFit();
        return;
    }
    // Keep what the analyst was looking at in the middle of the view.
    const QSize oldSize = event->oldSize();
    QPointF offset = m_offset;
    if (oldSize.isValid())
        offset += viewCentre() - QPointF(oldSize.width() / 2.0, oldSize.height() / 2.0);
    setZoomAndOffset(m_zoom, offset);
}

void ImageView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (m_image.isNull() || delta == 0) {
        event->ignore();
        return;
    }
    m_cursorPosition = event->position();
    // Fractions of a notch (high-resolution wheels, touchpads) zoom by fractions of a step.
    setZoom(m_zoom * std::pow(kZoomStep, delta / kWheelNotch), event->position());
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent *event)
{
    m_cursorPosition = event->position();
    if (event->button() != Qt::LeftButton || m_image.isNull()) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_dragging = true;
    m_dragStartPosition = event->position();
    m_dragStartOffset = m_offset;
    setCursor(Qt::ClosedHandCursor);
    event->accept();
}

void ImageView::mouseMoveEvent(QMouseEvent *event)
{
    m_cursorPosition = event->position();
    if (m_dragging) {
        // From where the drag started, not step by step, so a drag against the clamp and back
        // returns the image to exactly where it was under the cursor.
        setZoomAndOffset(m_zoom, m_dragStartOffset + (event->position() - m_dragStartPosition));
        event->accept();
        return;
    }
    reportCursorPixel();
    QWidget::mouseMoveEvent(event);
}

void ImageView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_dragging) {
        m_dragging = false;
        unsetCursor();
        event->accept();
        return;
    }
    QWidget::mouseReleaseEvent(event);
}

void ImageView::keyPressEvent(QKeyEvent *event)
{
    if (m_image.isNull()) {
        QWidget::keyPressEvent(event);
        return;
    }
    // A tenth of the view per press: small enough to keep one's place, large enough to travel.
    const double stepX = std::max(1.0, width() / 10.0);
    const double stepY = std::max(1.0, height() / 10.0);
    switch (event->key()) {
    case Qt::Key_Left: panBy({ stepX, 0.0 }); break;
    case Qt::Key_Right: panBy({ -stepX, 0.0 }); break;
    case Qt::Key_Up: panBy({ 0.0, stepY }); break;
    case Qt::Key_Down: panBy({ 0.0, -stepY }); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

void ImageView::leaveEvent(QEvent *event)
{
    m_cursorPosition.reset();
    reportCursorPixel();
    QWidget::leaveEvent(event);
}

void ImageView::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    if (m_image.isNull()) {
        if (!m_placeholder.isEmpty()) {
            painter.setPen(palette().color(QPalette::BrightText));
            painter.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap,
                visibleText(m_placeholder, true));
        }
    } else {
        paintImage(painter, event->rect());
        if (!m_mapLayer.isNull() && m_mapOpacity > 0.0) {
            // Map cells are coarse: smoothing would invent gradients between them.
            painter.save();
            painter.setOpacity(m_mapOpacity);
            painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
            painter.drawImage(QRectF(m_offset, QSizeF(m_image.size()) * m_zoom), m_mapLayer);
            painter.restore();
        }
        if (m_overlaysVisible)
            paintOverlays(painter);
    }
    paintBanner(painter);
}

void ImageView::paintImage(QPainter &painter, const QRect &exposed) const
{
    const QRectF shown(m_offset, QSizeF(m_image.size()) * m_zoom);
    const QRectF visible = QRectF(exposed) & shown;
    if (visible.isEmpty())
        return;

    const double previewScale = m_preview.isNull()
        ? 0.0
        : std::min(double(m_preview.width()) / m_image.width(),
            double(m_preview.height()) / m_image.height());
    const QImage &source = m_zoom <= previewScale ? m_preview : m_image;
    // Source pixels per image pixel, per axis, so a preview whose sides were rounded
    // separately still lines up with the image and its overlays.
    const double scaleX = double(source.width()) / m_image.width();
    const double scaleY = double(source.height()) / m_image.height();

    const QPointF sourceTopLeft = widgetToImage(visible.topLeft());
    const QPointF sourceBottomRight = widgetToImage(visible.bottomRight());
    // Whole source pixels, so the edges of a partial repaint meet the pixels already on screen
    // exactly, whatever the paint engine does with fractional source rectangles.
    const int left = int(std::floor(sourceTopLeft.x() * scaleX));
    const int top = int(std::floor(sourceTopLeft.y() * scaleY));
    const int right = int(std::ceil(sourceBottomRight.x() * scaleX));
    const int bottom = int(std::ceil(sourceBottomRight.y() * scaleY));
    const QRect sourceRect
        = QRect(QPoint(left, top), QPoint(right - 1, bottom - 1)) & source.rect();
    if (sourceRect.isEmpty())
        return;
    const QRectF target(m_offset.x() + sourceRect.x() * m_zoom / scaleX,
        m_offset.y() + sourceRect.y() * m_zoom / scaleY, sourceRect.width() * m_zoom / scaleX,
        sourceRect.height() * m_zoom / scaleY);

    // Below 100 % pixels must be filtered or the view aliases; from 200 % up every image pixel
    // is shown as a block of its own colour, so the analyst sees the real pixels. In between,
    // nearest neighbour would double every few rows and columns, a pattern that could be
    // mistaken for resampling in the evidence, so it is filtered too. At exactly 100 % nothing
    // is resampled.
    const bool smooth = m_zoom < 2.0 && m_zoom != 1.0;
    painter.setRenderHint(QPainter::SmoothPixmapTransform, smooth);
    painter.drawImage(target, source, QRectF(sourceRect));
}

void ImageView::paintOverlays(QPainter &painter) const
{
    if (m_overlays.empty())
        return;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setBrush(Qt::NoBrush);
    const QRectF widgetRect(rect());

    QPen halo(kHaloColor, 4);
    halo.setCosmetic(true);
    halo.setJoinStyle(Qt::MiterJoin);
    QPen outline(Qt::black, 2);
    outline.setCosmetic(true);
    outline.setJoinStyle(Qt::MiterJoin);

    for (const ImageOverlay &overlay : m_overlays) {
        outline.setColor(overlay.color.isValid() ? overlay.color : kFallbackOverlayColor);
        for (const QRect &region : overlay.regions) {
            const QRectF shown(imageToWidget(region.topLeft()), QSizeF(region.size()) * m_zoom);
            if (!shown.adjusted(-4, -4, 4, 4).intersects(widgetRect))
                continue;
            // The dark halo first, under the coloured line, so the outline stands out on light
            // and dark parts of the image alike.
            painter.setPen(halo);
            painter.drawRect(shown);
            painter.setPen(outline);
            painter.drawRect(shown);
        }
    }

    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    const QFontMetrics metrics(font);
    // Boxes already drawn (and the banner): a label is moved down until it overlaps none.
    std::vector<QRect> taken;
    if (!m_banner.isEmpty())
        taken.emplace_back(0, 0, width(), metrics.height() + 2 * kBannerPadding);
    for (const ImageOverlay &overlay : m_overlays) {
        if (overlay.regions.empty() || overlay.label.isEmpty())
            continue;
        const QColor color = overlay.color.isValid() ? overlay.color : kFallbackOverlayColor;
        const QString text
            = metrics.elidedText(visibleText(overlay.label), Qt::ElideRight, kLabelMaximumWidth);
        const QSize boxSize(metrics.horizontalAdvance(text) + 2 * kLabelPadding,
            metrics.height() + 2 * kLabelPadding);
        const QPoint corner = imageToWidget(overlay.regions.front().topLeft()).toPoint();
        // Just above the region, so the label hides none of the pixels that were scored; inside
        // it when there is no room above.
        QRect box(QPoint(corner.x(), corner.y() - boxSize.height()), boxSize);
        if (box.top() < 0)
            box.moveTop(corner.y());
        box.moveLeft(std::clamp(box.left(), 0, std::max(0, width() - box.width())));
        box.moveTop(std::max(0, box.top()));
        for (bool moved = true; moved;) {
            moved = false;
            for (const QRect &other : taken) {
                if (other.intersects(box)) {
                    box.moveTop(other.bottom() + 2);
                    moved = true;
                }
            }
        }
        taken.push_back(box);
        painter.fillRect(box, color);
        painter.setPen(qGray(color.rgb()) > 140 ? Qt::black : Qt::white);
        painter.drawText(box.adjusted(kLabelPadding, kLabelPadding, -kLabelPadding, -kLabelPadding),
            Qt::AlignLeft | Qt::AlignVCenter, text);
    }
    painter.restore();
}

void ImageView::paintBanner(QPainter &painter) const
{
    if (m_banner.isEmpty())
        return;
    painter.save();
    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    const QFontMetrics metrics(font);
    const QRect strip(0, 0, width(), metrics.height() + 2 * kBannerPadding);
    painter.fillRect(strip, kBannerColor);
    painter.setPen(Qt::white);
    const QRect textRect = strip.adjusted(2 * kBannerPadding, 0, -2 * kBannerPadding, 0);
    painter.drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(visibleText(m_banner), Qt::ElideRight, textRect.width()));
    painter.restore();
}

} // namespace forgelens
