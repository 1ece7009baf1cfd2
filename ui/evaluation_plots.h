#pragma once

#include <QColor>
#include <QString>
#include <QStringList>

#include <optional>

class QCustomPlot;

namespace forgelens {

struct Evaluation;

// The figures of an evaluation (core/eval) as plots, for the evaluation view and for
// `forgelens-cli evaluate`'s PNG and SVG files, drawn the same way for both.
enum class EvaluationPlotKind {
    Roc, // every detector's ROC curve overlaid, the chance diagonal, AUC in the legend
    PrecisionRecall, // every detector's PR curve, the synthetic share as the chance line
    Histogram, // one detector's P(synthetic) per class in 20 bins, its threshold marked
    Reliability, // mean P(synthetic) against the synthetic share per bin (15 bins), all detectors
    GeneratorAuc, // AUC per generator and detector, with its bootstrap 95 % interval
};

// Clears `plot` and draws `kind` (`detector` for Histogram: the index in the report's columns).
// Plottables are added in detector order, one per detector (Histogram: real, then synthetic),
// so a view can map a click back to its data.
void drawEvaluationPlot(
    QCustomPlot &plot, const Evaluation &evaluation, EvaluationPlotKind kind, int detector = 0);

// The colour of detector `index` on every plot.
QColor detectorColour(int index);

// Writes roc, precision-recall, reliability, generator-auc and histogram.<detector id> as PNG
// (1200×800) and SVG into `folder`, each atomically (only the histograms for a set of one
// class). Returns the files written, or what failed.
struct EvaluationPlotFiles {
    QStringList written;
    QString problem; // empty when every file was written
};
EvaluationPlotFiles writeEvaluationPlots(const Evaluation &evaluation, const QString &folder);

} // namespace forgelens
