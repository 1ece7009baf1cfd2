#include "forgelens/case/case_report.h"

#include "forgelens/report/report_limitations.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>

#include <map>
#include <set>

namespace forgelens {
namespace {

QString utcText(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

// The commands that reproduce an analysis run: the verdicts, the maps and the metadata of each
// file, with every bundle pinned to the SHA-256 it had.
QStringList analysisCommands(const CaseRun &run, const QStringList &paths)
{
    QString models;
    QString bankOptions;
    const QJsonArray detectors = run.environment.value(QStringLiteral("detectors")).toArray();
    for (const QJsonValue &detector : detectors) {
        const QJsonObject model = detector.toObject();
        models += QStringLiteral(" --model %1 --model-sha256 %2")
                      .arg(shellQuoted(model.value(QStringLiteral("bundle")).toString()),
                          model.value(QStringLiteral("bundle_sha256")).toString());
        const QJsonObject override = model.value(QStringLiteral("threshold_override")).toObject();
        if (!override.isEmpty())
            models += QStringLiteral(" --threshold-override %1 --threshold-override-sha256 %2")
                          .arg(shellQuoted(override.value(QStringLiteral("path")).toString()),
                              override.value(QStringLiteral("sha256")).toString());
    }
    for (const QJsonValue &bank : run.environment.value(QStringLiteral("banks")).toArray())
        bankOptions += QStringLiteral(" --bank %1").arg(shellQuoted(bank.toString()));
    QString files;
    for (const QString &path : paths)
        files += QLatin1Char(' ') + shellQuoted(path);
    return { QStringLiteral("sha256sum%1").arg(files),
        QStringLiteral("forgelens-cli analyze%1%2 --json").arg(files, models),
        QStringLiteral("forgelens-cli metadata%1 --json").arg(files),
        QStringLiteral("forgelens-cli explain%1%2%3 -o maps").arg(files, models, bankOptions) };
}

QJsonObject evaluationSummary(const CaseRun &run)
{
    const QJsonObject &document = run.results;
    QJsonArray detectors;
    for (const QJsonValue &value : document.value(QStringLiteral("detectors")).toArray()) {
        const QJsonObject detector = value.toObject();
        detectors.append(QJsonObject{
            { QStringLiteral("id"), detector.value(QStringLiteral("id")) },
            { QStringLiteral("name"), detector.value(QStringLiteral("name")) },
            { QStringLiteral("bundle_sha256"), detector.value(QStringLiteral("bundle_sha256")) },
            { QStringLiteral("caveat"), detector.value(QStringLiteral("caveat")) },
            { QStringLiteral("overall"), detector.value(QStringLiteral("overall")) } });
    }
    return QJsonObject{ { QStringLiteral("run"), run.id },
        { QStringLiteral("started_utc"), utcText(run.startedUtc) },
        { QStringLiteral("dataset"), document.value(QStringLiteral("dataset")) },
        { QStringLiteral("options"), document.value(QStringLiteral("options")) },
        { QStringLiteral("caveat"), document.value(QStringLiteral("caveat")) },
        { QStringLiteral("detectors"), detectors } };
}

QString modelOptions(const QJsonObject &environment)
{
    QString models;
    for (const QJsonValue &detector : environment.value(QStringLiteral("detectors")).toArray()) {
        const QJsonObject model = detector.toObject();
        models += QStringLiteral(" --model %1 --model-sha256 %2")
                      .arg(shellQuoted(model.value(QStringLiteral("bundle")).toString()),
                          model.value(QStringLiteral("bundle_sha256")).toString());
    }
    return models;
}

} // namespace

QString shellQuoted(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QJsonObject buildCaseReport(
    const CaseFile &caseFile, const CaseReportOptions &options, const std::atomic_bool *cancel)
{
    const CaseHeader header = caseFile.header();
    const CaseChainStatus chain = caseFile.chainStatus();
    const std::vector<CaseRun> runs = caseFile.runs();
    const std::vector<CaseNote> notes = caseFile.notes();
    const std::vector<CaseMark> marks = caseFile.marks();

    // The latest analysis item of each SHA-256, with its run.
    std::map<QString, std::pair<const CaseRun *, QJsonObject>> latest;
    for (const CaseRun &run : runs) {
        if (run.kind != QLatin1String("analysis"))
            continue;
        for (const QJsonValue &value : run.results.value(QStringLiteral("items")).toArray()) {
            const QJsonObject item = value.toObject();
            const QString sha256 = item.value(QStringLiteral("record"))
                                       .toObject()
                                       .value(QStringLiteral("sha256"))
                                       .toString();
            if (!sha256.isEmpty())
                latest[sha256] = { &run, item };
        }
    }

    const std::set<qint64> wanted(options.evidenceIds.begin(), options.evidenceIds.end());
    QJsonArray evidence;
    QStringList commands;
    std::map<const CaseRun *, QStringList> pathsByRun;
    for (const CaseEvidence &item : caseFile.evidence()) {
        if (!wanted.empty() && !wanted.contains(item.id))
            continue;
        const EvidenceIntake &intake = item.intake;
        QJsonObject entry{ { QStringLiteral("id"), item.id },
            { QStringLiteral("path"), intake.path }, { QStringLiteral("size"), intake.size },
            { QStringLiteral("sha256"), intake.sha256 }, { QStringLiteral("sha1"), intake.sha1 },
            { QStringLiteral("md5"), intake.md5 },
            { QStringLiteral("intake_utc"), utcText(intake.intakeUtc) },
            { QStringLiteral("write_protected"), intake.writeProtected },
            { QStringLiteral("stable_during_intake"), intake.stableDuringIntake } };
        if (options.checkEvidence) {
            const EvidenceCheck check = checkEvidence(intake, cancel);
            entry.insert(QStringLiteral("check"),
                QJsonObject{ { QStringLiteral("state"), evidenceStateName(check.state) },
                    { QStringLiteral("current_sha256"), check.currentSha256 },
                    { QStringLiteral("checked_utc"), utcText(check.checkedUtc) },
                    { QStringLiteral("message"), check.message } });
        }
        const auto found = latest.find(intake.sha256);
        if (found != latest.end()) {
            entry.insert(QStringLiteral("analysis"),
                QJsonObject{ { QStringLiteral("run"), found->second.first->id },
                    { QStringLiteral("started_utc"), utcText(found->second.first->startedUtc) },
                    { QStringLiteral("item"), found->second.second } });
            pathsByRun[found->second.first] << intake.path;
        } else {
            entry.insert(QStringLiteral("analysis"), QJsonValue::Null);
        }
        for (const CaseMark &mark : marks) {
            if (mark.sha256 == intake.sha256 || mark.path == intake.path)
                entry.insert(QStringLiteral("mark"),
                    QJsonObject{ { QStringLiteral("mark"), triageMarkName(mark.mark) },
                        { QStringLiteral("note"), mark.note },
                        { QStringLiteral("changed_utc"), utcText(mark.changedUtc) } });
        }
        QJsonArray itemNotes;
        for (const CaseNote &note : notes) {
            if (note.evidenceSha256 == intake.sha256)
                itemNotes.append(QJsonObject{ { QStringLiteral("text"), note.text },
                    { QStringLiteral("author"), note.author },
                    { QStringLiteral("created_utc"), utcText(note.createdUtc) } });
        }
        entry.insert(QStringLiteral("notes"), itemNotes);
        evidence.append(entry);
    }
    for (const auto &[run, paths] : pathsByRun)
        commands << analysisCommands(*run, paths);

    QJsonArray scans;
    QJsonArray evaluations;
    QJsonArray runList;
    for (const CaseRun &run : runs) {
        runList.append(
            QJsonObject{ { QStringLiteral("id"), run.id }, { QStringLiteral("kind"), run.kind },
                { QStringLiteral("started_utc"), utcText(run.startedUtc) },
                { QStringLiteral("finished_utc"), utcText(run.finishedUtc) },
                { QStringLiteral("environment"), run.environment } });
        if (run.kind == QLatin1String("scan")) {
            scans.append(QJsonObject{ { QStringLiteral("run"), run.id },
                { QStringLiteral("started_utc"), utcText(run.startedUtc) },
                { QStringLiteral("summary"), run.results } });
            const QJsonObject csv = run.results.value(QStringLiteral("csv")).toObject();
            commands << QStringLiteral("forgelens-cli scan %1%2 -o %3")
                            .arg(shellQuoted(run.results.value(QStringLiteral("root")).toString()),
                                modelOptions(run.environment),
                                shellQuoted(csv.value(QStringLiteral("path")).toString()));
        } else if (run.kind == QLatin1String("evaluation")) {
            evaluations.append(evaluationSummary(run));
            const QJsonObject dataset = run.results.value(QStringLiteral("dataset")).toObject();
            const QJsonObject evalOptions = run.results.value(QStringLiteral("options")).toObject();
            QString labels;
            if (!dataset.value(QStringLiteral("labels_csv")).toString().isEmpty())
                labels
                    = QStringLiteral(" --labels %1")
                          .arg(shellQuoted(dataset.value(QStringLiteral("labels_csv")).toString()));
            commands << QStringLiteral(
                "forgelens-cli evaluate %1%2%3 -o evaluation --fpr %4 --bootstrap %5 --seed %6")
                            .arg(shellQuoted(dataset.value(QStringLiteral("root")).toString()),
                                labels, modelOptions(run.environment))
                            .arg(evalOptions.value(QStringLiteral("target_fpr")).toDouble())
                            .arg(evalOptions.value(QStringLiteral("bootstrap_rounds")).toInt())
                            .arg(evalOptions.value(QStringLiteral("bootstrap_seed")).toString());
        }
    }
    commands << QStringLiteral("forgelens-cli case verify %1").arg(shellQuoted(caseFile.path()));

    QJsonArray caseNotes;
    for (const CaseNote &note : notes) {
        if (note.evidenceSha256.isEmpty())
            caseNotes.append(QJsonObject{ { QStringLiteral("text"), note.text },
                { QStringLiteral("author"), note.author },
                { QStringLiteral("created_utc"), utcText(note.createdUtc) } });
    }
    QJsonArray log;
    for (const CaseLogEntry &entry : caseFile.log())
        log.append(QJsonObject{ { QStringLiteral("seq"), entry.seq },
            { QStringLiteral("utc"), utcText(entry.utc) }, { QStringLiteral("actor"), entry.actor },
            { QStringLiteral("action"), entry.action }, { QStringLiteral("detail"), entry.detail },
            { QStringLiteral("hash"), entry.hash } });

    return QJsonObject{ { QStringLiteral("format"), QStringLiteral("forgelens-report") },
        { QStringLiteral("version"), 1 },
        { QStringLiteral("generated_utc"), utcText(QDateTime::currentDateTimeUtc()) },
        { QStringLiteral("time_zone"), header.timeZone },
        { QStringLiteral("page_size"), options.pageSize },
        { QStringLiteral("tool"),
            QJsonObject{ { QStringLiteral("name"), QStringLiteral("ForgeLens") },
                { QStringLiteral("version"), QStringLiteral(FORGELENS_VERSION) },
                { QStringLiteral("os"), QSysInfo::prettyProductName() } } },
        { QStringLiteral("case"),
            QJsonObject{ { QStringLiteral("number"), header.number },
                { QStringLiteral("title"), header.title },
                { QStringLiteral("examiner"), header.examiner },
                { QStringLiteral("organisation"), header.organisation },
                { QStringLiteral("time_zone"), header.timeZone },
                { QStringLiteral("uid"), caseFile.uid() },
                { QStringLiteral("created_utc"), utcText(caseFile.createdUtc()) },
                { QStringLiteral("path"), caseFile.path() } } },
        { QStringLiteral("chain"),
            QJsonObject{ { QStringLiteral("intact"), chain.intact },
                { QStringLiteral("entries"), chain.entries },
                { QStringLiteral("head"), chain.head },
                { QStringLiteral("problems"), QJsonArray::fromStringList(chain.problems) } } },
        { QStringLiteral("limitations"), QJsonArray::fromStringList(reportLimitations()) },
        { QStringLiteral("evidence"), evidence }, { QStringLiteral("scans"), scans },
        { QStringLiteral("evaluations"), evaluations }, { QStringLiteral("runs"), runList },
        { QStringLiteral("notes"), caseNotes }, { QStringLiteral("log"), log },
        { QStringLiteral("commands"), QJsonArray::fromStringList(commands) },
        { QStringLiteral("pdfa"), pdfaStatement() } };
}

} // namespace forgelens
