#pragma once

#include "forgelens/case/case_file.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <memory>

namespace forgelens::cli {

// `forgelens-cli case new|info|verify|add|note|import-marks …`; `arguments` starts with the
// program name followed by "case".
int runCase(const QStringList &arguments);

// The options that name a new case's header (--case-number, --title, --examiner,
// --organisation, --time-zone), shared by `case new` and `report`.
class CaseHeaderOptions {
public:
    CaseHeaderOptions();
    void addTo(QCommandLineParser &parser) const;
    CaseHeader read(const QCommandLineParser &parser) const;

private:
    QCommandLineOption m_number;
    QCommandLineOption m_title;
    QCommandLineOption m_examiner;
    QCommandLineOption m_organisation;
    QCommandLineOption m_timeZone;
};

// --case CASE: the case a command adds its run to (it must exist and its log must verify).
QCommandLineOption caseRunOption();

// Opens the case given with --case for a command that adds its run to it, printing why not.
std::unique_ptr<CaseFile> openCaseForRun(const QString &command, const QString &path);

// Adds `run` to the case and says so (or why not) on the terminal. Returns false when it failed.
bool addRunToCase(const QString &command, CaseFile &caseFile, const CaseRun &run);

} // namespace forgelens::cli
