#include "forgelens/inference/openmp_wait_policy.h"

#include <cstdlib>
#include <unistd.h>

namespace forgelens {

void reexecWithPassiveOpenMpWaits(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY"))
        return; // the user's choice, or this is the second execution
    if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    ::execv("/proc/self/exe", argv);
    // Only reached when exec failed (no /proc): run on with libgomp's default.
}

} // namespace forgelens
