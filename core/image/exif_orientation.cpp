#include "forgelens/image/exif_orientation.h"

#include <exiv2/exiv2.hpp>

#include <mutex>

namespace forgelens {
namespace {

void initialiseExiv2Once()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Exiv2 prints warnings about odd metadata on stderr; those are findings for the
        // metadata module to report, not noise for the decoder's caller.
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
        // The XMP toolkit must be initialised once before threads use it.
        Exiv2::XmpParser::initialize();
    });
}

} // namespace

int readExifOrientation(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty())
        return 1;
    initialiseExiv2Once();
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
