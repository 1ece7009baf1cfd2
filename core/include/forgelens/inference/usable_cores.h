#pragma once

namespace forgelens {

// Cores this process may run on (its CPU affinity mask, which a container or a Slurm job
// narrows), at least 1.
int usableCoreCount();

} // namespace forgelens
