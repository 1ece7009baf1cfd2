#include "forgelens/eval/evaluation_run.h"

#include "forgelens/scan/csv_record.h"
#include "forgelens/scan/output_location.h"
#include "forgelens/scan/scan_file_list.h"
#include "forgelens/scan/scan_report.h"
#include "forgelens/scan/scan_sidecar.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cmath>

namespace forgelens {
namespace {

constexpr qint64 kMaxHashListBytes = qint64(64) << 20;

std::optional<Error> writeScores(const QString &path, const Evaluation &evaluation)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{ ErrorCode::OutputWriteFailed,
            QStringLiteral("cannot create %1: %2").arg(path, file.errorString()) };
    file.write(csvRecord(evaluationScoresHeader(evaluation)));
    for (const EvaluatedFile &row : evaluation.files)
        file.write(csvRecord(evaluationScoresFields(evaluation, row)));
    if (!file.commit())
        return Error{ ErrorCode::OutputWriteFailed,
            QStringLiteral("cannot write %1: %2").arg(path, file.errorString()) };
    return std::nullopt;
}

} // namespace

QString EvaluationSettings::validate() const
{
    if (outputDir.isEmpty())
        return QStringLiteral("an evaluation needs an output folder (-o FOLDER)");
    if (const QString problem = options.validate(); !problem.isEmpty())
        return problem;
    if (existingReport.isEmpty()) {
        if (scan.root.isEmpty())
            return QStringLiteral("an evaluation needs a folder of labelled images, or a scan "
                                  "report (--report)");
        if (scan.modelPaths.isEmpty())
            return QStringLiteral("an evaluation needs at least one detector (--model)");
        if (liesInsideFolder(outputDir, scan.root))
            return QStringLiteral("the output folder must lie outside the folder of images, "
                                  "which is never written");
    } else if (!scan.root.isEmpty() && liesInsideFolder(outputDir, scan.root)) {
        return QStringLiteral("the output folder must lie outside the folder of images, which "
                              "is never written");
    }
    return {};
}

QString EvaluationSettings::scanReportPath() const
{
    return QDir(outputDir).filePath(QStringLiteral("scan.csv"));
}

QString EvaluationSettings::jsonPath() const
{
    return QDir(outputDir).filePath(QStringLiteral("evaluation.json"));
}

QString EvaluationSettings::scoresPath() const
{
    return QDir(outputDir).filePath(QStringLiteral("scores.csv"));
}

Result<QSet<QString>> readHashList(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return Error{ ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(path) };
    if (!file.open(QIODevice::ReadOnly))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("cannot read %1: %2").arg(path, file.errorString()) };
    if (file.size() > kMaxHashListBytes)
        return Error{ ErrorCode::BadCsv,
            QStringLiteral("%1 is larger than a hash list can be (64 MiB)").arg(path) };
    QSet<QString> hashes;
    const QList<QByteArray> lines = file.read(kMaxHashListBytes + 1).split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (const qsizetype hash = line.indexOf('#'); hash >= 0)
            line.truncate(hash);
        line = line.trimmed().toLower();
        if (line.isEmpty())
            continue;
        const bool hex = line.size() == 64 && std::all_of(line.begin(), line.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        });
        if (!hex)
            return Error{ ErrorCode::BadCsv,
                QStringLiteral("%1, line %2: not a SHA-256 in hex").arg(path).arg(i + 1) };
        hashes.insert(QString::fromLatin1(line));
    }
    return hashes;
}

QStringList evaluationScoresHeader(const Evaluation &evaluation)
{
    QStringList header{ QStringLiteral("path"), QStringLiteral("sha256"), QStringLiteral("label"),
        QStringLiteral("generator"), QStringLiteral("group"), QStringLiteral("status") };
    for (const QString &id : evaluation.detectorIds)
        header << id + QStringLiteral(".p_synthetic") << id + QStringLiteral(".call");
    return header;
}

QStringList evaluationScoresFields(const Evaluation &evaluation, const EvaluatedFile &file)
{
    QStringList fields{ file.label.path, file.sha256,
        file.label.synthetic ? QStringLiteral("synthetic") : QStringLiteral("real"),
        file.label.generator, file.label.group, file.status };
    for (int d = 0; d < evaluation.detectorIds.size(); ++d) {
        const ScanRowScore &score = file.scores[size_t(d)];
        if (!std::isfinite(score.pSynthetic)) {
            fields << QString() << QString();
            continue;
        }
        fields << QString::number(score.pSynthetic, 'f', 6)
               << (score.pSynthetic >= score.threshold ? QStringLiteral("synthetic")
                                                       : QStringLiteral("real"));
    }
    return fields;
}

Result<EvaluationRun> runEvaluation(const EvaluationSettings &settings,
    const std::atomic_bool &cancel, const ScanObserver &observer, const PreloadedScan &preloaded)
{
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };

    QSet<QString> excluded;
    for (const QString &list : settings.excludeLists) {
        Result<QSet<QString>> hashes = readHashList(list);
        if (!hashes)
            return hashes.error();
        excluded.unite(*hashes);
    }
    Result<ClassFolderMap> folders = ClassFolderMap::withOverrides(settings.classFolders);
    if (!folders)
        return folders.error();
    std::optional<LabelledSet> labels;
    if (!settings.labelsCsv.isEmpty()) {
        Result<LabelledSet> read = readLabelsCsv(settings.labelsCsv);
        if (!read)
            return read.error();
        labels = std::move(read).value();
    }

    EvaluationRun run;
    const auto makeOutputDir = [&settings]() -> std::optional<Error> {
        if (QDir().mkpath(settings.outputDir))
            return std::nullopt;
        return Error{ ErrorCode::OutputWriteFailed,
            QStringLiteral("cannot create the folder %1").arg(settings.outputDir) };
    };

    std::optional<ScanReport> report;
    if (settings.existingReport.isEmpty()) {
        if (!labels) {
            Result<ScanFileList> list = listScanFiles(settings.scan.root, settings.scan.walk);
            if (!list)
                return list.error();
            QStringList paths;
            for (const ScanFile &file : list->files)
                paths << file.relativePath;
            labels = labelsFromFolders(paths, *folders);
        }
        if (labels->files.empty())
            return Error{ ErrorCode::BadSettings,
                QStringLiteral("no file of %1 has a label: put images in real/ and synthetic/ "
                               "(or generator-named) folders, or give a labels CSV")
                    .arg(settings.scan.root) };
        ScanSettings scan = settings.scan;
        scan.outputCsv = settings.scanReportPath();
        const QStringList paths = labels->paths();
        scan.onlyPaths = QSet<QString>(paths.begin(), paths.end());
        if (std::optional<Error> error = makeOutputDir())
            return *error;
        Result<ScanSummary> summary = runScan(scan, preloaded, cancel, observer);
        if (!summary)
            return summary.error();
        run.interrupted = summary->interrupted;
        run.scan = std::move(summary).value();
        if (run.interrupted) {
            // An earlier run's figures would now sit beside a scan they do not describe.
            QFile::remove(settings.jsonPath());
            QFile::remove(settings.scoresPath());
            return run;
        }
        run.reportPath = scan.outputCsv;
    } else {
        run.reportPath = settings.existingReport;
    }

    Result<ScanReport> read = readScanReport(run.reportPath);
    if (!read)
        return read.error();
    if (!read->complete)
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("%1 is an incomplete report (an interrupted scan, or a merge that "
                           "left shards out): finish it before evaluating")
                .arg(run.reportPath) };
    report = std::move(read).value();
    run.reportSidecar = report->sidecar;
    // An existing report names its folder: the evaluation's files stay out of it as well.
    if (!report->root.isEmpty() && liesInsideFolder(settings.outputDir, report->root))
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("the output folder must lie outside %1, the folder the report "
                           "scanned, which is never written")
                .arg(report->root) };
    if (std::optional<Error> error = makeOutputDir())
        return *error;
    if (!labels) {
        QStringList paths;
        for (const ScanResultRow &row : report->rows)
            paths << row.path;
        labels = labelsFromFolders(paths, *folders);
    }

    Result<Evaluation> evaluation
        = evaluateScanReport(*report, *labels, settings.options, excluded);
    if (!evaluation)
        return evaluation.error();
    run.evaluation = std::move(evaluation).value();

    EvaluationProvenance provenance;
    provenance.labelsOrigin = labels->origin == LabelledSet::Origin::LabelsCsv
        ? QStringLiteral("labels-csv")
        : QStringLiteral("folders");
    provenance.labelsPath = settings.labelsCsv;
    provenance.classFolders = settings.classFolders;
    provenance.reportPath = run.reportPath;
    provenance.reportSidecar = report->sidecar;
    provenance.excludedLists = settings.excludeLists;
    provenance.createdUtc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    run.document = evaluationToJson(run.evaluation, settings.options, provenance);
    if (std::optional<Error> error = writeScores(settings.scoresPath(), run.evaluation))
        return *error;
    if (std::optional<Error> error = writeJsonAtomically(settings.jsonPath(), run.document))
        return *error;
    return run;
}

} // namespace forgelens
