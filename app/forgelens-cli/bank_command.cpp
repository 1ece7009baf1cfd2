#include "bank_command.h"

#include "cli_streams.h"
#include "count_option.h"
#include "engine_options.h"
#include "scan_progress_printer.h"
#include "stop_signal.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis.h"
#include "forgelens/exemplars/bank_build.h"
#include "forgelens/exemplars/exemplar_bank.h"
#include "forgelens/exemplars/nearest_exemplars.h"
#include "forgelens/models/default_bundle.h"
#include "forgelens/report/display_text.h"
#include "forgelens/report/json_text.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace forgelens::cli {
namespace {

const char *const kUsage = R"(usage:
  forgelens-cli bank build FOLDER --model BUNDLE -o BANK.sqlite [--labels LABELS.csv] [--resume]
  forgelens-cli bank info BANK.sqlite [--json]
  forgelens-cli bank query IMAGE… --bank BANK.sqlite [--model BUNDLE] [--k 10] [--json]

An exemplar bank holds known real and generated images as one detector sees them (its
embedding of each, a thumbnail, and where each came from), so that an image can be shown beside
the exemplars nearest to it. `forgelens-cli bank COMMAND --help` describes a command.
)";

const char *const kBuildDescription
    = R"(Build an exemplar bank from a folder of labelled images, on the scan pipeline.

Every image is read, hashed and decoded once in the sandbox, the detector's embedding of it and
a thumbnail go into BANK (a SQLite file), and its row into BANK.build.csv (the build's report:
every file and how it went). FOLDER is never written. Labels come from the folder names (a
folder named "real", "synthetic", "fake", "0_real" or "1_fake", the folder above a synthetic
one naming its generator, as in sd14/1_fake/; else the first folder under FOLDER names a
generator, such as "sdxl", and its images are synthetic) or from --labels, a CSV with a header
naming "path" (relative to FOLDER) and "label" ("real", "synthetic" or "fake") and optionally
"generator", "source", "licence" and "attribution". Files without a label are left out.

Ctrl-C stops after the files in flight; run the same command with --resume to continue. The
bank is tied to the bundle's SHA-256: a bank built with another bundle is refused.

Exit codes:
  0  every image is in the bank
  1  some images could not be analysed or had no label (the build's report says which)
  2  usage error, or BANK exists (give --resume to continue it)
  3  the model bundle could not be loaded, or it exports no embedding
  4  the bank or its report could not be written
  130  interrupted: continue with --resume)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

int fail(const char *command, const Error &error, int code)
{
    err() << "forgelens-cli bank " << command << ": [" << error.codeName() << "] "
          << displayText(error.message) << '\n';
    err().flush();
    return code;
}

QString counts(const std::map<QString, qint64> &values, const QString &emptyName)
{
    QStringList parts;
    for (const auto &[name, count] : values)
        parts << QStringLiteral("%1 %2").arg(count).arg(
            name.isEmpty() ? emptyName : displayText(name));
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

QJsonObject countsJson(const std::map<QString, qint64> &values)
{
    QJsonObject object;
    for (const auto &[name, count] : values)
        object.insert(name, double(count));
    return object;
}

QJsonObject infoJson(const QString &path, const BankInfo &info)
{
    return QJsonObject{ { QStringLiteral("path"), path }, { QStringLiteral("format"), info.format },
        { QStringLiteral("bundle_id"), info.identity.bundleId },
        { QStringLiteral("bundle_sha256"), info.identity.bundleSha256 },
        { QStringLiteral("dimension"), info.identity.dimension },
        { QStringLiteral("exemplars"), double(info.count) },
        { QStringLiteral("labels"), countsJson(info.labelCounts) },
        { QStringLiteral("generators"), countsJson(info.generatorCounts) },
        { QStringLiteral("licences"), countsJson(info.licenceCounts) },
        { QStringLiteral("created_utc"), info.createdUtc.toString(Qt::ISODateWithMs) },
        { QStringLiteral("tool"), info.tool } };
}

void printInfo(const QString &path, const BankInfo &info)
{
    out() << "bank        " << displayText(path) << '\n'
          << "bundle      " << displayText(info.identity.bundleId) << ", sha256 "
          << info.identity.bundleSha256 << '\n'
          << "embedding   " << info.identity.dimension << " values\n"
          << "exemplars   " << info.count << " (" << counts(info.labelCounts, QStringLiteral("?"))
          << ")\n"
          << "generators  " << counts(info.generatorCounts, QStringLiteral("not known")) << '\n'
          << "licences    " << counts(info.licenceCounts, QStringLiteral("not stated")) << '\n'
          << "created     " << info.createdUtc.toString(Qt::ISODate) << " by "
          << displayText(info.tool) << '\n';
}

int runBuild(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kBuildDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("bank build"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("folder"), QStringLiteral("The images."), QStringLiteral("FOLDER"));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("The model bundle whose embeddings the bank holds."),
        QStringLiteral("BUNDLE"));
    const QCommandLineOption output({ QStringLiteral("o"), QStringLiteral("output") },
        QStringLiteral("The bank to write (a new file, or one to --resume)."),
        QStringLiteral("BANK"));
    const QCommandLineOption labels(QStringLiteral("labels"),
        QStringLiteral("A CSV of labels instead of the folder names."), QStringLiteral("CSV"));
    const QCommandLineOption resume(
        QStringLiteral("resume"), QStringLiteral("Continue an interrupted build of BANK."));
    const QCommandLineOption source(QStringLiteral("source"),
        QStringLiteral("Where the images came from (a repository@commit, a data set), stored "
                       "with each one the labels do not describe."),
        QStringLiteral("TEXT"));
    const QCommandLineOption licence(QStringLiteral("licence"),
        QStringLiteral("The images' licence (e.g. CC-BY-4.0)."), QStringLiteral("TEXT"));
    const QCommandLineOption attribution(QStringLiteral("attribution"),
        QStringLiteral("Whom the licence asks to credit."), QStringLiteral("TEXT"));
    const QCommandLineOption thumbnail(QStringLiteral("thumbnail-size"),
        QStringLiteral("Longer side of each thumbnail in pixels (default 160, 0 for none)."),
        QStringLiteral("N"), QStringLiteral("160"));
    const QCommandLineOption decodeThreads(QStringLiteral("decode-threads"),
        QStringLiteral("Reading and decoding workers (default 0: one per usable core)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption progress(QStringLiteral("progress"),
        QStringLiteral("auto (a bar on a terminal, else a line every 5 s), bar, lines or none."),
        QStringLiteral("STYLE"), QStringLiteral("auto"));
    const EngineOptions engineOptions;
    parser.addOptions({ model, output, labels, resume, source, licence, attribution, thumbnail,
        decodeThreads, progress });
    engineOptions.addTo(parser);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli bank build: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const auto usage = [](const QString &message) {
        err() << "forgelens-cli bank build: " << message << "\n";
        err().flush();
        return kUsageError;
    };
    const QStringList positional = parser.positionalArguments().mid(1);
    if (positional.size() != 1 || !parser.isSet(model) || !parser.isSet(output))
        return usage(QStringLiteral("give one FOLDER, --model BUNDLE and -o BANK (see --help)"));
    BankBuildSettings settings;
    settings.root = positional.first();
    settings.bankPath = parser.value(output);
    settings.modelPath = parser.value(model);
    settings.labelsCsv = parser.value(labels);
    settings.resume = parser.isSet(resume);
    settings.source = parser.value(source);
    settings.licence = parser.value(licence);
    settings.attribution = parser.value(attribution);
    if (const QString problem = engineOptions.read(parser, settings.engine, settings.limits);
        !problem.isEmpty())
        return usage(problem);
    QStringList pins;
    if (const QString problem = engineOptions.readPins(parser, 1, pins); !problem.isEmpty())
        return usage(problem);
    settings.modelPin = pins.value(0);
    if (!readCount(parser.value(thumbnail), 0, &settings.thumbnailSide))
        return usage(QStringLiteral("--thumbnail-size must be 0 or a positive number"));
    if (!readCount(parser.value(decodeThreads), 0, &settings.decodeThreads))
        return usage(QStringLiteral("--decode-threads must be 0 (automatic) or a positive number"));
    const QString style = parser.value(progress);
    if (!ScanProgressPrinter::isStyle(style))
        return usage(QStringLiteral("--progress must be auto, bar, lines or none"));
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return usage(problem);

    const std::atomic_bool &stop = installStopSignals();
    ScanProgressPrinter printer(ScanProgressPrinter::styleFor(style));
    ScanObserver observer;
    observer.progress = [&printer](const ScanProgress &p) { printer.update(p); };
    Result<BankBuildSummary> summary = buildBank(settings, stop, observer);
    printer.finish();
    if (!summary) {
        const ErrorCode code = summary.error().code;
        const int exit = code == ErrorCode::ModelUnusable || code == ErrorCode::NoEmbedding
            ? kModelUnusable
            : code == ErrorCode::BankWriteFailed || code == ErrorCode::OutputWriteFailed
                || code == ErrorCode::RootUnreadable
            ? kOutputFailed
            : kUsageError;
        return fail("build", summary.error(), exit);
    }
    err() << "forgelens-cli bank build: " << summary->added << " exemplars added, "
          << summary->unlabelled << " files without a label left out, " << summary->failed
          << " files could not be analysed or stored; report " << displayText(summary->scan.csvPath)
          << '\n';
    err().flush();
    if (summary->bank.count > 0)
        printInfo(settings.bankPath, summary->bank);
    out().flush();
    if (summary->scan.interrupted)
        return kInterrupted;
    return summary->failed == 0 && summary->unlabelled == 0 ? kAllAnalysed : kSomeFailed;
}

int runInfo(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Describe an exemplar bank: its bundle, and its exemplars by label, generator and "
        "licence. The bank is checked as any file from elsewhere is (read-only, nothing "
        "written)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("bank info"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("bank"), QStringLiteral("The bank."), QStringLiteral("BANK"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOption(json);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli bank info: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const QStringList positional = parser.positionalArguments().mid(1);
    if (positional.size() != 1) {
        err() << "forgelens-cli bank info: give one BANK\n";
        return kUsageError;
    }
    Result<std::unique_ptr<ExemplarBank>> bank = ExemplarBank::open(positional.first());
    if (!bank)
        return fail("info", bank.error(), kSomeFailed);
    Result<BankInfo> info = (*bank)->info();
    if (!info)
        return fail("info", info.error(), kSomeFailed);
    if (parser.isSet(json))
        out() << terminalSafeJson(QJsonDocument(infoJson(positional.first(), *info)));
    else
        printInfo(positional.first(), *info);
    out().flush();
    return kAllAnalysed;
}

int runQuery(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "List the exemplars of a bank nearest to each IMAGE (cosine similarity of the "
        "detector's embeddings), with their labels, generators, sources and licences. The share "
        "of synthetic exemplars among them describes the image's neighbourhood in the bank; it "
        "is not a probability that the image is synthetic."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("bank query"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("images"), QStringLiteral("Image files."), QStringLiteral("IMAGE…"));
    const QCommandLineOption bankOption(
        QStringLiteral("bank"), QStringLiteral("The bank."), QStringLiteral("BANK"));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("The bundle the bank was built with (default: the default bundle)."),
        QStringLiteral("BUNDLE"));
    const QCommandLineOption kOption(QStringLiteral("k"),
        QStringLiteral("How many exemplars to list (default 10)."), QStringLiteral("K"),
        QStringLiteral("10"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const EngineOptions engineOptions;
    parser.addOptions({ bankOption, model, kOption, json });
    engineOptions.addTo(parser);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli bank query: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const auto usage = [](const QString &message) {
        err() << "forgelens-cli bank query: " << message << "\n";
        err().flush();
        return kUsageError;
    };
    const QStringList images = parser.positionalArguments().mid(1);
    int k = 0;
    if (images.isEmpty() || !parser.isSet(bankOption))
        return usage(QStringLiteral("give at least one IMAGE and --bank BANK (see --help)"));
    if (!readCount(parser.value(kOption), 1, &k) || k > 1000)
        return usage(QStringLiteral("--k must be 1 to 1000"));
    EngineConfig config;
    AnalysisRequest request;
    request.keepEmbeddings = true;
    if (const QString problem = engineOptions.read(parser, config, request.limits);
        !problem.isEmpty())
        return usage(problem);
    QString bundle = parser.value(model);
    if (bundle.isEmpty()) {
        Result<QString> found = findDefaultBundle();
        if (!found)
            return fail("query", found.error(), kModelUnusable);
        bundle = *found;
    }
    QStringList pins;
    if (const QString problem = engineOptions.readPins(parser, 1, pins); !problem.isEmpty())
        return usage(problem);

    const QString bankPath = parser.value(bankOption);
    Result<std::unique_ptr<ExemplarBank>> bank = ExemplarBank::open(bankPath);
    if (!bank)
        return fail("query", bank.error(), kUsageError);
    request.sandbox = std::make_shared<DecoderPool>(SandboxConfig{}, request.limits);
    request.sandbox->prestart(1);
    Result<DetectorSet> detectors = DetectorSet::load({ bundle }, config, 32, pins);
    if (!detectors)
        return fail("query", detectors.error(), kModelUnusable);
    const ModelInfo &info = *detectors->model(0);
    if (!info.manifest.hasEmbedding)
        return fail("query",
            Error{ ErrorCode::NoEmbedding,
                QStringLiteral("%1 exports no embedding").arg(info.manifest.id) },
            kModelUnusable);
    if (std::optional<Error> mismatch
        = (*bank)->checkBundle(info.bundleSha256, (*bank)->identity().dimension))
        return fail("query", *mismatch, kUsageError);
    Result<BankEmbeddings> embeddings = (*bank)->embeddings();
    if (!embeddings)
        return fail("query", embeddings.error(), kUsageError);
    const std::vector<qint64> ids = embeddings->ids;
    const std::vector<bool> synthetic = embeddings->synthetic;
    Result<std::unique_ptr<NearestExemplarSearch>> search = NearestExemplarSearch::build(
        std::move(embeddings->vectors), (*bank)->identity().dimension);
    if (!search)
        return fail("query", search.error(), kOutputFailed);

    const bool asJson = parser.isSet(json);
    if (!asJson)
        out() << "bank " << displayText(bankPath) << ": " << ids.size() << " exemplars of "
              << displayText(info.manifest.id) << " (bundle sha256 " << info.bundleSha256
              << ")\n\n";
    QJsonArray results;
    int failures = 0;
    for (const QString &image : images) {
        const AnalysisRecord record = analyzeFile(image, *detectors, request);
        const std::optional<Error> error = record.firstError();
        const DetectorResult &result = record.detectors.front();
        if (error || !result.prediction
            || int(result.prediction->embedding.size()) != (*bank)->identity().dimension) {
            ++failures;
            const Error shown = error.value_or(Error{ ErrorCode::NoEmbedding,
                QStringLiteral("the detector returned no embedding of the bank's size") });
            err() << "forgelens-cli bank query: " << displayText(image) << ": [" << shown.codeName()
                  << "] " << displayText(shown.message) << '\n';
            if (asJson)
                results.append(QJsonObject{ { QStringLiteral("path"), image },
                    { QStringLiteral("status"), shown.codeName() },
                    { QStringLiteral("error"), shown.message } });
            continue;
        }
        const std::vector<NearestMatch> nearest
            = (*search)->search(result.prediction->embedding.data(), 1, k).front();
        int syntheticCount = 0;
        QJsonArray neighbours;
        if (!asJson)
            out() << displayText(image) << "\n  sha256  " << record.digest.sha256 << "\n  nearest "
                  << nearest.size() << " exemplars (cosine similarity of "
                  << displayText(info.manifest.id) << "'s embeddings):\n";
        for (size_t rank = 0; rank < nearest.size(); ++rank) {
            const size_t row = size_t(nearest[rank].row);
            syntheticCount += synthetic[row] ? 1 : 0;
            Result<Exemplar> exemplar = (*bank)->exemplar(ids[row]);
            if (!exemplar)
                return fail("query", exemplar.error(), kUsageError);
            if (asJson) {
                neighbours.append(QJsonObject{ { QStringLiteral("rank"), int(rank + 1) },
                    { QStringLiteral("id"), double(exemplar->id) },
                    { QStringLiteral("similarity"), double(nearest[rank].similarity) },
                    { QStringLiteral("label"), exemplar->label },
                    { QStringLiteral("generator"), exemplar->generator },
                    { QStringLiteral("path"), exemplar->path },
                    { QStringLiteral("sha256"), exemplar->sha256 },
                    { QStringLiteral("source"), exemplar->source },
                    { QStringLiteral("licence"), exemplar->licence },
                    { QStringLiteral("attribution"), exemplar->attribution } });
                continue;
            }
            out() << "  " << QString::number(rank + 1).rightJustified(3) << "  "
                  << QString::number(double(nearest[rank].similarity), 'f', 4) << "  "
                  << exemplar->label.leftJustified(9) << ' '
                  << (exemplar->generator.isEmpty() ? QStringLiteral("-")
                                                    : displayText(exemplar->generator))
                         .leftJustified(12)
                  << ' ' << displayText(exemplar->path);
            if (!exemplar->source.isEmpty() || !exemplar->licence.isEmpty())
                out() << "  (" << displayText(exemplar->source)
                      << (exemplar->licence.isEmpty()
                                 ? QString()
                                 : QStringLiteral(", ") + displayText(exemplar->licence))
                      << ')';
            out() << '\n';
        }
        const QString share = QStringLiteral(
            "%1 of the %2 nearest exemplars are synthetic: this describes where the image lies "
            "among the bank's exemplars; it is not a probability that it is synthetic")
                                  .arg(syntheticCount)
                                  .arg(nearest.size());
        if (asJson) {
            results.append(QJsonObject{ { QStringLiteral("path"), image },
                { QStringLiteral("status"), QStringLiteral("ok") },
                { QStringLiteral("sha256"), record.digest.sha256 },
                { QStringLiteral("synthetic_neighbours"), syntheticCount },
                { QStringLiteral("neighbours_note"), share },
                { QStringLiteral("neighbours"), neighbours } });
        } else {
            out() << "  " << share << "\n\n";
        }
    }
    if (asJson) {
        Result<BankInfo> bankInfo = (*bank)->info();
        QJsonObject document{ { QStringLiteral("tool"), QStringLiteral("forgelens-cli") },
            { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
            { QStringLiteral("bank"), bankInfo ? infoJson(bankPath, *bankInfo) : QJsonObject{} },
            { QStringLiteral("model"),
                QJsonObject{ { QStringLiteral("id"), info.manifest.id },
                    { QStringLiteral("bundle_sha256"), info.bundleSha256 } } },
            { QStringLiteral("search"),
                (*search)->method() == NearestSearchConfig::Method::Exact
                    ? QStringLiteral("exact")
                    : QStringLiteral("inverted-lists") },
            { QStringLiteral("results"), results } };
        out() << terminalSafeJson(QJsonDocument(document));
    }
    out().flush();
    err().flush();
    return failures == 0 ? kAllAnalysed : kSomeFailed;
}

} // namespace

int runBank(const QStringList &arguments)
{
    // arguments: program, "bank", SUBCOMMAND, …; each subcommand parses from "bank" on.
    const QString command = arguments.value(2);
    QStringList rest = arguments;
    rest.removeAt(2);
    if (command == QLatin1String("build"))
        return runBuild(rest);
    if (command == QLatin1String("info"))
        return runInfo(rest);
    if (command == QLatin1String("query"))
        return runQuery(rest);
    const bool askedForHelp
        = command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h");
    (askedForHelp ? out() : err()) << kUsage;
    if (!askedForHelp)
        err() << "forgelens-cli bank: unknown command \"" << displayText(command) << "\"\n";
    out().flush();
    err().flush();
    return askedForHelp ? kAllAnalysed : kUsageError;
}

} // namespace forgelens::cli
