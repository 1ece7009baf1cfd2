#pragma once

#include "forgelens/sandbox/evidence_reading.h"
#include "forgelens/sandbox/sandbox_config.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace forgelens {

// The parent's side of the sandbox: a pool of decoding worker processes (decode_worker.h),
// started on demand, one per thread that reads at a time. read() sends a worker one file and
// waits for its EvidenceReading; the pixels come back through the worker's shared memory. A
// worker that dies, runs past the time limit or is cancelled is killed, reaped and replaced on
// the next read, and the file gets a coded error:
//   decoder-crashed (a signal, or an exit without an answer), decoder-timeout (SIGXCPU or the
//   wall-clock limit), decoder-out-of-memory (it said so), decoder-sandbox-violation (killed
//   by its seccomp filter: SIGSYS), sandbox-unavailable (it could not be started), cancelled.
// Thread-safe. The destructor ends every worker.
class DecoderPool {
public:
    explicit DecoderPool(const SandboxConfig &config, const DecodeLimits &limits = {});
    ~DecoderPool();
    DecoderPool(const DecoderPool &) = delete;
    DecoderPool &operator=(const DecoderPool &) = delete;

    EvidenceReading read(const QString &path, const QByteArray &nativePath,
        const EvidenceReadRequest &request, const std::atomic_bool *cancel = nullptr);

    // Starts `count` workers now (at most maxWorkers), without waiting for them: each loads and
    // warms its decoders while the caller does something else (the window loads its detectors).
    // Each also faults in its SandboxConfig::keptPixelBytes of shared pixel memory then, in its
    // own process, so that the first large image opened does not pay for it (about 0.1 s for a
    // 50-megapixel one): that memory stays resident from the start instead of from that image.
    void prestart(int count);

    const SandboxConfig &config() const { return m_config; }
    qint64 workersStarted() const { return m_started.load(); }

    // What this process's executable is (for SandboxConfig::workerExecutable's default).
    static QString ownExecutable();

private:
    struct Worker;
    Worker *acquire();
    void release(Worker *worker);
    std::optional<Error> start(Worker *worker, qint64 prefaultBytes = 0);

    SandboxConfig m_config;
    qint64 m_pixelCapacity;
    std::mutex m_mutex;
    std::condition_variable m_released;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::atomic<qint64> m_started{ 0 };
};

} // namespace forgelens
