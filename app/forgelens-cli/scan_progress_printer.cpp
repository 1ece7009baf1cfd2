#include "scan_progress_printer.h"

#include <QTextStream>

#include <cstdio>
#include <unistd.h>

namespace forgelens::cli {
namespace {

constexpr qint64 kBarIntervalMillis = 200;
constexpr qint64 kLineIntervalMillis = 5000;
constexpr int kBarWidth = 30;

} // namespace

QString formatDuration(double seconds)
{
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg(
            (s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1s").arg(s);
}

ScanProgressPrinter::ScanProgressPrinter(Style style) : m_style(style)
{
}

bool ScanProgressPrinter::isStyle(const QString &option)
{
    return option == QLatin1String("auto") || option == QLatin1String("bar")
        || option == QLatin1String("lines") || option == QLatin1String("none");
}

ScanProgressPrinter::Style ScanProgressPrinter::styleFor(const QString &option)
{
    if (option == QLatin1String("bar"))
        return Style::Bar;
    if (option == QLatin1String("lines"))
        return Style::Lines;
    if (option == QLatin1String("none"))
        return Style::None;
    return ::isatty(STDERR_FILENO) ? Style::Bar : Style::Lines;
}

QString ScanProgressPrinter::describe(const ScanProgress &progress) const
{
    QString text = QStringLiteral("%1/%2 files").arg(progress.done).arg(progress.total);
    if (progress.filesPerSecond > 0)
        text += QStringLiteral("  %1 files/s").arg(progress.filesPerSecond, 0, 'f', 1);
    if (progress.etaSeconds >= 0)
        text += QStringLiteral("  ETA %1").arg(formatDuration(progress.etaSeconds));
    if (progress.failed > 0)
        text += QStringLiteral("  (%1 with errors)").arg(progress.failed);
    return text;
}

void ScanProgressPrinter::update(const ScanProgress &progress)
{
    if (m_style == Style::None)
        return;
    const bool last = progress.done >= progress.total;
    const qint64 interval = m_style == Style::Bar ? kBarIntervalMillis : kLineIntervalMillis;
    if (m_printed && !last && m_sincePrint.elapsed() < interval)
        return;
    m_sincePrint.start();
    m_printed = true;
    QTextStream err(stderr);
    if (m_style == Style::Lines) {
        err << "forgelens-cli scan: " << describe(progress) << '\n';
        return;
    }
    const double fraction
        = progress.total > 0 ? double(progress.done) / double(progress.total) : 1.0;
    const int filled = int(fraction * kBarWidth);
    err << '\r' << '[' << QString(filled, u'#') << QString(kBarWidth - filled, u'.') << "] "
        << QString::number(fraction * 100.0, 'f', 1) << "%  " << describe(progress)
        << "\x1b[K"; // erase what a longer previous line left
}

void ScanProgressPrinter::finish()
{
    if (m_style == Style::Bar && m_printed)
        QTextStream(stderr) << '\n';
}

} // namespace forgelens::cli
