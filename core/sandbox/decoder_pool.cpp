#include "forgelens/sandbox/decoder_pool.h"

#include "forgelens/sandbox/decode_worker.h"
#include "forgelens/sandbox/evidence_reading_codec.h"
#include "forgelens/sandbox/sandbox_protocol.h"

#include <QDataStream>
#include <QFile>
#include <QIODevice>

#include <algorithm>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace forgelens {

struct DecoderPool::Worker {
    pid_t pid = -1;
    qint64 capacity = 0; // of `pixels` (0: it could not be sized; pixels come by the socket)
    int socket = -1;
    int pixels = -1; // memfd, shared with the worker
    const unsigned char *mapped = nullptr; // the parent's read-only view of `pixels`
    bool busy = false;

    bool running() const { return pid > 0; }
};

namespace {

Error sandboxError(ErrorCode code, const QString &message)
{
    return Error{ code, message };
}

void closeFd(int &fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

} // namespace

QString DecoderPool::ownExecutable()
{
    return QFile::symLinkTarget(QStringLiteral("/proc/self/exe"));
}

DecoderPool::DecoderPool(const SandboxConfig &config, const DecodeLimits &limits)
    : m_config(config), m_pixelCapacity(limits.maxPixels * 3)
{
    if (m_config.workerExecutable.isEmpty())
        m_config.workerExecutable = ownExecutable();
}

namespace {

// Ends the worker (if any) and releases what the slot holds. Returns how it ended, as waitpid's
// status, when it was running.
int stopWorker(
    pid_t &pid, int &socket, int &pixels, const unsigned char *&mapped, qint64 capacity, bool kill)
{
    int status = 0;
    closeFd(socket); // a worker waiting for a request sees EOF and exits
    if (pid > 0) {
        if (kill)
            ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    }
    pid = -1;
    if (mapped)
        ::munmap(const_cast<unsigned char *>(mapped), size_t(capacity));
    mapped = nullptr;
    closeFd(pixels);
    return status;
}

} // namespace

DecoderPool::~DecoderPool()
{
    std::unique_lock lock(m_mutex);
    m_released.wait(lock, [this] {
        return std::none_of(m_workers.begin(), m_workers.end(),
            [](const std::unique_ptr<Worker> &w) { return w->busy; });
    });
    for (std::unique_ptr<Worker> &worker : m_workers)
        stopWorker(worker->pid, worker->socket, worker->pixels, worker->mapped, worker->capacity,
            /*kill=*/true);
}

DecoderPool::Worker *DecoderPool::acquire()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        Worker *idle = nullptr;
        for (std::unique_ptr<Worker> &worker : m_workers) {
            if (worker->busy)
                continue;
            if (worker->running() || !idle)
                idle = worker.get();
            if (worker->running())
                break;
        }
        if (!idle && int(m_workers.size()) < m_config.maxWorkers) {
            m_workers.push_back(std::make_unique<Worker>());
            idle = m_workers.back().get();
        }
        if (idle) {
            idle->busy = true;
            return idle;
        }
        m_released.wait(lock);
    }
}

void DecoderPool::release(Worker *worker)
{
    {
        std::lock_guard lock(m_mutex);
        worker->busy = false;
    }
    m_released.notify_one();
}

namespace {

// The worker's environment is this process's. Under AddressSanitizer (`make sanitize`) a malloc
// past the worker's memory limit returns null as it does in a normal build (the C decoders then
// report their own error) instead of ending the worker. (ASan's operator new still aborts.)
std::vector<char *> workerEnvironment()
{
    std::vector<char *> environment;
    for (char **variable = environ; *variable; ++variable)
        environment.push_back(*variable);
#if defined(__SANITIZE_ADDRESS__)
    static const QByteArray asan
        = "ASAN_OPTIONS=" + qgetenv("ASAN_OPTIONS") + ":allocator_may_return_null=1";
    std::erase_if(
        environment, [](const char *v) { return std::strncmp(v, "ASAN_OPTIONS=", 13) == 0; });
    environment.push_back(const_cast<char *>(asan.constData()));
#endif
    environment.push_back(nullptr);
    return environment;
}

// Starts one worker: a socket pair (fd 3 in the worker), a memfd for the pixels (fd 4), stdin
// and stdout on /dev/null, stderr too unless FORGELENS_SANDBOX_STDERR is set (for debugging).
std::optional<Error> spawnWorker(const SandboxConfig &config, qint64 prefaultBytes,
    qint64 &capacity, pid_t &pid, int &socket, int &pixels, const unsigned char *&mapped)
{
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        return sandboxError(ErrorCode::SandboxUnavailable,
            QStringLiteral("cannot create the worker's socket: %1")
                .arg(QString::fromLocal8Bit(std::strerror(errno))));
    pixels = ::memfd_create("forgelens-pixels", MFD_CLOEXEC);
    if (pixels < 0) {
        ::close(pair[0]);
        ::close(pair[1]);
        return sandboxError(ErrorCode::SandboxUnavailable,
            QStringLiteral("cannot create the shared pixel memory: %1")
                .arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    // Sparse: pages exist only while an image is in them. A file-size limit (RLIMIT_FSIZE)
    // applies to memfds too; under one, pixels travel through the socket instead.
    if (::ftruncate(pixels, off_t(capacity)) != 0)
        capacity = 0;
    if (capacity > 0) {
        void *view = ::mmap(nullptr, size_t(capacity), PROT_READ, MAP_SHARED, pixels, 0);
        mapped = view == MAP_FAILED ? nullptr : static_cast<const unsigned char *>(view);
        if (!mapped)
            capacity = 0;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pair[1], sandbox::kSocketFd);
    posix_spawn_file_actions_adddup2(&actions, pixels, sandbox::kPixelsFd);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (qEnvironmentVariableIsEmpty("FORGELENS_SANDBOX_STDERR"))
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const QByteArray executable = QFile::encodeName(config.workerExecutable);
    const QByteArray memory = QByteArray::number(config.memoryBytes);
    const QByteArray capacityText = QByteArray::number(capacity);
    const QByteArray keptText = QByteArray::number(config.keptPixelBytes);
    const QByteArray prefaultText = QByteArray::number(std::min(prefaultBytes, capacity));
    const QByteArray selfTest = qgetenv("FORGELENS_SANDBOX_SELF_TEST");
    std::vector<char *> arguments{ const_cast<char *>(executable.constData()),
        const_cast<char *>(kDecodeWorkerArgument), const_cast<char *>(memory.constData()),
        const_cast<char *>(capacityText.constData()), const_cast<char *>(keptText.constData()),
        const_cast<char *>(prefaultText.constData()) };
    if (!selfTest.isEmpty())
        arguments.push_back(const_cast<char *>(selfTest.constData()));
    arguments.push_back(nullptr);
    const int spawned = ::posix_spawn(&pid, executable.constData(), &actions, nullptr,
        arguments.data(), workerEnvironment().data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(pair[1]);
    socket = pair[0];
    if (spawned != 0) {
        pid = -1;
        return sandboxError(ErrorCode::SandboxUnavailable,
            QStringLiteral("cannot start the decoding worker %1: %2")
                .arg(config.workerExecutable,
                    QString::fromLocal8Bit(std::strerror(spawned ? spawned : errno))));
    }
    return std::nullopt;
}

Error describeDeath(int status, bool timedOut, bool cancelled, const SandboxConfig &config)
{
    if (cancelled)
        return sandboxError(ErrorCode::Cancelled, QStringLiteral("the analysis was cancelled"));
    if (timedOut || (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU))
        return sandboxError(ErrorCode::DecoderTimeout,
            QStringLiteral("reading this file took longer than the limit (%1 s of CPU, %2 s in "
                           "all); the decoder was stopped")
                .arg(config.cpuSecondsPerFile)
                .arg(config.wallSecondsPerFile));
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
        return sandboxError(ErrorCode::DecoderSandboxViolation,
            QStringLiteral("the decoder tried an action its sandbox forbids (writing a file, "
                           "starting a program or opening a connection) and was killed; treat "
                           "the file as hostile"));
    if (WIFSIGNALED(status))
        return sandboxError(ErrorCode::DecoderCrashed,
            QStringLiteral("the decoder crashed on this file (signal %1: %2)")
                .arg(WTERMSIG(status))
                .arg(QString::fromLocal8Bit(strsignal(WTERMSIG(status)))));
    return sandboxError(ErrorCode::DecoderCrashed,
        QStringLiteral("the decoder ended without an answer (exit status %1)")
            .arg(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
}

} // namespace

std::optional<Error> DecoderPool::start(Worker *worker, qint64 prefaultBytes)
{
    if (worker->running())
        return std::nullopt;
    worker->capacity = m_pixelCapacity;
    if (std::optional<Error> error = spawnWorker(m_config, prefaultBytes, worker->capacity,
            worker->pid, worker->socket, worker->pixels, worker->mapped)) {
        stopWorker(
            worker->pid, worker->socket, worker->pixels, worker->mapped, worker->capacity, true);
        return error;
    }
    ++m_started;
    return std::nullopt;
}

void DecoderPool::prestart(int count)
{
    std::vector<Worker *> taken;
    for (int i = 0; i < qMin(count, m_config.maxWorkers); ++i)
        taken.push_back(acquire());
    for (Worker *worker : taken) {
        // A failure shows again, with its message, on the first read.
        start(worker, m_config.keptPixelBytes);
        release(worker);
    }
}

EvidenceReading DecoderPool::read(const QString &path, const QByteArray &nativePath,
    const EvidenceReadRequest &request, const std::atomic_bool *cancel)
{
    EvidenceReading failed;
    Worker *worker = acquire();
    const auto finish = [&](EvidenceReading reading) {
        release(worker);
        return reading;
    };
    if (std::optional<Error> error = start(worker)) {
        failed.error = std::move(error);
        return finish(std::move(failed));
    }

    QByteArray payload;
    {
        QDataStream out(&payload, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_4);
        out << nativePath << path << request.limits.maxPixels << request.limits.maxFileBytes
            << request.readMetadata << request.keepMetadataReport << request.salvageTruncated
            << request.decode << qint32(m_config.cpuSecondsPerFile)
            << qint32(request.reduceJpegFor.size());
        for (const ReducibleResize &resize : request.reduceJpegFor)
            out << qint32(resize.policy) << qint32(resize.height) << qint32(resize.width)
                << qint32(resize.maxSize.value_or(0));
        out << qint32(request.cropJpegFor.size());
        for (const NativeCenterCrop &crop : request.cropJpegFor)
            out << qint32(crop.height) << qint32(crop.width) << crop.pad
                << crop.applyExifOrientation;
    }
    const auto deadline
        = std::chrono::steady_clock::now() + std::chrono::seconds(m_config.wallSecondsPerFile);
    bool timedOut = false;
    bool cancelledNow = false;
    const auto keepWaiting = [&] {
        if (cancel && cancel->load(std::memory_order_relaxed))
            cancelledNow = true;
        else if (std::chrono::steady_clock::now() >= deadline)
            timedOut = true;
        return !cancelledNow && !timedOut;
    };
    QByteArray reply;
    if (sandbox::writeFrame(worker->socket, payload)
        && sandbox::readFrame(worker->socket, reply, keepWaiting)) {
        qint64 pixelBytes = 0;
        std::optional<EvidenceReading> reading = decodeEvidenceReading(reply, pixelBytes);
        if (reading && pixelBytes <= m_pixelCapacity) {
            DecodedImage *image = reading->image ? &*reading->image
                : reading->salvaged              ? &*reading->salvaged
                                                 : nullptr;
            bool pixelsArrived = true;
            if (image && pixelBytes <= worker->capacity) {
                image->rgb = QByteArray(reinterpret_cast<const char *>(worker->mapped), pixelBytes);
                // Pages past SandboxConfig::keptPixelBytes are handed back until the next large
                // image; the first ones stay, as faulting them in afresh for every file costs
                // more than the copy.
                const qint64 kept = m_config.keptPixelBytes;
                if (pixelBytes > kept)
                    ::fallocate(worker->pixels, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        off_t(kept), off_t(pixelBytes - kept));
            } else if (image) {
                pixelsArrived = sandbox::readFrame(worker->socket, image->rgb, keepWaiting)
                    && image->rgb.size() == pixelBytes;
            }
            if (!pixelsArrived) {
                const int status = stopWorker(worker->pid, worker->socket, worker->pixels,
                    worker->mapped, worker->capacity, true);
                failed.error = describeDeath(status, timedOut, cancelledNow, m_config);
                return finish(std::move(failed));
            }
            // A worker that ran out of memory may have left its heap in any state: start anew.
            if (reading->error && reading->error->code == ErrorCode::DecoderOutOfMemory)
                stopWorker(worker->pid, worker->socket, worker->pixels, worker->mapped,
                    worker->capacity, true);
            return finish(std::move(*reading));
        }
        // An answer that does not parse comes from a worker that cannot be trusted any more.
        stopWorker(
            worker->pid, worker->socket, worker->pixels, worker->mapped, worker->capacity, true);
        failed.error = sandboxError(ErrorCode::DecoderCrashed,
            QStringLiteral("the decoder answered with a malformed reply; it was replaced"));
        return finish(std::move(failed));
    }
    const int status = stopWorker(worker->pid, worker->socket, worker->pixels, worker->mapped,
        worker->capacity, /*kill=*/true);
    failed.error = describeDeath(status, timedOut, cancelledNow, m_config);
    return finish(std::move(failed));
}

QString SandboxConfig::validate() const
{
    if (maxWorkers < 1)
        return QStringLiteral("the sandbox needs at least one worker");
    if (memoryBytes < (qint64(64) << 20))
        return QStringLiteral("the decoder's memory limit must be at least 64 MiB");
    if (cpuSecondsPerFile < 1 || wallSecondsPerFile < 1)
        return QStringLiteral("the decoder's time limits must be at least one second");
    if (keptPixelBytes < 0)
        return QStringLiteral("the pixel memory kept between files cannot be negative");
    return {};
}

} // namespace forgelens
