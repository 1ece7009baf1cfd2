#include "forgelens/image/file_digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace forgelens {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext startDigest(const EVP_MD *type)
{
    DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!context || EVP_DigestInit_ex(context.get(), type, nullptr) != 1)
        throw std::runtime_error("OpenSSL could not start a digest");
    return context;
}

QString finishDigest(EVP_MD_CTX *context)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context, digest.data(), &length) != 1)
        throw std::runtime_error("OpenSSL could not finish a digest");
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest.data()), qsizetype(length)).toHex());
}

} // namespace

// OpenSSL's SHA-256 uses the CPU's SHA extensions where it has them (and AVX2 or SSSE3 code
// otherwise), several times the speed of a portable implementation. Both hashes go over the
// bytes in the same 64 KiB pieces, so each piece is read from memory once and hashed twice
// while it is in the cache.
FileDigest digestBytes(std::span<const std::uint8_t> bytes)
{
    DigestContext sha256 = startDigest(EVP_sha256());
    DigestContext md5 = startDigest(EVP_md5());
    constexpr size_t kPiece = 64 * 1024;
    for (size_t offset = 0; offset < bytes.size(); offset += kPiece) {
        const size_t length = std::min(kPiece, bytes.size() - offset);
        if (EVP_DigestUpdate(sha256.get(), bytes.data() + offset, length) != 1
            || EVP_DigestUpdate(md5.get(), bytes.data() + offset, length) != 1)
            throw std::runtime_error("OpenSSL could not hash the file");
    }
    return FileDigest{ finishDigest(sha256.get()), finishDigest(md5.get()) };
}

} // namespace forgelens
