#include "forgelens/inference/allocator_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace forgelens {

bool tuneAllocatorForInference()
{
    const char *setting = std::getenv("FORGELENS_MALLOC_TUNING");
    if (setting && std::strcmp(setting, "0") == 0)
        return false;
    // By default glibc maps every large allocation with mmap (the threshold only grows up to
    // 32 MiB) and unmaps it on free, so a convolution's feature maps of tens of MiB cost an
    // mmap/munmap pair and a page fault per 4 KiB page on every operator call; and a thread
    // other than main (the inference worker) allocates from an arena whose heaps cannot hold
    // more than 64 MiB, so disabling mmap alone does not help it. Measured with
    // tests/bench/allocator_bench.cpp (`make bench`): see README.md, "Allocator".
    //   - no mmap: large blocks come from the heap and are reused;
    //   - a 1 GiB trim threshold: freed memory stays for the next forward pass;
    //   - one arena: the worker thread uses the main heap, which grows without that limit.
    // The cost: freed memory is kept for reuse, so the resident size settles at the largest
    // working set seen instead of shrinking between calls (README.md gives both figures).
    const bool mmapOff = mallopt(M_MMAP_MAX, 0) == 1;
    const bool trimSet = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
    const bool oneArena = mallopt(M_ARENA_MAX, 1) == 1;
    return mmapOff && trimSet && oneArena;
}

} // namespace forgelens
