#include "case_command.h"

#include "cli_streams.h"
#include "exit_code.h"

#include "forgelens/report/display_text.h"

#include <QFileInfo>

namespace forgelens::cli {
namespace {

const char *const kDescription = R"(Cases: the evidence, runs, marks and notes of one matter, with a
hash-chained log of everything done to it.

  case new CASE --case-number N [--title T] [--examiner E] [--organisation O] [--time-zone Z]
  case info CASE            the header, the evidence with its state now, the runs, the log
  case verify CASE          checks the log's chain and every evidence file against its hashes
  case add CASE IMAGE…      takes files into the case (SHA-256, SHA-1, MD5, time of intake)
  case note CASE TEXT [--item SHA256]   adds a note, to the case or to one evidence item
  case import-marks CASE REPORT.csv     the marks of a scan's triage file, into the case

A case is one SQLite file, changed only through transactions that append to its log. A case
whose log does not verify is reported and never written to. Times are in UTC; the case's time
zone is shown beside them.

Exit codes:
  0  done (verify: the log is intact and every evidence file matches)
  1  verify: the log is broken, or an evidence file is missing or changed
  2  usage error
  4  the case cannot be opened or written)";

QTextStream &out()
{
    return standardOutput();
}

QTextStream &err()
{
    return standardError();
}

int failed(const Error &error)
{
    err() << "forgelens-cli case: [" << error.codeName() << "] " << displayText(error.message)
          << '\n';
    err().flush();
    return error.code == ErrorCode::BadSettings || error.code == ErrorCode::OutputExists
        ? kUsageError
        : kOutputFailed;
}

void printInfo(const CaseFile &caseFile, bool check, int &problems)
{
    const CaseHeader header = caseFile.header();
    out() << "case " << displayText(header.number) << ": " << displayText(header.title) << '\n'
          << "  examiner      " << displayText(header.examiner) << ", "
          << displayText(header.organisation) << '\n'
          << "  time zone     " << displayText(header.timeZone) << '\n'
          << "  id            " << caseFile.uid() << '\n'
          << "  file          " << displayText(caseFile.path()) << '\n';
    const CaseChainStatus chain = caseFile.chainStatus();
    out() << "  log           " << displayText(chain.summary()) << '\n';
    for (const QString &problem : chain.problems)
        out() << "    " << displayText(problem) << '\n';
    if (!chain.intact)
        ++problems;
    for (const CaseEvidence &item : caseFile.evidence()) {
        out() << "evidence " << item.id << ": " << displayText(item.intake.path) << '\n'
              << "  size " << item.intake.size << ", taken in "
              << item.intake.intakeUtc.toString(Qt::ISODate) << '\n'
              << "  sha256 " << item.intake.sha256 << "\n  sha1   " << item.intake.sha1
              << "\n  md5    " << item.intake.md5 << '\n';
        if (check) {
            const EvidenceCheck state = checkEvidence(item.intake);
            out() << "  now    " << evidenceStateName(state.state) << '\n';
            if (state.state != EvidenceState::Unchanged) {
                out() << "  " << displayText(state.message) << '\n';
                ++problems;
            }
        }
    }
    for (const CaseRun &run : caseFile.runs())
        out() << "run " << run.id << ": " << displayText(run.kind) << ", "
              << run.startedUtc.toString(Qt::ISODate) << '\n';
    out() << "marks " << caseFile.marks().size() << ", notes " << caseFile.notes().size()
          << ", log entries " << chain.entries << '\n';
}

} // namespace

CaseHeaderOptions::CaseHeaderOptions()
    : m_number(QStringLiteral("case-number"),
        QStringLiteral("A new case's number (the organisation's reference)."), QStringLiteral("N")),
      m_title(QStringLiteral("title"), QStringLiteral("A new case's title."), QStringLiteral("T")),
      m_examiner(QStringLiteral("examiner"), QStringLiteral("The examiner's name."),
          QStringLiteral("NAME")),
      m_organisation(QStringLiteral("organisation"), QStringLiteral("The examiner's organisation."),
          QStringLiteral("NAME")),
      m_timeZone(QStringLiteral("time-zone"),
          QStringLiteral("The case's time zone, an IANA name (default UTC); times are kept in UTC "
                         "and shown in it as well."),
          QStringLiteral("ZONE"), QStringLiteral("UTC"))
{
}

void CaseHeaderOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({ m_number, m_title, m_examiner, m_organisation, m_timeZone });
}

CaseHeader CaseHeaderOptions::read(const QCommandLineParser &parser) const
{
    CaseHeader header;
    header.number = parser.value(m_number);
    header.title = parser.value(m_title);
    header.examiner = parser.value(m_examiner);
    header.organisation = parser.value(m_organisation);
    header.timeZone = parser.value(m_timeZone);
    return header;
}

QCommandLineOption caseRunOption()
{
    return QCommandLineOption(QStringLiteral("case"),
        QStringLiteral("Add this run (its settings, detectors and results) to a case made with "
                       "forgelens-cli case new."),
        QStringLiteral("CASE"));
}

bool addRunToCase(const QString &command, CaseFile &caseFile, const CaseRun &run)
{
    Result<qint64> added = caseFile.addRun(run);
    if (!added) {
        err() << "forgelens-cli " << command << ": --case: [" << added.error().codeName() << "] "
              << displayText(added.error().message) << '\n';
        err().flush();
        return false;
    }
    err() << "forgelens-cli " << command << ": recorded as run " << *added << " of case "
          << displayText(caseFile.header().number) << " (" << displayText(caseFile.path()) << ")\n";
    err().flush();
    return true;
}

std::unique_ptr<CaseFile> openCaseForRun(const QString &command, const QString &path)
{
    Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
    if (!opened) {
        err() << "forgelens-cli " << command << ": --case: [" << opened.error().codeName() << "] "
              << displayText(opened.error().message)
              << (opened.error().code == ErrorCode::NotFound
                         ? QStringLiteral(" (make it with forgelens-cli case new)")
                         : QString())
              << '\n';
        err().flush();
        return nullptr;
    }
    if (!(*opened)->chainStatus().intact) {
        err() << "forgelens-cli " << command << ": --case: the log of " << displayText(path)
              << " does not verify (" << displayText((*opened)->chainStatus().summary())
              << "); nothing is added to it\n";
        err().flush();
        return nullptr;
    }
    return std::move(opened).value();
}

int runCase(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("case"), QStringLiteral("The command."));
    parser.addPositionalArgument(
        QStringLiteral("action"), QStringLiteral("new, info, verify, add, note or import-marks."));
    parser.addPositionalArgument(
        QStringLiteral("file"), QStringLiteral("The case file."), QStringLiteral("CASE"));
    const CaseHeaderOptions headerOptions;
    headerOptions.addTo(parser);
    const QCommandLineOption item(QStringLiteral("item"),
        QStringLiteral("note: the evidence item (its SHA-256) the note is about."),
        QStringLiteral("SHA256"));
    parser.addOption(item);
    if (!parser.parse(arguments)) {
        err() << "forgelens-cli case: " << parser.errorText() << "\n";
        return kUsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kAllAnalysed;
    }
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(1);
    const QString path = positional.value(2);
    const auto usage = [](const QString &message) {
        err() << "forgelens-cli case: " << message << " (see --help)\n";
        err().flush();
        return kUsageError;
    };
    if (path.isEmpty())
        return usage(QStringLiteral("give an action and a CASE file"));
    if (action == QLatin1String("new")) {
        Result<std::unique_ptr<CaseFile>> made = CaseFile::create(path, headerOptions.read(parser));
        if (!made)
            return failed(made.error());
        out() << "case " << displayText((*made)->header().number)
              << " made: " << displayText((*made)->path()) << "\n  log head "
              << (*made)->chainStatus().head << '\n';
        out().flush();
        return kAllAnalysed;
    }
    if (action == QLatin1String("info") || action == QLatin1String("verify")) {
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
        if (!opened)
            return failed(opened.error());
        int problems = 0;
        printInfo(**opened, action == QLatin1String("verify"), problems);
        out().flush();
        return action == QLatin1String("verify") && problems > 0 ? kSomeFailed : kAllAnalysed;
    }
    std::unique_ptr<CaseFile> caseFile = openCaseForRun(QStringLiteral("case"), path);
    if (!caseFile)
        return kOutputFailed;
    if (action == QLatin1String("add")) {
        const QStringList files = positional.mid(3);
        if (files.isEmpty())
            return usage(QStringLiteral("give the IMAGE files to take in"));
        int failures = 0;
        for (const QString &file : files) {
            Result<CaseEvidence> added = caseFile->addEvidence(file);
            if (!added) {
                ++failures;
                err() << "forgelens-cli case: " << displayText(file) << ": ["
                      << added.error().codeName() << "] " << displayText(added.error().message)
                      << '\n';
                continue;
            }
            out() << "evidence " << added->id << ": " << displayText(added->intake.path)
                  << "\n  sha256 " << added->intake.sha256 << '\n';
        }
        out().flush();
        err().flush();
        return failures == 0 ? kAllAnalysed : kSomeFailed;
    }
    if (action == QLatin1String("note")) {
        const QString text = positional.mid(3).join(QLatin1Char(' '));
        Result<qint64> note = caseFile->addNote(text, parser.value(item));
        if (!note)
            return failed(note.error());
        out() << "note " << *note << " added\n";
        return kAllAnalysed;
    }
    if (action == QLatin1String("import-marks")) {
        const QString report = positional.value(3);
        if (report.isEmpty())
            return usage(QStringLiteral("give the scan REPORT.csv whose marks to import"));
        Result<int> taken = caseFile->importTriage(report);
        if (!taken)
            return failed(taken.error());
        out() << *taken << " marks imported from " << displayText(report) << '\n';
        return kAllAnalysed;
    }
    return usage(QStringLiteral("unknown action %1").arg(displayText(action)));
}

} // namespace forgelens::cli
