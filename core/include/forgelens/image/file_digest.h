#pragma once

#include <QString>

#include <cstdint>
#include <span>

namespace forgelens {

// Hashes that identify an evidence file in reports: lower-case hex of its exact bytes.
struct FileDigest {
    QString sha256;
    QString md5;
};

FileDigest digestBytes(std::span<const std::uint8_t> bytes);

} // namespace forgelens
