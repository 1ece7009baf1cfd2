#include "forgelens/image/exif_orientation.h"

#include "exiv2_setup.h"

#include <exiv2/exiv2.hpp>

namespace forgelens {

int readExifOrientation(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty())
        return 1;
    initialiseExiv2();
    try {
        auto image = Exiv2::ImageFactory::open(bytes.data(), static_cast<long>(bytes.size()));
        if (!image.get())
            return 1;
        image->readMetadata();
        const Exiv2::ExifData &exif = image->exifData();
        const auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
        if (it == exif.end() || it->count() < 1)
            return 1;
        const long value = it->toLong(0);
        return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
    } catch (const Exiv2::AnyError &) {
        // Malformed metadata: the image still decodes, upright as stored.
        return 1;
    } catch (const std::exception &) {
        return 1;
    }
}

} // namespace forgelens
