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
    // glibc maps every allocation above 128 KiB (its default mmap threshold, which only
    // grows dynamically) and gives freed top-of-heap memory above 128 KiB back to the kernel:
    // for activations of megabytes, allocated and freed per operator, that is an mmap/munmap
    // pair and a page fault per 4 KiB page on every call. 32 MiB is the largest mmap threshold
    // glibc accepts on 64-bit (half its heap size); the trim threshold keeps freed memory for
    // the next forward pass. Memory stays bounded by the working set of one forward pass.
    constexpr int kMmapThreshold = 32 << 20;
    constexpr int kTrimThreshold = 1 << 30;
    const bool mmapSet = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1;
    const bool trimSet = mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
    return mmapSet && trimSet;
}

} // namespace forgelens
