#include "container_pixels.h"
#include "orientation_transform.h"
#include "pixel_limit.h"

#include <jxl/decode.h>
#include <jxl/decode_cxx.h>

namespace forgelens {

Result<ContainerPixels> decodeJpegXl(
    std::span<const std::uint8_t> bytes, const DecodeLimits &limits)
{
    // No parallel runner: libjxl decodes on the calling thread (the sandbox forbids others).
    JxlDecoderPtr decoder = JxlDecoderMake(nullptr);
    if (!decoder)
        return Error{ ErrorCode::DecoderOutOfMemory, QStringLiteral("libjxl could not start") };
    if (JxlDecoderSubscribeEvents(decoder.get(), JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE)
            != JXL_DEC_SUCCESS
        || JxlDecoderSetInput(decoder.get(), bytes.data(), bytes.size()) != JXL_DEC_SUCCESS)
        return Error{ ErrorCode::DecodeFailed,
            QStringLiteral("libjxl could not be set up to read this file (out of memory?)") };
    // The input is not closed: libjxl then says a file cut short needs more input (truncated)
    // instead of reporting a generic error.
    // The coded pixels and the real orientation field; the turn is applied below as for every
    // other format. (Left to libjxl, basic info reports the turned size and orientation 1.)
    JxlDecoderSetKeepOrientation(decoder.get(), JXL_TRUE);

    // 8-bit RGB, rows packed; alpha and extra channels are dropped, as for every format.
    const JxlPixelFormat format{ 3, JXL_TYPE_UINT8, JXL_NATIVE_ENDIAN, 0 };
    ContainerPixels out;
    for (;;) {
        const JxlDecoderStatus status = JxlDecoderProcessInput(decoder.get());
        switch (status) {
        case JXL_DEC_BASIC_INFO: {
            JxlBasicInfo info;
            if (JxlDecoderGetBasicInfo(decoder.get(), &info) != JXL_DEC_SUCCESS)
                return Error{ ErrorCode::BadHeader,
                    QStringLiteral("the JPEG XL header could not be read") };
            if (const auto bomb = pixelLimitError(info.xsize, info.ysize, limits))
                return *bomb;
            out.storedWidth = int(info.xsize);
            out.storedHeight = int(info.ysize);
            out.orientation = int(info.orientation) >= 1 && int(info.orientation) <= 8
                ? int(info.orientation)
                : 1;
            break;
        }
        case JXL_DEC_NEED_IMAGE_OUT_BUFFER: {
            const int width = out.storedWidth;
            const int height = out.storedHeight;
            size_t needed = 0;
            if (JxlDecoderImageOutBufferSize(decoder.get(), &format, &needed) != JXL_DEC_SUCCESS
                || needed != size_t(width) * size_t(height) * 3)
                return Error{ ErrorCode::DecodeFailed,
                    QStringLiteral("libjxl asks for an output buffer that does not match the "
                                   "image's %1 × %2 pixels")
                        .arg(width)
                        .arg(height) };
            out.rgb.create(height, width, CV_8UC3);
            if (JxlDecoderSetImageOutBuffer(decoder.get(), &format, out.rgb.data, needed)
                != JXL_DEC_SUCCESS)
                return Error{ ErrorCode::DecodeFailed,
                    QStringLiteral("libjxl refused the output buffer") };
            break;
        }
        case JXL_DEC_FULL_IMAGE:
            // The first frame (an animation's first, as displayed): that is the image analysed.
            applyExifOrientation(out.rgb, out.orientation);
            return out;
        case JXL_DEC_NEED_MORE_INPUT:
            return Error{ ErrorCode::Truncated,
                QStringLiteral("the JPEG XL data ends before the image is complete; the file is "
                               "truncated") };
        case JXL_DEC_SUCCESS:
            return Error{ ErrorCode::DecodeFailed,
                QStringLiteral("the JPEG XL file holds no image frame") };
        case JXL_DEC_ERROR:
        default:
            return Error{ ErrorCode::DecodeFailed,
                QStringLiteral("the JPEG XL data could not be decoded (damaged, or a variant "
                               "libjxl does not support)") };
        }
    }
}

} // namespace forgelens
