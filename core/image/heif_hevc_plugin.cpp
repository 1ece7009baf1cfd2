#include "heif_hevc_plugin.h"

#include <libde265/de265.h>
#include <libheif/heif.h>
#include <libheif/heif_plugin.h>

#include <cstdint>
#include <cstring>

namespace forgelens {
namespace {

struct HevcDecoder {
    de265_decoder_context *context = nullptr;
    bool strict = false;
};

heif_error success()
{
    return { heif_error_Ok, heif_suberror_Unspecified, "Success" };
}

heif_error decodeError(const char *message)
{
    return { heif_error_Decoder_plugin_error, heif_suberror_Unspecified, message };
}

const char *pluginName()
{
    return "ForgeLens libde265 (single thread)";
}

int supportsFormat(heif_compression_format format)
{
    // Above libheif's own libde265 plugin (100), so this one is chosen for HEVC.
    return format == heif_compression_HEVC ? 200 : 0;
}

heif_error newDecoder(void **decoder)
{
    auto *hevc = new HevcDecoder;
    // No de265_start_worker_threads: decoding runs on the thread that asks for the image.
    hevc->context = de265_new_decoder();
    if (!hevc->context) {
        delete hevc;
        return decodeError("libde265 could not start");
    }
    *decoder = hevc;
    return success();
}

void freeDecoder(void *decoder)
{
    auto *hevc = static_cast<HevcDecoder *>(decoder);
    if (hevc->context)
        de265_free_decoder(hevc->context);
    delete hevc;
}

void setStrict(void *decoder, int flag)
{
    static_cast<HevcDecoder *>(decoder)->strict = flag != 0;
}

// libheif hands over the item's NAL units (the hvcC parameter sets first), each preceded by its
// length as a 4-byte big-endian number.
heif_error pushData(void *decoder, const void *data, size_t size)
{
    auto *hevc = static_cast<HevcDecoder *>(decoder);
    const auto *bytes = static_cast<const std::uint8_t *>(data);
    size_t at = 0;
    while (at < size) {
        if (size - at < 4)
            return decodeError("HEVC data ends inside a NAL unit's length");
        const size_t length = (size_t(bytes[at]) << 24) | (size_t(bytes[at + 1]) << 16)
            | (size_t(bytes[at + 2]) << 8) | size_t(bytes[at + 3]);
        at += 4;
        if (length > size - at || length > size_t(INT32_MAX))
            return decodeError("an HEVC NAL unit runs past the end of the item's data");
        const de265_error pushed
            = de265_push_NAL(hevc->context, bytes + at, int(length), 0, nullptr);
        if (!de265_isOK(pushed))
            return decodeError(de265_get_error_text(pushed));
        at += length;
    }
    return success();
}

// The decoded picture's planes as a heif_image of the same chroma format and bit depth; libheif
// converts it to RGB and applies the item's transforms.
heif_error toHeifImage(const de265_image *picture, heif_image **out)
{
    const de265_chroma chroma = de265_get_chroma_format(picture);
    heif_chroma heifChroma = heif_chroma_monochrome;
    switch (chroma) {
    case de265_chroma_mono: heifChroma = heif_chroma_monochrome; break;
    case de265_chroma_420: heifChroma = heif_chroma_420; break;
    case de265_chroma_422: heifChroma = heif_chroma_422; break;
    case de265_chroma_444: heifChroma = heif_chroma_444; break;
    default: return decodeError("unknown HEVC chroma format");
    }
    const bool mono = chroma == de265_chroma_mono;
    heif_image *image = nullptr;
    heif_error error
        = heif_image_create(de265_get_image_width(picture, 0), de265_get_image_height(picture, 0),
            mono ? heif_colorspace_monochrome : heif_colorspace_YCbCr, heifChroma, &image);
    if (error.code != heif_error_Ok)
        return error;
    const heif_channel channels[3] = { heif_channel_Y, heif_channel_Cb, heif_channel_Cr };
    for (int c = 0; c < (mono ? 1 : 3); ++c) {
        const int width = de265_get_image_width(picture, c);
        const int height = de265_get_image_height(picture, c);
        const int bits = de265_get_bits_per_pixel(picture, c);
        int sourceStride = 0;
        const std::uint8_t *source = de265_get_image_plane(picture, c, &sourceStride);
        if (!source || width <= 0 || height <= 0 || bits <= 0 || bits > 16) {
            heif_image_release(image);
            return decodeError("the HEVC decoder returned an incomplete picture");
        }
        error = heif_image_add_plane(image, channels[c], width, height, bits);
        if (error.code != heif_error_Ok) {
            heif_image_release(image);
            return error;
        }
        int targetStride = 0;
        std::uint8_t *target = heif_image_get_plane(image, channels[c], &targetStride);
        const size_t rowBytes = size_t(width) * size_t((bits + 7) / 8);
        for (int y = 0; y < height; ++y)
            std::memcpy(target + size_t(y) * size_t(targetStride),
                source + size_t(y) * size_t(sourceStride), rowBytes);
    }
    *out = image;
    return success();
}

heif_error decodeImage(void *decoder, heif_image **out)
{
    auto *hevc = static_cast<HevcDecoder *>(decoder);
    *out = nullptr;
    de265_flush_data(hevc->context);
    heif_error result = success();
    int more = 0;
    do {
        more = 0;
        const de265_error decoded = de265_decode(hevc->context, &more);
        if (decoded != DE265_OK) {
            if (decoded != DE265_ERROR_WAITING_FOR_INPUT_DATA && hevc->strict && !*out)
                result = decodeError(de265_get_error_text(decoded));
            break;
        }
        if (const de265_image *picture = de265_get_next_picture(hevc->context)) {
            if (!*out)
                result = toHeifImage(picture, out);
            de265_release_next_picture(hevc->context);
        }
    } while (more && result.code == heif_error_Ok);
    if (result.code == heif_error_Ok && !*out)
        result = decodeError("the HEVC data holds no picture (damaged or truncated)");
    return result;
}

// AV1 items reached through libheif: refused, with a reason an analyst can act on.
const char *av1PluginName()
{
    return "ForgeLens AV1 refusal";
}

int supportsAv1(heif_compression_format format)
{
    return format == heif_compression_AV1 ? 200 : 0; // above libheif's dav1d (150) and aom (100)
}

heif_error refuseAv1(void **)
{
    return { heif_error_Unsupported_feature, heif_suberror_Unsupported_codec,
        "an AV1-coded item in a HEIF file without the avif brand; ForgeLens decodes AV1 only in "
        "AVIF files (libavif)" };
}

void freeNothing(void *)
{
}

heif_error pushNothing(void *, const void *, size_t)
{
    return success();
}

heif_error decodeNothing(void *, heif_image **)
{
    return refuseAv1(nullptr);
}

const heif_decoder_plugin kAv1Refusal = [] {
    heif_decoder_plugin plugin{};
    plugin.plugin_api_version = 3;
    plugin.get_plugin_name = &av1PluginName;
    plugin.does_support_format = &supportsAv1;
    plugin.new_decoder = &refuseAv1;
    plugin.free_decoder = &freeNothing;
    plugin.push_data = &pushNothing;
    plugin.decode_image = &decodeNothing;
    plugin.set_strict_decoding = [](void *, int) {};
    plugin.id_name = "forgelens-av1-refusal";
    return plugin;
}();

const heif_decoder_plugin kPlugin = [] {
    heif_decoder_plugin plugin{};
    plugin.plugin_api_version = 3;
    plugin.get_plugin_name = &pluginName;
    plugin.does_support_format = &supportsFormat;
    plugin.new_decoder = &newDecoder;
    plugin.free_decoder = &freeDecoder;
    plugin.push_data = &pushData;
    plugin.decode_image = &decodeImage;
    plugin.set_strict_decoding = &setStrict;
    plugin.id_name = "forgelens-libde265";
    return plugin;
}();

} // namespace

bool registerSingleThreadHevcDecoder()
{
    static const bool registered = [] {
        return heif_init(nullptr).code == heif_error_Ok
            && heif_register_decoder_plugin(&kPlugin).code == heif_error_Ok
            && heif_register_decoder_plugin(&kAv1Refusal).code == heif_error_Ok;
    }();
    return registered;
}

} // namespace forgelens
