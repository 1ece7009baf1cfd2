#include "ui/pdf_page_flow.h"

#include <QPagedPaintDevice>
#include <QPainter>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

namespace forgelens {

PdfPageFlow::PdfPageFlow(QPagedPaintDevice &device, QPainter &painter, bool dryRun,
    std::function<void(QPainter &, int)> decorate)
    : m_device(device), m_painter(painter), m_dryRun(dryRun), m_decorate(std::move(decorate))
{
    m_mm = device.logicalDpiX() / 25.4;
    const int side = int(18 * m_mm);
    const int top = int(22 * m_mm); // room for the running header
    const int bottom = int(20 * m_mm); // and the footer
    m_content = QRect(side, top, device.width() - 2 * side, device.height() - top - bottom);
    m_y = m_content.top();
    if (!m_dryRun && m_decorate)
        m_decorate(m_painter, m_page);
}

QFont PdfPageFlow::font(double points, bool bold, bool mono)
{
    // DejaVu is installed with the application's dependencies and embedded in every PDF.
    QFont font(mono ? QStringLiteral("DejaVu Sans Mono") : QStringLiteral("DejaVu Sans"));
    font.setPointSizeF(points);
    font.setBold(bold);
    font.setStyleHint(mono ? QFont::Monospace : QFont::SansSerif);
    // No ligatures: a hash drawn with "ff" or "fi" joined into one glyph would be copied out of
    // the PDF (and found by pdftotext) as U+FB00 or U+FB01, not as the hex digits it is.
    font.setStyleStrategy(QFont::PreferNoShaping);
    return font;
}

void PdfPageFlow::newPage()
{
    if (!m_dryRun)
        m_device.newPage();
    ++m_page;
    m_y = m_content.top();
    if (!m_dryRun && m_decorate)
        m_decorate(m_painter, m_page);
}

bool PdfPageFlow::ensure(int height)
{
    if (m_y + height <= m_content.bottom())
        return true;
    if (m_y > m_content.top())
        newPage();
    return height <= m_content.height();
}

void PdfPageFlow::space(int pixels)
{
    m_y = std::min(m_y + pixels, m_content.bottom());
}

int PdfPageFlow::textHeight(const QString &text, const QFont &font, int width) const
{
    m_painter.setFont(font);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    const QRectF bound = m_painter.boundingRect(QRectF(0, 0, width, 1'000'000), text, option);
    return std::max(int(std::ceil(bound.height())), QFontMetrics(font, &m_device).height());
}

void PdfPageFlow::drawText(
    const QRect &rect, const QString &text, const QFont &font, const QColor &colour, int flags)
{
    if (m_dryRun)
        return;
    m_painter.setFont(font);
    m_painter.setPen(colour);
    // Words wrap at spaces; only a word longer than the line (a hash, a path) is broken inside.
    QTextOption option{ Qt::Alignment(flags) };
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_painter.drawText(QRectF(rect), text, option);
}

void PdfPageFlow::heading(const QString &text, int level, int keepWithNext)
{
    const double points = level == 1 ? 16 : level == 2 ? 12.5 : 10.5;
    const QFont headingFont = font(points, true);
    const int height = textHeight(text, headingFont, width());
    // A heading never ends a page: it keeps room for what follows it.
    ensure(height + std::max(int(25 * m_mm), keepWithNext));
    space(level == 1 ? int(2 * m_mm) : int(3 * m_mm));
    drawText(QRect(m_content.left(), m_y, width(), height), text, headingFont,
        QColor(0x1a, 0x2a, 0x44), Qt::AlignLeft);
    m_y += height + int(1.5 * m_mm);
    if (level == 1 && !m_dryRun) {
        m_painter.setPen(QPen(QColor(0x1a, 0x2a, 0x44), std::max(1.0, 0.3 * m_mm)));
        m_painter.drawLine(m_content.left(), m_y, m_content.right(), m_y);
    }
    if (level == 1)
        m_y += int(2 * m_mm);
}

void PdfPageFlow::paragraph(const QString &text, const QFont &font, const QColor &colour)
{
    // Laid out line by line, so that a paragraph longer than what is left of the page goes on
    // to the next.
    // QTextLayout breaks lines at U+2028, not at '\n' (displayText() escapes U+2028 in what came
    // from a file, so only the report's own line breaks are left to break at).
    QString broken = text;
    broken.replace(u'\n', QChar::LineSeparator);
    QTextLayout layout(broken, font, &m_device);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(option);
    layout.beginLayout();
    std::vector<QTextLine> lines;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width());
        lines.push_back(line);
    }
    layout.endLayout();
    for (QTextLine &line : lines) {
        const int height = int(std::ceil(line.height()));
        ensure(height);
        if (!m_dryRun) {
            m_painter.setPen(colour);
            line.draw(&m_painter, QPointF(m_content.left(), m_y - line.y()));
        }
        m_y += height;
    }
    m_y += int(1.5 * m_mm);
}

void PdfPageFlow::notice(
    const QString &text, const QFont &font, const QColor &ground, const QColor &frame)
{
    const int pad = int(2.5 * m_mm);
    const int height = textHeight(text, font, width() - 2 * pad) + 2 * pad;
    ensure(height);
    const QRect box(m_content.left(), m_y, width(), height);
    if (!m_dryRun) {
        m_painter.fillRect(box, ground);
        m_painter.setPen(QPen(frame, std::max(1.0, 0.4 * m_mm)));
        m_painter.drawRect(box);
    }
    drawText(box.adjusted(pad, pad, -pad, -pad), text, font, Qt::black, Qt::AlignLeft);
    m_y += height + int(2 * m_mm);
}

void PdfPageFlow::keyValues(
    const std::vector<std::pair<QString, QString>> &rows, const QFont &font, const QFont &valueFont)
{
    const int labelWidth = width() / 3;
    const int gap = int(2 * m_mm);
    for (const auto &[label, value] : rows) {
        const int height = std::max(textHeight(label, font, labelWidth - gap),
                               textHeight(value, valueFont, width() - labelWidth))
            + int(0.8 * m_mm);
        ensure(height);
        drawText(QRect(m_content.left(), m_y, labelWidth - gap, height), label, font,
            QColor(0x55, 0x55, 0x55), Qt::AlignLeft | Qt::AlignTop);
        drawText(QRect(m_content.left() + labelWidth, m_y, width() - labelWidth, height), value,
            valueFont, Qt::black, Qt::AlignLeft | Qt::AlignTop);
        m_y += height;
    }
    m_y += int(1.5 * m_mm);
}

void PdfPageFlow::drawRow(const QStringList &cells, const std::vector<int> &widths,
    const QFont &font, int height, bool header)
{
    const int pad = int(0.8 * m_mm);
    if (!m_dryRun) {
        if (header)
            m_painter.fillRect(
                QRect(m_content.left(), m_y, width(), height), QColor(0xe6, 0xea, 0xf0));
        m_painter.setPen(QPen(QColor(0xb0, 0xb6, 0xc0), std::max(1.0, 0.15 * m_mm)));
        m_painter.drawLine(m_content.left(), m_y + height, m_content.right(), m_y + height);
    }
    int x = m_content.left();
    QFont cellFont = font;
    cellFont.setBold(header);
    for (size_t c = 0; c < widths.size(); ++c) {
        drawText(QRect(x + pad, m_y + pad, widths[c] - 2 * pad, height - 2 * pad),
            cells.value(qsizetype(c)), cellFont, Qt::black, Qt::AlignLeft | Qt::AlignTop);
        x += widths[c];
    }
}

void PdfPageFlow::table(const QStringList &headers, const std::vector<QStringList> &rows,
    const std::vector<double> &shares, const QFont &font)
{
    double total = 0;
    for (const double share : shares)
        total += share;
    std::vector<int> widths;
    for (const double share : shares)
        widths.push_back(int(width() * share / total));
    const int pad = int(0.8 * m_mm);
    const auto rowHeight = [&](const QStringList &cells, bool header) {
        QFont cellFont = font;
        cellFont.setBold(header);
        int height = 0;
        for (size_t c = 0; c < widths.size(); ++c)
            height = std::max(
                height, textHeight(cells.value(qsizetype(c)), cellFont, widths[c] - 2 * pad));
        return std::min(height + 2 * pad, m_content.height() / 2);
    };
    const int headerHeight = rowHeight(headers, true);
    ensure(headerHeight * 2);
    drawRow(headers, widths, font, headerHeight, true);
    m_y += headerHeight;
    for (const QStringList &row : rows) {
        const int height = rowHeight(row, false);
        if (m_y + height > m_content.bottom()) {
            newPage();
            drawRow(headers, widths, font, headerHeight, true);
            m_y += headerHeight;
        }
        drawRow(row, widths, font, height, false);
        m_y += height;
    }
    m_y += int(2 * m_mm);
}

void PdfPageFlow::image(
    const QImage &picture, int maxHeight, const QString &caption, const QFont &font)
{
    if (picture.isNull())
        return;
    const QSize fitted = picture.size().scaled(QSize(width(), maxHeight), Qt::KeepAspectRatio);
    const int captionHeight = caption.isEmpty() ? 0 : textHeight(caption, font, width());
    ensure(fitted.height() + captionHeight + int(2 * m_mm));
    const QRect target(
        m_content.left() + (width() - fitted.width()) / 2, m_y, fitted.width(), fitted.height());
    if (!m_dryRun)
        m_painter.drawImage(target, picture);
    m_y += fitted.height() + int(1 * m_mm);
    if (captionHeight > 0) {
        drawText(QRect(m_content.left(), m_y, width(), captionHeight), caption, font,
            QColor(0x33, 0x33, 0x33), Qt::AlignHCenter | Qt::AlignTop);
        m_y += captionHeight;
    }
    m_y += int(2 * m_mm);
}

void PdfPageFlow::imageGrid(const std::vector<std::pair<QImage, QString>> &cells, int columns,
    int cellHeight, const QFont &font)
{
    const int gap = int(3 * m_mm);
    const int cellWidth = (width() - gap * (columns - 1)) / columns;
    for (size_t start = 0; start < cells.size(); start += size_t(columns)) {
        int captionHeight = 0;
        for (size_t i = start; i < std::min(cells.size(), start + size_t(columns)); ++i)
            captionHeight = std::max(captionHeight, textHeight(cells[i].second, font, cellWidth));
        ensure(cellHeight + captionHeight + gap);
        for (size_t i = start; i < std::min(cells.size(), start + size_t(columns)); ++i) {
            const int x = m_content.left() + int(i - start) * (cellWidth + gap);
            const QImage &picture = cells[i].first;
            if (!picture.isNull() && !m_dryRun) {
                const QSize fitted
                    = picture.size().scaled(QSize(cellWidth, cellHeight), Qt::KeepAspectRatio);
                m_painter.drawImage(QRect(x + (cellWidth - fitted.width()) / 2, m_y, fitted.width(),
                                        fitted.height()),
                    picture);
            }
            drawText(QRect(x, m_y + cellHeight + int(0.8 * m_mm), cellWidth, captionHeight),
                cells[i].second, font, QColor(0x33, 0x33, 0x33), Qt::AlignHCenter | Qt::AlignTop);
        }
        m_y += cellHeight + captionHeight + gap;
    }
}

void PdfPageFlow::histogram(
    const std::vector<qint64> &counts, double threshold, const QString &caption, const QFont &font)
{
    if (counts.empty())
        return;
    const int plotHeight = int(45 * m_mm);
    const int axis = textHeight(QStringLiteral("0.0"), font, width());
    const int captionHeight = textHeight(caption, font, width());
    ensure(plotHeight + axis + captionHeight + int(4 * m_mm));
    const qint64 peak = std::max<qint64>(1, *std::max_element(counts.begin(), counts.end()));
    const int left = m_content.left() + int(12 * m_mm);
    const int plotWidth = width() - int(12 * m_mm);
    const double bar = double(plotWidth) / double(counts.size());
    if (!m_dryRun) {
        m_painter.setPen(QPen(Qt::black, std::max(1.0, 0.2 * m_mm)));
        m_painter.drawLine(left, m_y + plotHeight, left + plotWidth, m_y + plotHeight);
        m_painter.drawLine(left, m_y, left, m_y + plotHeight);
        for (size_t i = 0; i < counts.size(); ++i) {
            const int height = int(double(counts[i]) / double(peak) * (plotHeight - axis));
            m_painter.fillRect(
                QRectF(left + i * bar + bar * 0.1, m_y + plotHeight - height, bar * 0.8, height),
                QColor(0x3b, 0x6e, 0xa8));
        }
        if (threshold >= 0.0 && threshold <= 1.0) {
            const int x = left + int(threshold * plotWidth);
            m_painter.setPen(
                QPen(QColor(0xc0, 0x30, 0x30), std::max(1.0, 0.4 * m_mm), Qt::DashLine));
            m_painter.drawLine(x, m_y, x, m_y + plotHeight);
        }
    }
    drawText(QRect(m_content.left(), m_y, int(11 * m_mm), axis), QString::number(peak), font,
        Qt::black, Qt::AlignRight);
    for (int tick = 0; tick <= 4; ++tick) {
        const int x = left + tick * plotWidth / 4;
        drawText(QRect(x - int(8 * m_mm), m_y + plotHeight + int(0.5 * m_mm), int(16 * m_mm), axis),
            QString::number(tick * 0.25, 'f', 2), font, Qt::black, Qt::AlignHCenter);
    }
    m_y += plotHeight + axis + int(1.5 * m_mm);
    drawText(QRect(m_content.left(), m_y, width(), captionHeight), caption, font,
        QColor(0x33, 0x33, 0x33), Qt::AlignHCenter);
    m_y += captionHeight + int(3 * m_mm);
}

} // namespace forgelens
