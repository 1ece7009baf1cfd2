#include "forgelens/image/file_digest.h"

#include <QCryptographicHash>

namespace forgelens {

FileDigest digestBytes(std::span<const std::uint8_t> bytes)
{
    const QByteArrayView view(
        reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
    return FileDigest{ QString::fromLatin1(
                           QCryptographicHash::hash(view, QCryptographicHash::Sha256).toHex()),
        QString::fromLatin1(QCryptographicHash::hash(view, QCryptographicHash::Md5).toHex()) };
}

} // namespace forgelens
