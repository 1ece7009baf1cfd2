#pragma once

#include <QByteArray>

#include <cstdint>
#include <functional>

namespace forgelens::sandbox {

// Frames on the worker's socket: a 32-bit little-endian length, then that many bytes. A request
// is QDataStream(nativePath, path, limits, flags, cpuSeconds); a reply is
// encodeEvidenceReading()'s bytes. Replies are bounded: a metadata report with its thumbnail is
// far below this.
inline constexpr std::uint32_t kMaxFrameBytes = 256u << 20;
inline constexpr int kSocketFd = 3;
inline constexpr int kPixelsFd = 4;

// Whole-frame I/O on `fd`, retried on EINTR. False on EOF, error or an oversized frame. With
// `keepWaiting`, reading waits in slices of 100 ms and gives up as soon as it returns false (the
// parent's deadline and cancel flag); without it, it blocks.
bool writeFrame(int fd, const QByteArray &payload);
bool readFrame(int fd, QByteArray &payload, const std::function<bool()> &keepWaiting = {});

} // namespace forgelens::sandbox
