#include "container_pixels.h"
#include "orientation_transform.h"
#include "pixel_limit.h"

#include <avif/avif.h>

#include <memory>

namespace forgelens {
namespace {

struct DecoderDeleter {
    void operator()(avifDecoder *decoder) const { avifDecoderDestroy(decoder); }
};

Error avifError(avifResult result, const char *stage)
{
    const QString reason = QString::fromUtf8(avifResultToString(result));
    if (result == AVIF_RESULT_TRUNCATED_DATA)
        return Error{ ErrorCode::Truncated,
            QStringLiteral("the AVIF data ends early while %1 (%2); the file is truncated")
                .arg(QLatin1String(stage), reason) };
    if (result == AVIF_RESULT_NO_CODEC_AVAILABLE)
        return Error{ ErrorCode::UnsupportedFormat,
            QStringLiteral("no AV1 decoder is available to libavif (%1)").arg(reason) };
    return Error{ ErrorCode::DecodeFailed,
        QStringLiteral("the AVIF could not be decoded while %1: %2")
            .arg(QLatin1String(stage), reason) };
}

} // namespace

Result<ContainerPixels> decodeAvif(std::span<const std::uint8_t> bytes, const DecodeLimits &limits)
{
    std::unique_ptr<avifDecoder, DecoderDeleter> decoder(avifDecoderCreate());
    if (!decoder)
        return Error{ ErrorCode::DecoderOutOfMemory, QStringLiteral("libavif could not start") };
    // One thread: the sandbox's filter forbids starting any (dav1d takes one per core otherwise).
    decoder->maxThreads = 1;
    // libavif's own ceiling (16384 x 16384; 0.11 refuses a larger one) stays: a file over ours
    // is refused below, after the boxes are read and before anything is decoded, with the same
    // message as for every other format.
    decoder->imageSizeLimit = AVIF_DEFAULT_IMAGE_SIZE_LIMIT;
    // Real files from phones and browsers break the letter of the specification in small ways
    // (a missing pixi box) that every viewer accepts; the pixels are what the analyst has.
    decoder->strictFlags = AVIF_STRICT_DISABLED;
    decoder->ignoreExif = AVIF_TRUE; // the metadata layer reads both, through Exiv2
    decoder->ignoreXMP = AVIF_TRUE;
    avifResult result = avifDecoderSetIOMemory(decoder.get(), bytes.data(), bytes.size());
    if (result != AVIF_RESULT_OK)
        return avifError(result, "opening it");
    result = avifDecoderParse(decoder.get());
    if (result != AVIF_RESULT_OK)
        return avifError(result, "reading its boxes");
    avifImage *image = decoder->image;
    if (const auto bomb = pixelLimitError(image->width, image->height, limits))
        return *bomb;
    // The primary image of a still AVIF; the first frame of an animated one (avis).
    result = avifDecoderNextImage(decoder.get());
    if (result != AVIF_RESULT_OK)
        return avifError(result, "decoding its first image");
    image = decoder->image;

    ContainerPixels out;
    out.storedWidth = int(image->width);
    out.storedHeight = int(image->height);
    out.rgb.create(int(image->height), int(image->width), CV_8UC3);
    avifRGBImage rgb;
    avifRGBImageSetDefaults(&rgb, image);
    rgb.format = AVIF_RGB_FORMAT_RGB; // alpha is dropped, as for every format
    rgb.depth = 8; // 10- and 12-bit AVIFs are scaled to 8 bits
    rgb.pixels = out.rgb.data;
    rgb.rowBytes = std::uint32_t(out.rgb.step[0]);
    result = avifImageYUVToRGB(image, &rgb);
    if (result != AVIF_RESULT_OK)
        return avifError(result, "converting it to RGB");

    // libavif reads irot and imir but leaves applying them to the caller.
    const int turns = (image->transformFlags & AVIF_TRANSFORM_IROT) ? image->irot.angle : 0;
    const int mirror = (image->transformFlags & AVIF_TRANSFORM_IMIR) ? image->imir.mode : -1;
    out.orientation = exifOrientationOf(turns, mirror);
    applyExifOrientation(out.rgb, out.orientation);
    return out;
}

} // namespace forgelens
