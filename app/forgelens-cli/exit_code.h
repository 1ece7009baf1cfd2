#pragma once

namespace forgelens::cli {

// Exit codes of forgelens-cli's commands (documented in each command's --help and README.md).
enum ExitCode {
    kAllAnalysed = 0, // every image has a verdict (scan: every row is "ok"; merge: merged)
    kSomeFailed = 1, // at least one image could not be analysed; the others were (merge: refused)
    kUsageError = 2, // bad command line or settings; nothing was written
    kModelUnusable = 3, // a model bundle could not be loaded or failed its first run
    kOutputFailed = 4, // the report could not be written or the folder could not be read
    kInterrupted = 130, // stopped by SIGINT/SIGTERM; the scan can be resumed (128 + SIGINT)
};

} // namespace forgelens::cli
