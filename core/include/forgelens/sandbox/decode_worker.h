#pragma once

namespace forgelens {

// The hidden first argument that turns a ForgeLens executable into a decoding worker. Every
// front end's main() checks for it before it creates an application object.
inline constexpr char kDecodeWorkerArgument[] = "--forgelens-decode-worker";

// True when argv asks for the worker mode.
bool isDecodeWorkerInvocation(int argc, char **argv);

// The worker: argv = EXE --forgelens-decode-worker MEMORY_BYTES PIXEL_CAPACITY KEPT_BYTES
// PREFAULT_BYTES [SELF_TEST]. Expects the request socket on fd 3 and the shared pixel memory (a
// memfd of PIXEL_CAPACITY bytes) on fd 4; faults in its first PREFAULT_BYTES at start, and keeps
// up to KEPT_BYTES of free heap between files. Loads and warms the decoders, lowers its limits,
// installs its seccomp filter, then answers requests until the socket closes. SELF_TEST (the parent
// passes $FORGELENS_SANDBOX_SELF_TEST: "open-for-writing", "exec", "spin", "crash" or "allocate")
// makes it misbehave that way on each request, after its filter and limits are in place, so the
// sandbox's tests can show each is contained. Returns the process's exit status.
int runDecodeWorker(int argc, char **argv);

} // namespace forgelens
