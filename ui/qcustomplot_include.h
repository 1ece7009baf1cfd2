#pragma once

// The one way to include QCustomPlot. The project builds with QT_NO_KEYWORDS (LibTorch uses
// `slots` as an identifier), but Debian's qcustomplot.h is written with Qt's bare keywords:
// define them as their Q_ forms around the include only, then take them away again.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
