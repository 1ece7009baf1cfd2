#include "stop_signal.h"

#include <csignal>
#include <unistd.h>

namespace forgelens::cli {
namespace {

std::atomic_bool g_stop{ false };

extern "C" void requestStop(int)
{
    g_stop.store(true);
    static const char message[]
        = "\nforgelens-cli: stopping after the files in flight (again to stop at once)\n";
    // write(2) is async-signal-safe; QTextStream is not.
    [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
}

} // namespace

const std::atomic_bool &installStopSignals()
{
    struct sigaction action { };
    action.sa_handler = requestStop;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND; // the second signal takes the default action: stop now
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    return g_stop;
}

} // namespace forgelens::cli
