#pragma once

#include "forgelens/scan/scan_pipeline.h"

#include <QElapsedTimer>

namespace forgelens::cli {

// Shows a scan's progress on stderr: a redrawn bar when stderr is a terminal, otherwise one
// line every few seconds (logs of batch jobs stay readable).
class ScanProgressPrinter {
public:
    enum class Style { Bar, Lines, None };
    explicit ScanProgressPrinter(Style style);
    static Style styleFor(const QString &option); // "auto" | "bar" | "lines" | "none"
    static bool isStyle(const QString &option); // one of those four

    void update(const ScanProgress &progress);
    void finish(); // ends the bar's line

private:
    QString describe(const ScanProgress &progress) const;

    Style m_style;
    QElapsedTimer m_sincePrint;
    bool m_printed = false;
};

// "7m 40s", "1h 02m", "12s".
QString formatDuration(double seconds);

} // namespace forgelens::cli
