#include "container_pixels.h"
#include "heif_hevc_plugin.h"
#include "pixel_limit.h"

#include <libheif/heif.h>

#include <cstring>
#include <memory>

namespace forgelens {
namespace {

struct ContextFree {
    void operator()(heif_context *context) const { heif_context_free(context); }
};
struct HandleRelease {
    void operator()(heif_image_handle *handle) const { heif_image_handle_release(handle); }
};
struct ImageRelease {
    void operator()(heif_image *image) const { heif_image_release(image); }
};

Error heifError(const heif_error &error, const char *stage)
{
    const QString reason = QString::fromUtf8(error.message ? error.message : "");
    if (error.code == heif_error_Invalid_input && error.subcode == heif_suberror_End_of_data)
        return Error{ ErrorCode::Truncated,
            QStringLiteral("the HEIF data ends early while %1 (%2); the file is truncated")
                .arg(QLatin1String(stage), reason) };
    if (error.code == heif_error_Unsupported_filetype
        || error.code == heif_error_Unsupported_feature)
        return Error{ ErrorCode::UnsupportedFormat,
            QStringLiteral("a HEIF variant libheif %1 does not decode, found while %2: %3")
                .arg(QLatin1String(heif_get_version()), QLatin1String(stage), reason) };
    if (error.subcode == heif_suberror_Security_limit_exceeded)
        return Error{ ErrorCode::DecompressionBomb,
            QStringLiteral("libheif refuses the image as larger than its security limits while "
                           "%1: %2")
                .arg(QLatin1String(stage), reason) };
    if (error.code == heif_error_Memory_allocation_error)
        return Error{ ErrorCode::DecoderOutOfMemory,
            QStringLiteral("not enough memory to decode this HEIF within the limit") };
    return Error{ ErrorCode::DecodeFailed,
        QStringLiteral("the HEIF could not be decoded while %1: %2")
            .arg(QLatin1String(stage), reason) };
}

} // namespace

Result<ContainerPixels> decodeHeif(std::span<const std::uint8_t> bytes, const DecodeLimits &limits)
{
    if (!registerSingleThreadHevcDecoder())
        return Error{ ErrorCode::UnsupportedFormat,
            QStringLiteral("HEIF decoding is unavailable: libheif refused ForgeLens' "
                           "single-thread HEVC decoder") };
    std::unique_ptr<heif_context, ContextFree> context(heif_context_alloc());
    if (!context)
        return Error{ ErrorCode::DecoderOutOfMemory,
            QStringLiteral("libheif could not allocate its context") };
    // Grid images (every phone's HEIC) are tiles that libheif decodes four at a time on threads
    // of its own by default; 0 decodes them one after another on this thread.
    heif_context_set_max_decoding_threads(context.get(), 0);
    heif_error error = heif_context_read_from_memory_without_copy(
        context.get(), bytes.data(), bytes.size(), nullptr);
    if (error.code != heif_error_Ok)
        return heifError(error, "reading its boxes");
    heif_image_handle *primary = nullptr;
    error = heif_context_get_primary_image_handle(context.get(), &primary);
    if (error.code != heif_error_Ok)
        return heifError(error, "finding its primary image");
    const std::unique_ptr<heif_image_handle, HandleRelease> handle(primary);

    // ispe is the size as coded; the handle's size is after clap and irot.
    ContainerPixels out;
    const int width = heif_image_handle_get_width(primary);
    const int height = heif_image_handle_get_height(primary);
    if (const auto bomb = pixelLimitError(heif_image_handle_get_ispe_width(primary),
            heif_image_handle_get_ispe_height(primary), limits))
        return *bomb;
    if (const auto bomb = pixelLimitError(width, height, limits))
        return *bomb;

    // libheif applies irot, imir and clap (options left at their defaults), converts YCbCr to
    // RGB with the item's nclx matrix, and drops alpha for heif_chroma_interleaved_RGB.
    heif_image *decoded = nullptr;
    error = heif_decode_image(
        primary, &decoded, heif_colorspace_RGB, heif_chroma_interleaved_RGB, nullptr);
    if (error.code != heif_error_Ok)
        return heifError(error, "decoding its primary image");
    const std::unique_ptr<heif_image, ImageRelease> image(decoded);
    const int planeWidth = heif_image_get_width(decoded, heif_channel_interleaved);
    const int planeHeight = heif_image_get_height(decoded, heif_channel_interleaved);
    int stride = 0;
    const std::uint8_t *plane
        = heif_image_get_plane_readonly(decoded, heif_channel_interleaved, &stride);
    if (!plane || planeWidth <= 0 || planeHeight <= 0
        || heif_image_get_bits_per_pixel_range(decoded, heif_channel_interleaved) != 8)
        return Error{ ErrorCode::DecodeFailed,
            QStringLiteral("libheif returned no 8-bit RGB image for the primary item") };
    out.rgb.create(planeHeight, planeWidth, CV_8UC3);
    for (int y = 0; y < planeHeight; ++y)
        std::memcpy(out.rgb.ptr(y), plane + size_t(y) * size_t(stride), size_t(planeWidth) * 3);
    // libheif 1.15 applies clap, irot and imir without saying which: `orientation` stays 1
    // rather than guess, and the size recorded as stored is the one decoded (with clap's crop
    // the coded ispe size is not the image's size turned).
    out.storedWidth = planeWidth;
    out.storedHeight = planeHeight;
    return out;
}

} // namespace forgelens
