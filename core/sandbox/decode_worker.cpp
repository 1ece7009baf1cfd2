#include "forgelens/sandbox/decode_worker.h"

#include "decoder_messages.h"

#include "../image/exiv2_setup.h"
#include "../image/heif_hevc_plugin.h"
#include "forgelens/image/file_digest.h"
#include "forgelens/sandbox/evidence_reading.h"
#include "forgelens/sandbox/evidence_reading_codec.h"
#include "forgelens/sandbox/sandbox_protocol.h"

#include <QDataStream>
#include <QFile>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <malloc.h>
#include <memory>
#include <omp.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace forgelens {
namespace {

// A 1 x 1 GIF: Qt's GIF reader is warmed with it (it is the one decoder OpenCV lacks).
constexpr unsigned char kTinyGif[]
    = { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
          0x00, 0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
          0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B };

// Everything a decoder loads or allocates once (codec tables, Qt's image plugins, Exiv2's
// registries) is done before the filter is installed, so the filter can forbid opening files
// other than for reading and never has to allow what only start-up needs.
bool warmUp()
{
    cv::setNumThreads(0); // the worker must never start a thread: the filter forbids clone
    // LibRaw demosaics in OpenMP parallel regions, which start a team of threads per core.
    omp_set_num_threads(1);
    // OpenJPEG starts a pool of this many threads when a decoder is created; OpenCV never sets
    // its own count, so an analyst's environment (GDAL users set it) would kill every JPEG 2000.
    ::unsetenv("OPJ_NUM_THREADS");
    initialiseExiv2();
    // Exiv2 looks up the user's home folder (getpwuid(getuid())) for its ~/.exiv2 lens-name
    // overrides whenever it prints a Canon, Pentax or Sony lens: on ordinary camera photographs.
    // The name service may load a library for it (executable memory, which the filter
    // forbids), so the lookup is made once here, and getuid is allowed below, so that later
    // lookups find the same user through what is already loaded.
    ::getpwuid(::getuid());
    const cv::Mat tile(16, 16, CV_8UC3, cv::Scalar(40, 120, 200));
    for (const char *extension : { ".jpg", ".png", ".webp", ".tiff", ".bmp" }) {
        std::vector<uchar> encoded;
        try {
            if (!cv::imencode(extension, tile, encoded))
                continue;
        } catch (const cv::Exception &) {
            continue;
        }
        const std::span<const std::uint8_t> bytes(encoded.data(), encoded.size());
        readMetadataReport(bytes);
        decodeImage(bytes, DecodeLimits{});
    }
    decodeImage(std::span<const std::uint8_t>(kTinyGif, sizeof kTinyGif), DecodeLimits{});
    // OpenSSL loads its configuration and default provider on the first digest.
    digestBytes(std::span<const std::uint8_t>(kTinyGif, sizeof kTinyGif));
    // libheif's plugins are set up once, here, and HEVC decodes on this thread: without that,
    // every HEIC would start a thread and be killed, so the worker refuses to start instead.
    return registerSingleThreadHevcDecoder();
}

qint64 currentDataBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmData:"))
            return line.mid(7).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return 0;
}

bool setLimit(int resource, rlim_t soft, rlim_t hard)
{
    const rlimit limit{ soft, hard };
    return ::setrlimit(resource, &limit) == 0;
}

bool lowerLimits(qint64 memoryBytes)
{
    return setLimit(RLIMIT_DATA, rlim_t(currentDataBytes() + memoryBytes),
               rlim_t(currentDataBytes() + memoryBytes))
        && setLimit(RLIMIT_CORE, 0, 0) // evidence must never land in a core dump
        && setLimit(RLIMIT_FSIZE, 0, 0) && setLimit(RLIMIT_NPROC, 0, 0)
        && setLimit(RLIMIT_NOFILE, 32, 32) && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
        && ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
}

// Allowed: reading, memory, time, futexes, its own limits and signals. Killed on the spot:
// anything that writes or creates a file, starts a program or thread, or opens a socket. Any
// other system call fails with EPERM (a library's harmless probe must not kill a worker).
bool installFilter()
{
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!filter)
        return false;
    bool ok = true;
    const auto allow
        = [&](int call) { ok = ok && seccomp_rule_add(filter, SCMP_ACT_ALLOW, call, 0) == 0; };
    const auto kill = [&](int call) {
        ok = ok && seccomp_rule_add(filter, SCMP_ACT_KILL_PROCESS, call, 0) == 0;
    };
    for (const int call : { SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64), SCMP_SYS(close),
             SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(lseek),
             SCMP_SYS(fcntl), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(madvise),
             SCMP_SYS(futex), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
             SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction), SCMP_SYS(clock_gettime),
             SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(getpid), SCMP_SYS(gettid),
             SCMP_SYS(getrandom), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
             SCMP_SYS(getrusage), SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(restart_syscall),
             SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid) })
        allow(call);
    // Writing: only the socket to the parent and stderr (the worker's own pipe, read after each
    // file: decoder_messages.h; the parent's stderr with FORGELENS_SANDBOX_STDERR, for debugging).
    for (const int fd : { sandbox::kSocketFd, STDERR_FILENO }) {
        for (const int call : { SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(sendto) })
            ok = ok
                && seccomp_rule_add(
                       filter, SCMP_ACT_ALLOW, call, 1, SCMP_A0(SCMP_CMP_EQ, scmp_datum_t(fd)))
                    == 0;
    }
    // Memory may be mapped, but never executable (no code can be brought in).
    for (const int call : { SCMP_SYS(mmap), SCMP_SYS(mprotect) }) {
        ok = ok
            && seccomp_rule_add(
                   filter, SCMP_ACT_ALLOW, call, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))
                == 0;
        ok = ok
            && seccomp_rule_add(filter, SCMP_ACT_KILL_PROCESS, call, 1,
                   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC))
                == 0;
    }
    // The per-file CPU limit is the one limit the worker changes itself.
    for (const int call : { SCMP_SYS(setrlimit), SCMP_SYS(getrlimit) })
        ok = ok
            && seccomp_rule_add(filter, SCMP_ACT_ALLOW, call, 1, SCMP_A0(SCMP_CMP_EQ, RLIMIT_CPU))
                == 0;
    ok = ok
        && seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2, SCMP_A0(SCMP_CMP_EQ, 0),
               SCMP_A1(SCMP_CMP_EQ, RLIMIT_CPU))
            == 0;
    // abort() signals its own thread.
    ok = ok
        && seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
               SCMP_A0(SCMP_CMP_EQ, scmp_datum_t(::getpid())))
            == 0;
    // Opening: read-only, nothing created, truncated or appended; any of those kills. glibc
    // opens with openat; the legacy open is what the sanitizers' runtimes use (their reports
    // read /proc/self), under the same rule. Reading a link's target is harmless.
    constexpr scmp_datum_t writing = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE;
    const auto readOnlyOpen = [&](int call, unsigned flagsArgument) {
        const auto flagsAre = [flagsArgument](scmp_datum_t mask, scmp_datum_t value) {
            return scmp_arg_cmp{ flagsArgument, SCMP_CMP_MASKED_EQ, mask, value };
        };
        ok = ok && seccomp_rule_add(filter, SCMP_ACT_ALLOW, call, 1, flagsAre(writing, 0)) == 0;
        for (const scmp_datum_t flag : { scmp_datum_t(O_WRONLY), scmp_datum_t(O_RDWR),
                 scmp_datum_t(O_CREAT), scmp_datum_t(O_TRUNC), scmp_datum_t(O_APPEND) })
            ok = ok
                && seccomp_rule_add(filter, SCMP_ACT_KILL_PROCESS, call, 1, flagsAre(flag, flag))
                    == 0;
    };
    readOnlyOpen(SCMP_SYS(openat), 2);
    readOnlyOpen(SCMP_SYS(open), 1);
    allow(SCMP_SYS(readlink));
    allow(SCMP_SYS(readlinkat));
    for (const int call : { SCMP_SYS(creat), SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork),
             SCMP_SYS(vfork), SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(socket),
             SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(ptrace),
             SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename), SCMP_SYS(renameat),
             SCMP_SYS(renameat2), SCMP_SYS(truncate), SCMP_SYS(ftruncate), SCMP_SYS(mkdir),
             SCMP_SYS(mkdirat), SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink),
             SCMP_SYS(symlinkat), SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat),
             SCMP_SYS(memfd_create), SCMP_SYS(process_vm_writev), SCMP_SYS(kill) })
        kill(call);
    ok = ok && seccomp_load(filter) == 0;
    seccomp_release(filter);
    return ok;
}

double processCpuSeconds()
{
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

struct Request {
    QByteArray nativePath;
    QString path;
    EvidenceReadRequest read;
    qint32 cpuSeconds = 30;
};

bool parseRequest(const QByteArray &payload, Request &request)
{
    QDataStream in(payload);
    in.setVersion(QDataStream::Qt_6_4);
    qint64 maxPixels = 0, maxFileBytes = 0;
    in >> request.nativePath >> request.path >> maxPixels >> maxFileBytes
        >> request.read.readMetadata >> request.read.keepMetadataReport
        >> request.read.salvageTruncated >> request.read.decode >> request.cpuSeconds;
    request.read.limits.maxPixels = maxPixels;
    request.read.limits.maxFileBytes = maxFileBytes;
    qint32 resizes = 0;
    in >> resizes;
    if (resizes < 0 || resizes > 64)
        return false;
    for (qint32 i = 0; i < resizes; ++i) {
        qint32 policy = 0, height = 0, width = 0, maxSize = 0;
        in >> policy >> height >> width >> maxSize;
        if (policy != qint32(InputSpec::Resize::Exact)
            && policy != qint32(InputSpec::Resize::ShorterSide))
            return false;
        ReducibleResize resize{ InputSpec::Resize(policy), height, width, std::nullopt };
        if (maxSize > 0)
            resize.maxSize = maxSize;
        request.read.reduceJpegFor.push_back(resize);
    }
    qint32 crops = 0;
    in >> crops;
    if (crops < 0 || crops > 64)
        return false;
    for (qint32 i = 0; i < crops; ++i) {
        NativeCenterCrop crop;
        qint32 height = 0, width = 0;
        in >> height >> width >> crop.pad >> crop.applyExifOrientation;
        if (height <= 0 || width <= 0)
            return false;
        crop.height = height;
        crop.width = width;
        request.read.cropJpegFor.push_back(crop);
    }
    return in.status() == QDataStream::Ok && request.read.limits.validate().isEmpty()
        && request.cpuSeconds > 0;
}

void attemptSelfTest(const char *selfTest)
{
    if (std::strcmp(selfTest, "open-for-writing") == 0) {
        const int fd = ::openat(AT_FDCWD, "forgelens-sandbox-self-test", O_WRONLY | O_CREAT, 0600);
        if (fd >= 0)
            ::close(fd);
    } else if (std::strcmp(selfTest, "exec") == 0) {
        char *const arguments[] = { const_cast<char *>("/bin/true"), nullptr };
        ::execve("/bin/true", arguments, nullptr);
    } else if (std::strcmp(selfTest, "spin") == 0) {
        volatile unsigned long spins = 0;
        for (;;)
            spins = spins + 1;
    } else if (std::strcmp(selfTest, "crash") == 0) {
        std::raise(SIGSEGV);
    } else if (std::strcmp(selfTest, "allocate") == 0) {
        std::vector<std::unique_ptr<char[]>> blocks;
        for (;;) {
            blocks.emplace_back(new char[64 << 20]);
            std::memset(blocks.back().get(), 1, 64 << 20);
        }
    }
}

} // namespace

bool isDecodeWorkerInvocation(int argc, char **argv)
{
    return argc >= 2 && std::strcmp(argv[1], kDecodeWorkerArgument) == 0;
}

int runDecodeWorker(int argc, char **argv)
{
    if (argc < 6)
        return 2;
    // No PR_SET_PDEATHSIG: it fires when the thread that started the worker ends, and the
    // pool's threads come and go. A worker whose parent died reads EOF on its socket and ends;
    // one in the middle of a file ends at its CPU limit at the latest.
    const qint64 memoryBytes = std::strtoll(argv[2], nullptr, 10);
    const qint64 capacity = std::strtoll(argv[3], nullptr, 10);
    const qint64 keptBytes = std::strtoll(argv[4], nullptr, 10);
    const qint64 prefaultBytes = std::strtoll(argv[5], nullptr, 10);
    const char *selfTest = argc >= 7 ? argv[6] : "";
    if (memoryBytes <= 0 || capacity < 0 || keptBytes < 0 || prefaultBytes < 0
        || prefaultBytes > capacity)
        return 2;

    // The shared pixel memory is mapped once, before the limits: it is sparse, so its pages
    // exist only where images were written.
    void *shared = nullptr;
    if (capacity > 0) {
        shared = ::mmap(
            nullptr, size_t(capacity), PROT_READ | PROT_WRITE, MAP_SHARED, sandbox::kPixelsFd, 0);
        if (shared == MAP_FAILED)
            return 5;
        // Pages the parent wants ready before the first image (a window's worker): faulted in
        // here, off the parent's threads. Best effort: without it they fault in on first use.
        if (prefaultBytes > 0)
            ::madvise(shared, size_t(prefaultBytes), MADV_POPULATE_WRITE);
    }
    // glibc maps every buffer over 128 KiB afresh (32 MiB at most, however set) and unmaps it
    // when freed: for a worker that decodes one image after another, each file's buffers (its
    // bytes, a turned image's second copy) would be faulted in anew. Everything comes from the
    // heap instead, and the heap keeps as much free memory as the parent lets it keep in shared
    // pixel memory (SandboxConfig::keptPixelBytes) before it hands memory back.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, int(std::min<qint64>(keptBytes, qint64(1) << 30)));
    // Qt's regular expressions compile to machine code in memory mapped executable, which the
    // filter kills: the metadata recognisers' patterns are interpreted in a worker.
    qputenv("QT_ENABLE_REGEXP_JIT", "0");
    DecoderMessages messages;
    if (qEnvironmentVariableIsEmpty("FORGELENS_SANDBOX_STDERR"))
        messages.capture();
    if (!warmUp() || !lowerLimits(memoryBytes) || !installFilter())
        return 3;

    QByteArray payload;
    while (sandbox::readFrame(sandbox::kSocketFd, payload)) {
        Request request;
        if (!parseRequest(payload, request))
            return 4;
        // A fresh CPU allowance for this file: past it the kernel sends SIGXCPU, which ends the
        // worker, and the parent records decoder-timeout.
        const rlim_t allowance = rlim_t(processCpuSeconds()) + rlim_t(request.cpuSeconds) + 1;
        setLimit(RLIMIT_CPU, allowance, RLIM_INFINITY);
        if (*selfTest) {
            try {
                attemptSelfTest(selfTest);
            } catch (const std::bad_alloc &) {
                EvidenceReading outOfMemory;
                outOfMemory.error = Error{ ErrorCode::DecoderOutOfMemory,
                    QStringLiteral("self-test allocation") };
                if (!sandbox::writeFrame(sandbox::kSocketFd, encodeEvidenceReading(outOfMemory)))
                    return 6;
                continue;
            }
        }

        // The decoder converts straight into the shared memory: no copy, and no fresh buffer
        // for each large image.
        messages.take(); // what the warm-up or the previous file left
        EvidenceReading reading = readEvidence(request.path, request.nativePath, request.read,
            PixelTarget{ static_cast<unsigned char *>(shared), shared ? capacity : 0 });
        attachDecoderMessages(reading, messages.take());
        const DecodedImage *pixels = reading.image ? &*reading.image
            : reading.salvaged                     ? &*reading.salvaged
                                                   : nullptr;
        if (pixels && pixels->rgb.isEmpty())
            pixels = nullptr; // already in the shared memory, where the parent reads them
        // Pixels that do not fit the shared memory (the parent could not size it: a file-size
        // limit applies to memfds too) follow the reply as a frame of their own.
        const bool inline_ = pixels && pixels->rgb.size() > capacity;
        if (inline_ && pixels->rgb.size() > qsizetype(sandbox::kMaxFrameBytes)) {
            reading.image.reset();
            reading.salvaged.reset();
            reading.error = Error{ ErrorCode::DecoderOutOfMemory,
                QStringLiteral("the decoded image is larger than the sandbox can pass back") };
            pixels = nullptr;
        }
        if (pixels && !inline_)
            std::memcpy(shared, pixels->rgb.constData(), size_t(pixels->rgb.size()));
        if (!sandbox::writeFrame(sandbox::kSocketFd, encodeEvidenceReading(reading)))
            return 6;
        if (pixels && inline_ && !sandbox::writeFrame(sandbox::kSocketFd, pixels->rgb))
            return 6;
    }
    return 0;
}

} // namespace forgelens
