// LibTorch, QCustomPlot (through its wrapper), Qt 6 with QT_NO_KEYWORDS and C++20 in one
// translation unit, as the ROC and score charts will need them; and the plot really draws.
#include "ui/qcustomplot_include.h"

#include <torch/script.h>

#include <QTest>

class TestPlotInclude : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keywordsStayUndefined();
    void plotDrawsItsGraph();
};

void TestPlotInclude::keywordsStayUndefined()
{
#if defined(signals) || defined(slots) || defined(emit) || defined(foreach)
    QFAIL("the wrapper leaked a bare Qt keyword macro");
#endif
    // LibTorch's own use of the identifier compiles: the tensor type is usable here.
    const torch::Tensor t = torch::ones({ 2, 2 });
    QCOMPARE(t.sum().item<float>(), 4.0f);
}

void TestPlotInclude::plotDrawsItsGraph()
{
    QCustomPlot plot;
    plot.resize(200, 150);
    QCPGraph *graph = plot.addGraph();
    const QColor pen(200, 30, 30);
    graph->setPen(QPen(pen, 3));
    graph->setData({ 0.0, 0.5, 1.0 }, { 0.0, 0.9, 1.0 });
    plot.xAxis->setRange(0, 1);
    plot.yAxis->setRange(0, 1);
    const QImage image = plot.toPixmap(200, 150).toImage();
    QVERIFY(!image.isNull());
    int penPixels = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            penPixels += QColor(image.pixel(x, y)) == pen ? 1 : 0;
    }
    QVERIFY2(penPixels > 50, qPrintable(QString::number(penPixels)));
}

QTEST_MAIN(TestPlotInclude)
#include "tst_plot_include.moc"
