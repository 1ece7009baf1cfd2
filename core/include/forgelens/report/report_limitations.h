#pragma once

#include <QStringList>

namespace forgelens {

// What a detector's verdict cannot establish, written once for every report (PDF, JSON, the
// window's export preview). Each entry is one paragraph.
QStringList reportLimitations();

// The sentence every report gives about PDF/A: QPdfWriter writes PDF/A-1b, but no validator
// (veraPDF) is available to confirm conformance.
QString pdfaStatement();

} // namespace forgelens
