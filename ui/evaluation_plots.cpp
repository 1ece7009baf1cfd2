#include "ui/evaluation_plots.h"

#include "ui/output_file_names.h"
#include "ui/qcustomplot_include.h"

#include "forgelens/eval/detector_evaluation.h"

#include <QBuffer>
#include <QDir>
#include <QSvgGenerator>

#include <cmath>
#include <map>

namespace forgelens {
namespace {

constexpr int kHistogramBins = 20;
constexpr int kReliabilityBins = 15; // as expected_calibration_error's figure
constexpr int kFileWidth = 1200;
constexpr int kFileHeight = 800;

void prepareAxes(QCustomPlot &plot, const QString &x, const QString &y)
{
    plot.clearPlottables();
    plot.clearItems();
    plot.xAxis->setLabel(x);
    plot.yAxis->setLabel(y);
    plot.xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    plot.xAxis->setTickLabelRotation(0);
    plot.xAxis->setRange(0.0, 1.0);
    plot.yAxis->setRange(0.0, 1.0);
    plot.legend->setVisible(true);
    plot.legend->setFont(QFont(plot.font().family(), 9));
    plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
}

void addDiagonal(QCustomPlot &plot, double fromY, double toY, const QString &name)
{
    QCPGraph *line = plot.addGraph();
    line->setData(QVector<double>{ 0.0, 1.0 }, QVector<double>{ fromY, toY });
    line->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    line->setName(name);
    line->setSelectable(QCP::stNone);
}

QString aucText(double auc)
{
    return std::isfinite(auc) ? QString::number(auc, 'f', 3) : QStringLiteral("n/a");
}

void drawRoc(QCustomPlot &plot, const Evaluation &evaluation)
{
    prepareAxes(plot, QStringLiteral("false-positive rate (real images called synthetic)"),
        QStringLiteral("true-positive rate (synthetic images caught)"));
    for (int d = 0; d < evaluation.detectorIds.size(); ++d) {
        auto *curve = new QCPCurve(plot.xAxis, plot.yAxis);
        curve->setPen(QPen(detectorColour(d), 2));
        curve->setName(QStringLiteral("%1 (AUC %2)")
                           .arg(evaluation.detectorIds.at(d),
                               aucText(evaluation.detectors[size_t(d)].overall.auc)));
        if (Result<RocCurve> roc = rocCurve(labelledScores(evaluation.files, d))) {
            QVector<double> t, x, y;
            for (size_t i = 0; i < roc->fpr.size(); ++i) {
                t << double(i);
                x << roc->fpr[i];
                y << roc->tpr[i];
            }
            curve->setData(t, x, y);
        }
    }
    addDiagonal(plot, 0.0, 1.0, QStringLiteral("chance"));
}

void drawPrecisionRecall(QCustomPlot &plot, const Evaluation &evaluation)
{
    prepareAxes(plot, QStringLiteral("recall (synthetic images caught)"),
        QStringLiteral("precision (flags that are synthetic)"));
    for (int d = 0; d < evaluation.detectorIds.size(); ++d) {
        auto *curve = new QCPCurve(plot.xAxis, plot.yAxis);
        curve->setPen(QPen(detectorColour(d), 2));
        const double ap = evaluation.detectors[size_t(d)].overall.averagePrecision;
        curve->setName(QStringLiteral("%1 (AP %2)").arg(evaluation.detectorIds.at(d), aucText(ap)));
        if (Result<PrecisionRecallCurve> pr
            = precisionRecallCurve(labelledScores(evaluation.files, d))) {
            QVector<double> t, x, y;
            for (size_t i = 0; i < pr->recall.size(); ++i) {
                t << double(i);
                x << pr->recall[i];
                y << pr->precision[i];
            }
            curve->setData(t, x, y);
        }
    }
    qint64 synthetic = 0;
    for (const EvaluatedFile &file : evaluation.files)
        synthetic += file.label.synthetic ? 1 : 0;
    const double share
        = evaluation.files.empty() ? 0.0 : double(synthetic) / double(evaluation.files.size());
    addDiagonal(plot, share, share, QStringLiteral("chance (the synthetic share)"));
    plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignLeft);
}

void drawHistogram(QCustomPlot &plot, const Evaluation &evaluation, int detector)
{
    prepareAxes(plot,
        QStringLiteral("P(synthetic) of %1").arg(evaluation.detectorIds.value(detector)),
        QStringLiteral("share of the class's images"));
    plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignHCenter);
    if (detector < 0 || detector >= evaluation.detectorIds.size())
        return;
    QVector<double> keys;
    for (int b = 0; b < kHistogramBins; ++b)
        keys << (b + 0.5) / kHistogramBins;
    double top = 0.0;
    const LabelledScores data = labelledScores(evaluation.files, detector);
    for (const bool synthetic : { false, true }) {
        QVector<double> counts(kHistogramBins, 0.0);
        double total = 0.0;
        for (size_t i = 0; i < data.scores.size(); ++i) {
            if (data.synthetic[i] != synthetic)
                continue;
            const int bin = std::clamp(int(data.scores[i] * kHistogramBins), 0, kHistogramBins - 1);
            counts[bin] += 1.0;
            total += 1.0;
        }
        for (double &count : counts) {
            count = total > 0.0 ? count / total : 0.0;
            top = std::max(top, count);
        }
        auto *bars = new QCPBars(plot.xAxis, plot.yAxis);
        bars->setWidth(0.9 / kHistogramBins);
        const QColor colour = synthetic ? QColor(214, 39, 40) : QColor(31, 119, 180);
        bars->setPen(QPen(colour));
        QColor fill = colour;
        fill.setAlpha(110);
        bars->setBrush(fill);
        bars->setName(QStringLiteral("%1 (%2 images)")
                          .arg(synthetic ? QStringLiteral("synthetic") : QStringLiteral("real"))
                          .arg(qint64(total)));
        bars->setData(keys, counts, true);
    }
    plot.yAxis->setRange(0.0, std::max(0.05, top * 1.15));
    const double threshold = evaluation.detectors[size_t(detector)].overall.threshold;
    if (std::isfinite(threshold)) {
        QCPGraph *line = plot.addGraph();
        line->setData(QVector<double>{ threshold, threshold }, QVector<double>{ 0.0, top * 1.15 });
        line->setPen(QPen(Qt::black, 1.5, Qt::DashLine));
        line->setName(QStringLiteral("threshold %1").arg(threshold, 0, 'g', 4));
        line->setSelectable(QCP::stNone);
    }
}

void drawReliability(QCustomPlot &plot, const Evaluation &evaluation)
{
    prepareAxes(plot, QStringLiteral("mean P(synthetic) in the bin"),
        QStringLiteral("share of the bin's images that are synthetic"));
    plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    for (int d = 0; d < evaluation.detectorIds.size(); ++d) {
        QCPGraph *graph = plot.addGraph();
        graph->setPen(QPen(detectorColour(d), 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        const double ece = evaluation.detectors[size_t(d)].overall.ece;
        graph->setName(
            QStringLiteral("%1 (ECE %2)")
                .arg(evaluation.detectorIds.at(d),
                    std::isfinite(ece) ? QString::number(ece, 'f', 3) : QStringLiteral("n/a")));
        if (Result<std::vector<ReliabilityBin>> bins
            = reliabilityBins(labelledScores(evaluation.files, d), kReliabilityBins)) {
            QVector<double> x, y;
            for (const ReliabilityBin &bin : *bins) {
                if (bin.count == 0)
                    continue;
                x << bin.meanScore;
                y << bin.syntheticShare;
            }
            graph->setData(x, y, true);
        }
    }
    addDiagonal(plot, 0.0, 1.0, QStringLiteral("perfect calibration"));
}

void drawGeneratorAuc(QCustomPlot &plot, const Evaluation &evaluation)
{
    QStringList generators;
    for (const DetectorEvaluation &detector : evaluation.detectors)
        for (const NamedFigures &entry : detector.byGenerator)
            if (!generators.contains(entry.name))
                generators << entry.name;
    generators.sort();
    prepareAxes(plot, QStringLiteral("generator (synthetic images)"),
        QStringLiteral("AUC against the real images (95 % interval)"));
    plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    // Each generator's count of synthetic images goes with its name: an interval over 3
    // images is an anecdote, whatever its width says.
    std::map<QString, qint64> counts;
    for (const DetectorEvaluation &detector : evaluation.detectors)
        for (const NamedFigures &entry : detector.byGenerator)
            counts[entry.name] = std::max(counts[entry.name], entry.figures.synthetic);
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    for (int g = 0; g < generators.size(); ++g)
        ticker->addTick(
            g, QStringLiteral("%1 (%2)").arg(generators.at(g)).arg(counts[generators.at(g)]));
    plot.xAxis->setTicker(ticker);
    // Rotated so that long names fit, ending at their bar (a positive angle runs off the right).
    plot.xAxis->setTickLabelRotation(generators.size() > 6 ? -35 : 0);
    plot.xAxis->setRange(-0.7, std::max<qsizetype>(1, generators.size()) - 0.3);
    auto *group = new QCPBarsGroup(&plot);
    const int detectors = int(evaluation.detectorIds.size());
    for (int d = 0; d < detectors; ++d) {
        auto *bars = new QCPBars(plot.xAxis, plot.yAxis);
        bars->setWidth(0.8 / std::max(1, detectors));
        bars->setPen(QPen(detectorColour(d)));
        QColor fill = detectorColour(d);
        fill.setAlpha(150);
        bars->setBrush(fill);
        bars->setName(evaluation.detectorIds.at(d));
        bars->setBarsGroup(group);
        auto *errors = new QCPErrorBars(plot.xAxis, plot.yAxis);
        errors->setDataPlottable(bars);
        errors->removeFromLegend();
        errors->setSelectable(QCP::stNone);
        QVector<double> keys, values, minus, plus;
        for (const NamedFigures &entry : evaluation.detectors[size_t(d)].byGenerator) {
            if (!std::isfinite(entry.figures.auc))
                continue;
            keys << double(generators.indexOf(entry.name));
            values << entry.figures.auc;
            const auto &ci = entry.figures.aucInterval;
            minus << (ci ? entry.figures.auc - ci->low : 0.0);
            plus << (ci ? ci->high - entry.figures.auc : 0.0);
        }
        bars->setData(keys, values, true);
        errors->setData(minus, plus);
    }
    addDiagonal(plot, 0.5, 0.5, QStringLiteral("chance"));
    // The chance line spans the whole axis, not [0, 1] of a category axis.
    plot.graph(plot.graphCount() - 1)
        ->setData(
            QVector<double>{ -0.7, double(generators.size()) - 0.3 }, QVector<double>{ 0.5, 0.5 });
}

bool writePlotFiles(QCustomPlot &plot, const QString &stem, QStringList &written, QString &problem)
{
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QByteArray png;
    QBuffer pngBuffer(&png);
    pngBuffer.open(QIODevice::WriteOnly);
    plot.toPixmap(kFileWidth, kFileHeight).save(&pngBuffer, "PNG");
    QByteArray svg;
    {
        QBuffer svgBuffer(&svg);
        QSvgGenerator generator;
        generator.setOutputDevice(&svgBuffer);
        generator.setSize(QSize(kFileWidth, kFileHeight));
        generator.setViewBox(QRect(0, 0, kFileWidth, kFileHeight));
        generator.setTitle(QFileInfo(stem).fileName());
        QCPPainter painter(&generator);
        plot.toPainter(&painter, kFileWidth, kFileHeight);
    }
    for (const auto &[suffix, bytes] :
        { std::pair{ QStringLiteral(".png"), &png }, std::pair{ QStringLiteral(".svg"), &svg } }) {
        if (bytes->isEmpty() || !writeFileAtomically(stem + suffix, *bytes)) {
            problem = QStringLiteral("cannot write %1%2").arg(stem, suffix);
            return false;
        }
        written << stem + suffix;
    }
    return true;
}

} // namespace

QColor detectorColour(int index)
{
    // Matplotlib's "tab10" order: distinguishable, and familiar from the seeds' own figures.
    static const QColor colours[] = { QColor(31, 119, 180), QColor(255, 127, 14),
        QColor(44, 160, 44), QColor(214, 39, 40), QColor(148, 103, 189), QColor(140, 86, 75),
        QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34), QColor(23, 190, 207) };
    return colours[size_t(std::abs(index)) % std::size(colours)];
}

void drawEvaluationPlot(
    QCustomPlot &plot, const Evaluation &evaluation, EvaluationPlotKind kind, int detector)
{
    switch (kind) {
    case EvaluationPlotKind::Roc: drawRoc(plot, evaluation); break;
    case EvaluationPlotKind::PrecisionRecall: drawPrecisionRecall(plot, evaluation); break;
    case EvaluationPlotKind::Histogram: drawHistogram(plot, evaluation, detector); break;
    case EvaluationPlotKind::Reliability: drawReliability(plot, evaluation); break;
    case EvaluationPlotKind::GeneratorAuc: drawGeneratorAuc(plot, evaluation); break;
    }
    plot.replot();
}

EvaluationPlotFiles writeEvaluationPlots(const Evaluation &evaluation, const QString &folder)
{
    EvaluationPlotFiles files;
    QCustomPlot plot;
    plot.resize(kFileWidth, kFileHeight);
    const QDir dir(folder);
    const std::pair<EvaluationPlotKind, const char *> shared[] = {
        { EvaluationPlotKind::Roc, "roc" },
        { EvaluationPlotKind::PrecisionRecall, "precision-recall" },
        { EvaluationPlotKind::Reliability, "reliability" },
        { EvaluationPlotKind::GeneratorAuc, "generator-auc" },
    };
    // With one class there is no curve to draw: only the score histograms are written.
    bool real = false;
    bool synthetic = false;
    for (const EvaluatedFile &file : evaluation.files)
        (file.label.synthetic ? synthetic : real) = true;
    for (const auto &[kind, name] : shared) {
        if (!(real && synthetic))
            break;
        drawEvaluationPlot(plot, evaluation, kind);
        if (!writePlotFiles(plot, dir.filePath(QLatin1String(name)), files.written, files.problem))
            return files;
    }
    for (int d = 0; d < evaluation.detectorIds.size(); ++d) {
        drawEvaluationPlot(plot, evaluation, EvaluationPlotKind::Histogram, d);
        const QString stem = dir.filePath(
            QStringLiteral("histogram.") + safeFileNamePart(evaluation.detectorIds.at(d)));
        if (!writePlotFiles(plot, stem, files.written, files.problem))
            return files;
    }
    return files;
}

} // namespace forgelens
