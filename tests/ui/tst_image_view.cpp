#include "ui/image_view.h"

#include <QApplication>
#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <cmath>
#include <memory>

using namespace forgelens;

namespace {

const QColor kImageColor(30, 90, 160);
const QColor kBannerColor(0xb3, 0x26, 0x1e);

QImage solidImage(QSize size, const QColor &color)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(color);
    return image;
}

// One-pixel black and white checks: any filtering shows up as grey.
QImage checkerboard(QSize size)
{
    QImage image(size, QImage::Format_RGB32);
    for (int y = 0; y < size.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < size.width(); ++x)
            line[x] = (x + y) % 2 == 0 ? qRgb(0, 0, 0) : qRgb(255, 255, 255);
    }
    return image;
}

bool near(QPointF a, QPointF b, double tolerance)
{
    return std::abs(a.x() - b.x()) <= tolerance && std::abs(a.y() - b.y()) <= tolerance;
}

QString describe(QPointF point)
{
    return QStringLiteral("(%1, %2)").arg(point.x(), 0, 'g', 17).arg(point.y(), 0, 'g', 17);
}

QString describe(const QColor &color)
{
    return QStringLiteral("rgb(%1, %2, %3)").arg(color.red()).arg(color.green()).arg(color.blue());
}

// The view as a child of a shown window, so its resizes and the mouse events QTest sends
// through the platform reach it at once, as they would in the main window.
class ViewHost {
public:
    explicit ViewHost(QSize viewSize = QSize(800, 600))
    {
        m_window.resize(viewSize + QSize(100, 100));
        m_view = new ImageView(&m_window);
        m_view->setGeometry(QRect(QPoint(0, 0), viewSize));
        m_window.show();
    }
    bool exposed() { return QTest::qWaitForWindowExposed(&m_window); }
    ImageView &view() { return *m_view; }

private:
    QWidget m_window;
    ImageView *m_view;
};

// The longest run of pixels of exactly `color` down column `x`.
int longestRun(const QImage &image, int x, const QColor &color)
{
    int longest = 0;
    int run = 0;
    for (int y = 0; y < image.height(); ++y) {
        run = image.pixelColor(x, y) == color ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

} // namespace

class TestImageView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fitShowsTheWholeImage();
    void fitNeverEnlargesAndCentres();
    void fitFollowsResizes();
    void actualSizeIsOneToOneAboutTheCentre();
    void zoomInAndOutStepAboutTheCentre();
    void setZoomKeepsTheAnchoredPointFixed_data();
    void setZoomKeepsTheAnchoredPointFixed();
    void zoomIsClamped();
    void wheelZoomsAboutTheCursor();
    void dragPansByTheDraggedDistance();
    void panningCannotLoseTheImage();
    void arrowKeysPan();
    void reportsThePixelUnderTheCursor();
    void mappingRoundTrips();
    void paintsOverlayOutlines();
    void separatesTheLabelsOfSeveralOverlays();
    void paintsTheBanner();
    void paintsFromThePreviewOnlyAtItsScale();
    void showsRealPixelsWhenZoomedIn();
    void filtersWhenZoomedOut();
    void newImageDropsThePreviousFindings();
};

void TestImageView::fitShowsTheWholeImage()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    QSignalSpy zoomed(&view, &ImageView::zoomChanged);
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));

    QVERIFY(view.isFitToWindow());
    QCOMPARE(view.zoom(), 0.2);
    QCOMPARE(zoomed.count(), 1);
    QCOMPARE(zoomed.first().first().toDouble(), 0.2);
    QVERIFY2(near(view.imageToWidget(QPointF(0, 0)), QPointF(0, 0), 1e-6),
        qPrintable(describe(view.imageToWidget(QPointF(0, 0)))));
    QVERIFY2(near(view.imageToWidget(QPointF(4000, 3000)), QPointF(800, 600), 1e-6),
        qPrintable(describe(view.imageToWidget(QPointF(4000, 3000)))));
}

void TestImageView::fitNeverEnlargesAndCentres()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(400, 300), kImageColor));
    QVERIFY(view.isFitToWindow());
    QCOMPARE(view.zoom(), 1.0);
    QCOMPARE(view.imageToWidget(QPointF(0, 0)), QPointF(200, 150));

    // A wide image is fitted on its width and centred vertically.
    view.setImage(solidImage(QSize(1600, 600), kImageColor));
    QCOMPARE(view.zoom(), 0.5);
    QVERIFY(near(view.imageToWidget(QPointF(0, 0)), QPointF(0, 150), 1e-9));
}

void TestImageView::fitFollowsResizes()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    view.resize(400, 300);
    QCOMPARE(view.zoom(), 0.1);
    QVERIFY(view.isFitToWindow());

    // Once the analyst has zoomed, a resize keeps the zoom and the point in the middle.
    view.zoomActualSize();
    const QPointF middle = view.widgetToImage(QPointF(200, 150));
    view.resize(600, 500);
    QCOMPARE(view.zoom(), 1.0);
    QVERIFY(!view.isFitToWindow());
    QVERIFY2(near(view.imageToWidget(middle), QPointF(300, 250), 1e-6),
        qPrintable(describe(view.imageToWidget(middle))));

    view.zoomToFit();
    QVERIFY(view.isFitToWindow());
    QCOMPARE(view.zoom(), 0.15);
}

void TestImageView::actualSizeIsOneToOneAboutTheCentre()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    const QPointF centre = view.widgetToImage(QPointF(400, 300));
    view.zoomActualSize();
    QCOMPARE(view.zoom(), 1.0);
    QVERIFY(!view.isFitToWindow());
    QVERIFY(near(centre, QPointF(2000, 1500), 1e-6));
    QVERIFY2(near(view.imageToWidget(centre), QPointF(400, 300), 1e-6),
        qPrintable(describe(view.imageToWidget(centre))));
}

void TestImageView::zoomInAndOutStepAboutTheCentre()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    view.setZoom(1.0, QPointF(100, 100));
    const QPointF centre = view.widgetToImage(QPointF(400, 300));
    QSignalSpy zoomed(&view, &ImageView::zoomChanged);

    view.zoomIn();
    QCOMPARE(view.zoom(), 1.25);
    QVERIFY(near(view.imageToWidget(centre), QPointF(400, 300), 1e-6));
    view.zoomOut();
    view.zoomOut();
    QCOMPARE(view.zoom(), 0.8);
    QVERIFY(near(view.imageToWidget(centre), QPointF(400, 300), 1e-6));
    QCOMPARE(zoomed.count(), 3);
    QCOMPARE(zoomed.last().first().toDouble(), 0.8);
}

void TestImageView::setZoomKeepsTheAnchoredPointFixed_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<QPointF>("anchor");
    QTest::newRow("2x near the top left") << 2.0 << QPointF(130.5, 90.25);
    QTest::newRow("7.3x in the middle") << 7.3 << QPointF(401.0, 299.0);
    QTest::newRow("0.5x near the bottom right") << 0.5 << QPointF(700.0, 510.75);
    QTest::newRow("32x at a corner pixel") << 32.0 << QPointF(799.0, 1.0);
}

void TestImageView::setZoomKeepsTheAnchoredPointFixed()
{
    QFETCH(double, factor);
    QFETCH(QPointF, anchor);
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    const QPointF imagePoint = view.widgetToImage(anchor);
    QSignalSpy zoomed(&view, &ImageView::zoomChanged);

    view.setZoom(factor, anchor);
    QCOMPARE(view.zoom(), factor);
    QVERIFY(!view.isFitToWindow());
    QCOMPARE(zoomed.count(), 1);
    QCOMPARE(zoomed.first().first().toDouble(), factor);
    QVERIFY2(near(view.imageToWidget(imagePoint), anchor, 1e-6),
        qPrintable(describe(view.imageToWidget(imagePoint))));
    QVERIFY2(near(view.widgetToImage(anchor), imagePoint, 1e-6),
        qPrintable(describe(view.widgetToImage(anchor))));
}

void TestImageView::zoomIsClamped()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    view.setZoom(1000.0, QPointF(400, 300));
    QCOMPARE(view.zoom(), 32.0);
    view.setZoom(0.0001, QPointF(400, 300));
    QCOMPARE(view.zoom(), 0.2 / 8); // an eighth of the fit
    QCOMPARE(view.minimumZoom(), 0.2 / 8);

    // A small image stops at an eighth of its fit, above the 1 % floor.
    view.setImage(solidImage(QSize(100, 100), kImageColor));
    view.setZoom(0.0001, QPointF(400, 300));
    QCOMPARE(view.zoom(), 1.0 / 8);

    // A huge image can always be fitted, even below 1 %.
    view.setImage(solidImage(QSize(160000, 10), kImageColor));
    QCOMPARE(view.zoom(), 0.005);
    view.setZoom(0.0001, QPointF(400, 300));
    QCOMPARE(view.zoom(), 0.005);

    const double before = view.zoom();
    view.setZoom(std::nan(""), QPointF(400, 300));
    QCOMPARE(view.zoom(), before);
}

void TestImageView::wheelZoomsAboutTheCursor()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    view.zoomActualSize();
    const QPointF cursor(250, 150);
    const QPointF underCursor = view.widgetToImage(cursor);

    QWheelEvent notchUp(cursor, view.mapToGlobal(cursor), QPoint(), QPoint(0, 120), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &notchUp);
    QVERIFY(notchUp.isAccepted());
    QCOMPARE(view.zoom(), 1.25);
    QVERIFY2(near(view.imageToWidget(underCursor), cursor, 1e-6),
        qPrintable(describe(view.imageToWidget(underCursor))));

    // Two notches down, then half a notch up, as a high-resolution wheel sends it.
    QWheelEvent twoDown(cursor, view.mapToGlobal(cursor), QPoint(), QPoint(0, -240), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &twoDown);
    QVERIFY(std::abs(view.zoom() - 0.8) < 1e-12);
    QWheelEvent halfUp(cursor, view.mapToGlobal(cursor), QPoint(), QPoint(0, 60), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &halfUp);
    QVERIFY(std::abs(view.zoom() - 0.8 * std::sqrt(1.25)) < 1e-12);
    QVERIFY2(near(view.imageToWidget(underCursor), cursor, 1e-6),
        qPrintable(describe(view.imageToWidget(underCursor))));
}

void TestImageView::dragPansByTheDraggedDistance()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    view.zoomActualSize();
    const QPointF origin = view.imageToWidget(QPointF(0, 0));

    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(400, 300));
    QCOMPARE(view.cursor().shape(), Qt::ClosedHandCursor);
    QTest::mouseMove(&view, QPoint(380, 290));
    QTest::mouseMove(&view, QPoint(350, 270));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(350, 270));
    QVERIFY(view.cursor().shape() != Qt::ClosedHandCursor);

    QVERIFY2(near(view.imageToWidget(QPointF(0, 0)), origin + QPointF(-50, -30), 1e-9),
        qPrintable(describe(view.imageToWidget(QPointF(0, 0)))));
    QCOMPARE(view.zoom(), 1.0);
}

void TestImageView::panningCannotLoseTheImage()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    view.zoomActualSize();

    for (int drag = 0; drag < 3; ++drag) {
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(10, 10));
        QTest::mouseMove(&view, QPoint(790, 590));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(790, 590));
    }
    // Clamped: the image's corner stops at the widget's corner.
    QCOMPARE(view.imageToWidget(QPointF(0, 0)), QPointF(0, 0));

    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(700, 550));
    for (int step = 1; step <= 10; ++step)
        QTest::mouseMove(&view, QPoint(700 - 60 * step, 550 - 50 * step));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(100, 50));
    // Back the other way, the whole distance counts from where the image stopped.
    QCOMPARE(view.imageToWidget(QPointF(0, 0)), QPointF(-600, -500));

    // Towards the image's bottom right, drag after drag: its far corner stops at the widget's.
    for (int drag = 0; drag < 5; ++drag) {
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(790, 590));
        QTest::mouseMove(&view, QPoint(5, 5));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(5, 5));
    }
    QCOMPARE(view.imageToWidget(QPointF(4000, 3000)), QPointF(800, 600));

    // An image smaller than the view stays centred, whatever the drag.
    view.setImage(solidImage(QSize(400, 300), kImageColor));
    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(300, 200));
    QTest::mouseMove(&view, QPoint(10, 10));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(10, 10));
    QCOMPARE(view.imageToWidget(QPointF(0, 0)), QPointF(200, 150));
}

void TestImageView::arrowKeysPan()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    view.zoomActualSize();
    const QPointF origin = view.imageToWidget(QPointF(0, 0));

    QTest::keyClick(&view, Qt::Key_Right); // shows more of the right: the image moves left
    QVERIFY(near(view.imageToWidget(QPointF(0, 0)), origin + QPointF(-80, 0), 1e-9));
    QTest::keyClick(&view, Qt::Key_Down);
    QVERIFY(near(view.imageToWidget(QPointF(0, 0)), origin + QPointF(-80, -60), 1e-9));
    QTest::keyClick(&view, Qt::Key_Left);
    QTest::keyClick(&view, Qt::Key_Up);
    QVERIFY(near(view.imageToWidget(QPointF(0, 0)), origin, 1e-9));
}

void TestImageView::reportsThePixelUnderTheCursor()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    QVERIFY(view.hasMouseTracking());
    view.setImage(solidImage(QSize(400, 300), kImageColor)); // 1:1, top left at (200, 150)
    QSignalSpy pixels(&view, &ImageView::cursorPixelChanged);

    QTest::mouseMove(&view, QPoint(250, 170));
    QTRY_VERIFY(!pixels.isEmpty());
    QCOMPARE(pixels.last().at(0).toPoint(), QPoint(50, 20));
    QCOMPARE(pixels.last().at(1).toBool(), true);

    QTest::mouseMove(&view, QPoint(100, 100));
    QTRY_COMPARE(pixels.last().at(0).toPoint(), QPoint(-100, -50));
    QCOMPARE(pixels.last().at(1).toBool(), false);

    QTest::mouseMove(&view, QPoint(599, 449)); // the last pixel
    QTRY_COMPARE(pixels.last().at(0).toPoint(), QPoint(399, 299));
    QCOMPARE(pixels.last().at(1).toBool(), true);
    QTest::mouseMove(&view, QPoint(600, 449)); // one past it
    QTRY_COMPARE(pixels.last().at(0).toPoint(), QPoint(400, 299));
    QCOMPARE(pixels.last().at(1).toBool(), false);

    // Zooming moves the image under a still cursor: the new pixel is reported.
    QTest::mouseMove(&view, QPoint(250, 170));
    QTRY_COMPARE(pixels.last().at(0).toPoint(), QPoint(50, 20));
    view.setZoom(2.0, QPointF(200, 150)); // 800 x 600: fills the view exactly, top left at 0, 0
    QCOMPARE(pixels.last().at(0).toPoint(), QPoint(125, 85));
    QCOMPARE(pixels.last().at(1).toBool(), true);
    // At 4x the cursor lies at (62.5, 42.5) in the image: inside pixel (62, 42), not rounded.
    view.setZoom(4.0, QPointF(0, 0));
    QCOMPARE(view.widgetToImage(QPointF(250, 170)), QPointF(62.5, 42.5));
    QCOMPARE(pixels.last().at(0).toPoint(), QPoint(62, 42));
    QCOMPARE(pixels.last().at(1).toBool(), true);
}

void TestImageView::mappingRoundTrips()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    const QPointF points[] = { { 0, 0 }, { 3999.5, 2999.5 }, { 1234.25, 17.125 }, { -10, 5000 } };
    for (const double zoom : { 0.2, 0.37, 1.0, 3.3, 32.0 }) {
        view.setZoom(zoom, QPointF(317, 211));
        for (const QPointF &point : points) {
            const QPointF back = view.widgetToImage(view.imageToWidget(point));
            QVERIFY2(near(back, point, 1e-9),
                qPrintable(QStringLiteral("zoom %1: %2").arg(zoom).arg(describe(back))));
        }
    }
    // And the mapping is the one painted: at 1:1 one image pixel is one widget pixel.
    view.zoomActualSize();
    QVERIFY(near(view.imageToWidget(QPointF(11, 7)) - view.imageToWidget(QPointF(10, 5)),
        QPointF(1, 2), 1e-9));
}

void TestImageView::paintsOverlayOutlines()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(400, 300), kImageColor)); // 1:1, top left at (200, 150)
    const QColor magenta(255, 0, 255);
    // Widget rectangle from (300, 230) to (420, 320).
    view.setOverlays({ { QStringLiteral("detector-a"), magenta, { QRect(100, 80, 120, 90) } } });

    QImage shot = view.grab().toImage();
    QCOMPARE(shot.size(), QSize(800, 600));
    // On the outline: left, right, bottom edges, away from the label.
    QCOMPARE(describe(shot.pixelColor(300, 280)), describe(magenta));
    QCOMPARE(describe(shot.pixelColor(420, 280)), describe(magenta));
    QCOMPARE(describe(shot.pixelColor(360, 320)), describe(magenta));
    // A one-pixel dark halo on both sides of the coloured line.
    for (const int x : { 298, 301, 418, 421 }) {
        QVERIFY2(qGray(shot.pixel(x, 280)) < qGray(kImageColor.rgb()) / 2,
            qPrintable(QStringLiteral("%1: %2").arg(x).arg(describe(shot.pixelColor(x, 280)))));
    }
    // Inside and outside, the image is untouched.
    QCOMPARE(describe(shot.pixelColor(360, 280)), describe(kImageColor));
    QCOMPARE(describe(shot.pixelColor(290, 280)), describe(kImageColor));
    QCOMPARE(describe(shot.pixelColor(430, 280)), describe(kImageColor));
    // The label sits in a box of the overlay's colour just above the region's top left.
    QVERIFY(longestRun(shot, 301, magenta) >= QFontMetrics(view.font()).height());

    view.setOverlaysVisible(false);
    QVERIFY(!view.overlaysVisible());
    shot = view.grab().toImage();
    QCOMPARE(describe(shot.pixelColor(300, 280)), describe(kImageColor));
    QCOMPARE(describe(shot.pixelColor(420, 280)), describe(kImageColor));

    // Outlines follow the zoom: at 4x, clamped to the image's top left, the region spans
    // (400, 320) to (880, 680).
    view.setOverlaysVisible(true);
    view.setZoom(4.0, QPointF(200, 150));
    QCOMPARE(view.imageToWidget(QPointF(100, 80)), QPointF(400, 320));
    shot = view.grab().toImage();
    QCOMPARE(describe(shot.pixelColor(400, 450)), describe(magenta));
    QCOMPARE(describe(shot.pixelColor(420, 450)), describe(kImageColor));
    QCOMPARE(describe(shot.pixelColor(380, 450)), describe(kImageColor));
}

void TestImageView::separatesTheLabelsOfSeveralOverlays()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(400, 300), kImageColor));
    const QColor magenta(255, 0, 255);
    const QColor green(0, 255, 0);
    const QRect region(100, 80, 120, 90);
    // Both detectors scored the same region, so both labels want the same place.
    view.setOverlays({ { QStringLiteral("detector-a"), magenta, { region } },
        { QStringLiteral("detector-b"), green, { region } } });
    const QImage shot = view.grab().toImage();
    const int textHeight = QFontMetrics(view.font()).height();
    QVERIFY2(longestRun(shot, 301, magenta) >= textHeight,
        qPrintable(QString::number(longestRun(shot, 301, magenta))));
    QVERIFY2(longestRun(shot, 301, green) >= textHeight,
        qPrintable(QString::number(longestRun(shot, 301, green))));
}

void TestImageView::paintsTheBanner()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    QImage shot = view.grab().toImage();
    QCOMPARE(describe(shot.pixelColor(2, 2)), describe(kImageColor));

    view.setBanner(QStringLiteral("TRUNCATED: only the part that decoded is shown"));
    QCOMPARE(view.banner(), QStringLiteral("TRUNCATED: only the part that decoded is shown"));
    shot = view.grab().toImage();
    QCOMPARE(describe(shot.pixelColor(2, 2)), describe(kBannerColor));
    QCOMPARE(describe(shot.pixelColor(797, 2)), describe(kBannerColor));
    // The strip ends below the text; the image goes on beneath it.
    QCOMPARE(describe(shot.pixelColor(400, 300)), describe(kImageColor));
    // White text on the strip.
    int white = 0;
    const int stripHeight = QFontMetrics(view.font()).height();
    for (int y = 0; y < stripHeight; ++y) {
        for (int x = 0; x < 400; ++x)
            white += shot.pixelColor(x, y) == QColor(Qt::white) ? 1 : 0;
    }
    QVERIFY2(white > 20, qPrintable(QString::number(white)));

    view.setBanner(QString());
    shot = view.grab().toImage();
    QCOMPARE(describe(shot.pixelColor(2, 2)), describe(kImageColor));
}

void TestImageView::paintsFromThePreviewOnlyAtItsScale()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    // Different colours tell which copy was painted; a real preview is the same picture.
    const QColor blue(0, 0, 255);
    view.setImage(solidImage(QSize(4000, 3000), Qt::red), solidImage(QSize(1000, 750), blue));
    QCOMPARE(view.zoom(), 0.2); // below the preview's scale of 0.25
    QCOMPARE(describe(view.grab().toImage().pixelColor(400, 300)), describe(blue));

    view.setZoom(0.25, QPointF(400, 300)); // at the preview's scale
    QCOMPARE(describe(view.grab().toImage().pixelColor(400, 300)), describe(blue));

    view.setZoom(0.3, QPointF(400, 300)); // above it: the full image
    QCOMPARE(describe(view.grab().toImage().pixelColor(400, 300)), describe(QColor(Qt::red)));

    // A "preview" that is not smaller is ignored.
    view.setImage(solidImage(QSize(400, 300), Qt::red), solidImage(QSize(400, 300), blue));
    QCOMPARE(describe(view.grab().toImage().pixelColor(400, 300)), describe(QColor(Qt::red)));
}

void TestImageView::showsRealPixelsWhenZoomedIn()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(checkerboard(QSize(400, 300)));
    view.setZoom(4.0, QPointF(400, 300));
    const QImage shot = view.grab().toImage();
    // Every shown pixel is pure black or pure white: nearest neighbour, no filtering.
    for (int y = 200; y < 240; ++y) {
        for (int x = 300; x < 340; ++x) {
            const QRgb pixel = shot.pixel(x, y);
            QVERIFY2(pixel == qRgb(0, 0, 0) || pixel == qRgb(255, 255, 255),
                qPrintable(QStringLiteral("%1, %2: %3").arg(x).arg(y).arg(pixel, 8, 16)));
        }
    }
    // And each shown pixel is the image pixel mapped there.
    for (const QPointF widgetPoint : { QPointF(301.5, 201.5), QPointF(333.5, 217.5) }) {
        const QPointF imagePoint = view.widgetToImage(widgetPoint);
        const QPoint pixel(int(std::floor(imagePoint.x())), int(std::floor(imagePoint.y())));
        QCOMPARE(shot.pixel(widgetPoint.toPoint()), checkerboard(QSize(400, 300)).pixel(pixel));
    }
}

void TestImageView::filtersWhenZoomedOut()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(checkerboard(QSize(400, 300)));
    view.setZoom(0.5, QPointF(400, 300));
    const QImage shot = view.grab().toImage();
    // Averaged to grey rather than a sample of single black or white pixels.
    const int grey = qGray(shot.pixel(400, 300));
    QVERIFY2(grey > 60 && grey < 195, qPrintable(QString::number(grey)));
}

void TestImageView::newImageDropsThePreviousFindings()
{
    ViewHost host;
    QVERIFY(host.exposed());
    ImageView &view = host.view();
    view.setImage(solidImage(QSize(400, 300), kImageColor));
    view.setBanner(QStringLiteral("TRUNCATED"));
    view.setOverlays({ { QStringLiteral("a"), Qt::red, { QRect(0, 0, 10, 10) } } });
    view.zoomActualSize();
    QVERIFY(!view.isFitToWindow());

    view.setImage(solidImage(QSize(4000, 3000), kImageColor));
    QVERIFY(view.isFitToWindow());
    QVERIFY(view.banner().isEmpty());
    QVERIFY(view.overlays().empty());

    view.setPlaceholder(QStringLiteral("Open an image"));
    view.clearImage();
    QVERIFY(view.image().isNull());
    QCOMPARE(view.placeholder(), QStringLiteral("Open an image"));
    // With no image there is nothing to zoom.
    view.setZoom(4.0, QPointF(10, 10));
    QCOMPARE(view.zoom(), 1.0);
    const QImage shot = view.grab().toImage();
    QCOMPARE(shot.size(), QSize(800, 600));
}

QTEST_MAIN(TestImageView)
#include "tst_image_view.moc"
