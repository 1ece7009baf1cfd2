#pragma once

#include <QString>

namespace forgelens {

// How evidence is read: in worker processes (DESIGN.md, "Trust boundaries"), each with a seccomp
// filter that kills it for writing a file, starting a program or opening a socket, no core
// dumps, a memory limit and a per-file CPU-time limit. README states the defaults.
struct SandboxConfig {
    bool enabled = true; // false: read in this process (tests of other units, --no-sandbox)
    // The executable that runs the worker (its hidden mode, decode_worker.h); empty = this
    // process's own executable, which every ForgeLens front end is.
    QString workerExecutable;
    int maxWorkers = 16; // started on demand, one per thread that reads at a time
    // Memory a worker may allocate (RLIMIT_DATA, above what it uses at start): the largest image
    // within the pixel limit (210 MP: 630 MB of pixels) decodes with room to spare.
    qint64 memoryBytes = qint64(3) << 30;
    int cpuSecondsPerFile = 30; // RLIMIT_CPU, set afresh for each file
    int wallSecondsPerFile = 60; // the parent kills a worker that answers no sooner (blocked I/O)
    // Shared pixel memory each worker keeps between files; pages past it are handed back after
    // each larger image. Faulting them in afresh costs a large image about 0.1 s, so the window,
    // which shows one image at a time from one or two workers, keeps kWindowKeptPixelBytes
    // (an 85-megapixel image); a scan's many workers keep 64 MiB (a 20-megapixel one).
    qint64 keptPixelBytes = qint64(64) << 20;
    static constexpr qint64 kWindowKeptPixelBytes = qint64(256) << 20;

    QString validate() const; // empty when usable
};

} // namespace forgelens
