#pragma once

#include "forgelens/result.h"
#include "forgelens/scan/scan_pipeline.h"

namespace forgelens::cli {

// What `scan` (and the commands that scan: `evaluate`) say on stderr about a scan: the models
// and files before it, the counts and where the report went after it. `command` names the
// command in each line ("scan").
void printScanPlan(const ScanPlan &plan, const char *command);
void printScanSummary(const ScanSummary &summary, const char *command);

// The exit code (exit_code.h) of a scan that could not run.
int scanExitCodeFor(const Error &error);

} // namespace forgelens::cli
