#include "container_pixels.h"
#include "pixel_limit.h"

#include <libraw/libraw.h>

#include <cstring>
#include <memory>

namespace forgelens {
namespace {

Error rawError(int code, const char *stage)
{
    const QString reason = QString::fromUtf8(libraw_strerror(code));
    if (code == LIBRAW_FILE_UNSUPPORTED)
        return Error{ ErrorCode::UnsupportedFormat,
            QStringLiteral("LibRaw does not know this camera's raw format (%1)").arg(reason) };
    if (code == LIBRAW_UNSUFFICIENT_MEMORY)
        return Error{ ErrorCode::DecoderOutOfMemory,
            QStringLiteral("not enough memory to develop this RAW within the limit") };
    if (code == LIBRAW_IO_ERROR || code == LIBRAW_DATA_ERROR)
        return Error{ ErrorCode::Truncated,
            QStringLiteral("the RAW data is damaged or ends early while %1 (%2)")
                .arg(QLatin1String(stage), reason) };
    return Error{ ErrorCode::DecodeFailed,
        QStringLiteral("the RAW could not be developed while %1: %2")
            .arg(QLatin1String(stage), reason) };
}

struct MemImageDeleter {
    void operator()(libraw_processed_image_t *image) const { LibRaw::dcraw_clear_mem(image); }
};

} // namespace

// The detectors see LibRaw's default development at full size, stated in README: AHD
// demosaicing, the camera's white balance off (LibRaw's daylight multipliers), sRGB primaries,
// the BT.709 gamma curve (power 0.45, slope 4.5), automatic brightness (1 % of pixels may clip),
// 8 bits per channel, no half-size shortcut, the camera's flip applied.
Result<ContainerPixels> decodeCameraRaw(
    std::span<const std::uint8_t> bytes, const DecodeLimits &limits)
{
    // LibRaw's object holds megabytes of tables: on the heap, never the stack.
    auto raw = std::make_unique<LibRaw>(LIBRAW_OPTIONS_NONE);
    raw->imgdata.params.output_bps = 8;
    raw->imgdata.params.half_size = 0;
    // LibRaw 0.20 takes a non-const pointer but only reads the buffer.
    int code = raw->open_buffer(const_cast<std::uint8_t *>(bytes.data()), bytes.size());
    if (code != LIBRAW_SUCCESS)
        return rawError(code, "reading its header");
    const libraw_image_sizes_t &sizes = raw->imgdata.sizes;
    // The sensor's full area is what unpack() allocates; the output is at most as large.
    if (const auto bomb = pixelLimitError(sizes.raw_width, sizes.raw_height, limits))
        return *bomb;
    if (const auto bomb = pixelLimitError(sizes.width, sizes.height, limits))
        return *bomb;
    code = raw->unpack();
    if (code != LIBRAW_SUCCESS)
        return rawError(code, "unpacking the sensor data");
    code = raw->dcraw_process();
    if (code != LIBRAW_SUCCESS)
        return rawError(code, "developing it");
    std::unique_ptr<libraw_processed_image_t, MemImageDeleter> image(
        raw->dcraw_make_mem_image(&code));
    if (!image || code != LIBRAW_SUCCESS)
        return rawError(
            code == LIBRAW_SUCCESS ? LIBRAW_UNSPECIFIED_ERROR : code, "making the RGB image");
    if (image->type != LIBRAW_IMAGE_BITMAP || image->colors != 3 || image->bits != 8
        || qint64(image->width) * image->height * 3 > qint64(image->data_size))
        return Error{ ErrorCode::DecodeFailed,
            QStringLiteral("LibRaw produced an image that is not 8-bit RGB (%1 colours, %2 bits)")
                .arg(image->colors)
                .arg(image->bits) };

    ContainerPixels out;
    out.rgb.create(image->height, image->width, CV_8UC3);
    std::memcpy(out.rgb.data, image->data, size_t(image->width) * image->height * 3);
    // LibRaw's flip (dcraw's bits: 1 mirror, 2 upside down, 4 transpose; 3 is half a turn, 5 a
    // quarter turn anticlockwise, 6 clockwise) as the EXIF orientation it equals;
    // dcraw_make_mem_image has applied it already.
    static constexpr int kExifOfFlip[8] = { 1, 2, 4, 3, 5, 8, 6, 7 };
    out.orientation = sizes.flip >= 0 && sizes.flip < 8 ? kExifOfFlip[sizes.flip] : 1;
    const bool swapped = out.orientation >= 5;
    out.storedWidth = swapped ? image->height : image->width;
    out.storedHeight = swapped ? image->width : image->height;
    return out;
}

} // namespace forgelens
