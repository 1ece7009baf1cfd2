// forgelens: the desktop workbench. `forgelens [--model BUNDLE] [IMAGE]`.
#include "ui/main_window.h"

#include "forgelens/inference/allocator_tuning.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char **argv)
{
    forgelens::tuneAllocatorForInference();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ForgeLens"));
    QApplication::setApplicationVersion(QStringLiteral(FORGELENS_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Tell camera photographs from generated images."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("Model bundle (.pt) to load at start."), QStringLiteral("BUNDLE"));
    parser.addOption(model);
    parser.addPositionalArgument(
        QStringLiteral("image"), QStringLiteral("Image to open."), QStringLiteral("[IMAGE]"));
    parser.process(app);

    forgelens::MainWindow window;
    window.resize(1200, 760);
    window.show();
    if (parser.isSet(model))
        window.loadModel(parser.value(model));
    if (!parser.positionalArguments().isEmpty())
        window.openImage(parser.positionalArguments().constFirst());
    return QApplication::exec();
}
