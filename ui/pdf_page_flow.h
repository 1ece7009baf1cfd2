#pragma once

#include <QColor>
#include <QFont>
#include <QImage>
#include <QRect>
#include <QString>
#include <QStringList>

#include <functional>
#include <utility>
#include <vector>

class QPainter;
class QPagedPaintDevice;

namespace forgelens {

// Flowing layout of a paged document on a QPainter: headings, paragraphs, tables and images
// are placed one below the other, and a new page is begun where the next one does not fit.
// Coordinates are the device's pixels (QPdfWriter's resolution); fonts are in points.
//
// A dry run measures without drawing, which is how the total page count is known before
// the pages that say "Page N of M" are drawn.
class PdfPageFlow {
public:
    // `decorate(painter, pageNumber)` draws the running header and footer of each page.
    PdfPageFlow(QPagedPaintDevice &device, QPainter &painter, bool dryRun,
        std::function<void(QPainter &, int)> decorate);

    // The part of the page content goes in, in device pixels.
    QRect contentRect() const { return m_content; }
    int width() const { return m_content.width(); }
    int pageNumber() const { return m_page; }
    // Device pixels per millimetre.
    double mm() const { return m_mm; }

    // Level 1, 2 or 3; begun on a new page when less than `keepWithNext` pixels (at least 25 mm)
    // would be left below it.
    void heading(const QString &text, int level, int keepWithNext = 0);
    void paragraph(const QString &text, const QFont &font, const QColor &colour = Qt::black);
    // A framed paragraph on a tinted ground, for what must not be missed (a changed file, a
    // broken log).
    void notice(const QString &text, const QFont &font, const QColor &ground, const QColor &frame);
    // Label/value rows in two columns (labels a third of the width).
    void keyValues(const std::vector<std::pair<QString, QString>> &rows, const QFont &font,
        const QFont &valueFont);
    // A table with a header row; `shares` are the columns' shares of the width. A header row is
    // drawn again on each page the table continues on.
    void table(const QStringList &headers, const std::vector<QStringList> &rows,
        const std::vector<double> &shares, const QFont &font);
    // The image scaled to fit the width and `maxHeight` pixels, with a caption below. The
    // image must be opaque: PDF/A-1 forbids transparency.
    void image(const QImage &picture, int maxHeight, const QString &caption, const QFont &font);
    // Images side by side in `columns`, each with its caption below.
    void imageGrid(const std::vector<std::pair<QImage, QString>> &cells, int columns,
        int cellHeight, const QFont &font);
    // Bars of a histogram with its axis labels; vector drawing.
    void histogram(const std::vector<qint64> &counts, double threshold, const QString &caption,
        const QFont &font);
    void space(int pixels);
    void newPage();

    // Body fonts the report uses, at this device's resolution.
    static QFont font(double points, bool bold = false, bool mono = false);

private:
    bool ensure(int height); // false when it cannot fit even on a new page
    int textHeight(const QString &text, const QFont &font, int width) const;
    void drawText(
        const QRect &rect, const QString &text, const QFont &font, const QColor &colour, int flags);
    void drawRow(const QStringList &cells, const std::vector<int> &widths, const QFont &font,
        int height, bool header);

    QPagedPaintDevice &m_device;
    QPainter &m_painter;
    bool m_dryRun;
    std::function<void(QPainter &, int)> m_decorate;
    QRect m_content;
    double m_mm = 1.0;
    int m_y = 0;
    int m_page = 1;
};

} // namespace forgelens
