#pragma once

#include <atomic>

namespace forgelens::cli {

// Ctrl-C (SIGINT) and SIGTERM ask a long command (scan, bank build) to stop after the files in
// flight: the returned flag is set, and a line on stderr says so. The handlers reset
// themselves, so a second signal stops the process at once. Install once, before the work.
const std::atomic_bool &installStopSignals();

} // namespace forgelens::cli
