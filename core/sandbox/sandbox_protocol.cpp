#include "forgelens/sandbox/sandbox_protocol.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace forgelens::sandbox {
namespace {

bool writeAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        // send(), not write(): a worker that died must not take the parent with it by SIGPIPE.
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= size_t(n);
    }
    return true;
}

bool readAll(int fd, char *data, size_t size, const std::function<bool()> &keepWaiting)
{
    while (size > 0) {
        if (keepWaiting) {
            pollfd waiting{ fd, POLLIN, 0 };
            const int ready = ::poll(&waiting, 1, 100);
            if (ready < 0 && errno != EINTR)
                return false;
            if (ready <= 0) {
                if (!keepWaiting())
                    return false;
                continue;
            }
        }
        const ssize_t n = ::read(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= size_t(n);
    }
    return true;
}

} // namespace

bool writeFrame(int fd, const QByteArray &payload)
{
    if (std::uint32_t(payload.size()) > kMaxFrameBytes)
        return false;
    const std::uint32_t length = std::uint32_t(payload.size());
    const char header[4] = { char(length & 0xFF), char((length >> 8) & 0xFF),
        char((length >> 16) & 0xFF), char((length >> 24) & 0xFF) };
    return writeAll(fd, header, 4) && writeAll(fd, payload.constData(), size_t(payload.size()));
}

bool readFrame(int fd, QByteArray &payload, const std::function<bool()> &keepWaiting)
{
    unsigned char header[4];
    if (!readAll(fd, reinterpret_cast<char *>(header), 4, keepWaiting))
        return false;
    const std::uint32_t length = std::uint32_t(header[0]) | (std::uint32_t(header[1]) << 8)
        | (std::uint32_t(header[2]) << 16) | (std::uint32_t(header[3]) << 24);
    if (length > kMaxFrameBytes)
        return false;
    payload.resize(qsizetype(length));
    return readAll(fd, payload.data(), length, keepWaiting);
}

} // namespace forgelens::sandbox
