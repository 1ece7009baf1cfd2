#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>
#include <span>

namespace forgelens {

// How an embedded EXIF thumbnail relates to the main image. Cameras write a thumbnail of the
// picture they took; an editor that changes the picture but keeps the EXIF block leaves the
// old one behind.
struct ThumbnailComparison {
    int width = 0;
    int height = 0;
    double aspectDifference = 0.0; // |thumbnail aspect / image aspect - 1|, black bars removed
    double correlation = 1.0; // of 32 x 32 grey versions, -1..1
    bool mismatch = false;
    QString reason; // why it is a mismatch (empty otherwise)
};

// std::nullopt when there is no thumbnail or either image cannot be decoded. Both are compared
// as stored (EXIF orientation not applied), as cameras write them.
std::optional<ThumbnailComparison> compareThumbnail(
    const QByteArray &thumbnail, std::span<const std::uint8_t> image);

} // namespace forgelens
