#include "decoder_messages.h"

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

namespace forgelens {

bool DecoderMessages::capture()
{
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return false;
    if (::dup2(fds[1], STDERR_FILENO) < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return false;
    }
    ::close(fds[1]);
    m_readEnd = fds[0];
    return true;
}

QString DecoderMessages::take()
{
    if (m_readEnd < 0)
        return {};
    QByteArray text;
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::read(m_readEnd, buffer, sizeof buffer);
        if (got <= 0)
            break;
        if (text.size() < 4096)
            text.append(buffer, qsizetype(std::min<ssize_t>(got, 4096 - text.size())));
    }
    return QString::fromUtf8(text).trimmed();
}

void attachDecoderMessages(EvidenceReading &reading, const QString &messages)
{
    if (messages.isEmpty())
        return;
    const QString said = messages.simplified().left(600);
    if (reading.error) {
        reading.error->message += QStringLiteral(" (the decoder reported: %1)").arg(said);
        return;
    }
    if (!reading.findingCodes.contains(QStringLiteral("decoder-warning")))
        reading.findingCodes.append(QStringLiteral("decoder-warning"));
    if (reading.metadata)
        reading.metadata->findings.push_back(
            { MetadataFinding::Severity::Notice, QStringLiteral("decoder-warning"),
                QStringLiteral("The decoder reported while reading this file: %1").arg(said),
                QStringLiteral("decoder messages") });
}

} // namespace forgelens
