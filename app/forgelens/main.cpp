// forgelens: the desktop workbench. `forgelens [--model BUNDLE]… [IMAGE|FOLDER…]`.
#include "ui/main_window.h"

#include "forgelens/session/workbench.h"

#include "forgelens/inference/allocator_tuning.h"
#include "forgelens/inference/openmp_wait_policy.h"
#include "forgelens/sandbox/decode_worker.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

int main(int argc, char **argv)
{
    // The sandbox's decoding worker (a hidden mode of this same executable), before any
    // QApplication: no display connection, no threads.
    if (forgelens::isDecodeWorkerInvocation(argc, argv))
        return forgelens::runDecodeWorker(argc, argv);
    // Folder scans run here as in forgelens-cli: its OpenMP and allocator settings too.
    forgelens::reexecWithPassiveOpenMpWaits(argv);
    forgelens::tuneAllocatorForInference();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ForgeLens"));
    QApplication::setOrganizationName(QStringLiteral("ForgeLens"));
    QApplication::setApplicationVersion(QStringLiteral(FORGELENS_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Tell camera photographs from generated images. Without --model, the "
                       "detectors chosen in Preferences are loaded, else the bundle found in "
                       "$FORGELENS_MODELS or the model folders (the reference detector)."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("Model bundle (.pt) to load at start; repeat for several detectors."),
        QStringLiteral("BUNDLE"));
    const QCommandLineOption bank(QStringLiteral("bank"),
        QStringLiteral("Exemplar bank to attach to the detector it was built with, once loaded; "
                       "repeat for several."),
        QStringLiteral("BANK"));
    const QCommandLineOption evaluate(QStringLiteral("evaluate"),
        QStringLiteral("Evaluate the detectors on this labelled folder once they have loaded "
                       "(results in --evaluation-output)."),
        QStringLiteral("FOLDER"));
    const QCommandLineOption evaluationOutput(QStringLiteral("evaluation-output"),
        QStringLiteral("Where --evaluate writes its scan, figures and plots."),
        QStringLiteral("FOLDER"));
    parser.addOption(model);
    parser.addOption(bank);
    const QCommandLineOption thresholdOverride(QStringLiteral("threshold-override"),
        QStringLiteral("A threshold override (forgelens-cli evaluate --write-threshold) for the "
                       "bundle it names; repeat for several. The bundles are not changed."),
        QStringLiteral("FILE"));
    const QCommandLineOption caseOption(QStringLiteral("case"),
        QStringLiteral("Open a case (forgelens-cli case new, or File ▸ New Case): its evidence "
                       "opens, and what is analysed is recorded in it."),
        QStringLiteral("CASE"));
    parser.addOption(caseOption);
    parser.addOption(evaluate);
    parser.addOption(thresholdOverride);
    parser.addOption(evaluationOutput);
    parser.addPositionalArgument(QStringLiteral("images"),
        QStringLiteral("Images to open, or folders to scan."), QStringLiteral("[IMAGE|FOLDER…]"));
    parser.process(app);

    forgelens::MainWindow window;
    // Evidence is read, parsed and decoded in sandboxed workers: this executable's hidden mode.
    forgelens::SandboxConfig sandbox;
    sandbox.keptPixelBytes = forgelens::SandboxConfig::kWindowKeptPixelBytes;
    window.workbench().setSandboxConfig(sandbox);
    window.resize(1500, 900);
    window.show();
    window.setThresholdOverrides(parser.values(thresholdOverride));
    window.loadStartupDetectors(parser.values(model));
    window.attachBanksWhenLoaded(parser.values(bank));
    if (parser.isSet(caseOption))
        window.openCase(parser.value(caseOption));
    // Images open in the workspace; a folder asks where its scan report goes, then is scanned.
    QStringList images;
    for (const QString &argument : parser.positionalArguments()) {
        if (QFileInfo(argument).isDir())
            window.chooseReportAndScan(argument);
        else
            images << argument;
    }
    if (!images.isEmpty())
        window.openImages(images);
    if (parser.isSet(evaluate))
        window.evaluateFolder(parser.value(evaluate), parser.value(evaluationOutput));
    return QApplication::exec();
}
