#pragma once

namespace forgelens {

// Sets glibc malloc up so that LibTorch's large, short-lived CPU buffers are reused from the
// heap instead of being mapped, page-faulted and unmapped on every operator (no mmap, a high
// trim threshold, one arena). Call once at the start of main(), before any thread starts.
// FORGELENS_MALLOC_TUNING=0 in the environment leaves glibc's defaults (to measure the effect).
// Returns whether the tuning was applied.
bool tuneAllocatorForInference();

} // namespace forgelens
