#include "jpeg_region_decode.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio> // jpeglib.h needs FILE
#include <cstring>
#include <new>

#include <jpeglib.h>

namespace forgelens {
namespace {

struct RegionErrors {
    jpeg_error_mgr manager; // first: libjpeg hands the callbacks a pointer to it
    std::jmp_buf jump;
};

[[noreturn]] void jumpOut(j_common_ptr cinfo)
{
    std::longjmp(reinterpret_cast<RegionErrors *>(cinfo->err)->jump, 1);
}

void keepQuiet(j_common_ptr)
{
}

struct RegionJob {
    const std::uint8_t *data = nullptr;
    size_t size = 0;
    int storedWidth = 0;
    int storedHeight = 0;
    int left = 0;
    int top = 0;
    int width = 0;
    int height = 0;
    unsigned char *out = nullptr; // width * 3 bytes per row, height rows
};

// Every libjpeg call, in a function whose locals are plain C values: a longjmp out of libjpeg
// skips no destructor. The caller destroys `cinfo`.
bool decodeRows(jpeg_decompress_struct &cinfo, RegionErrors &errors, const RegionJob &job)
{
    if (setjmp(errors.jump))
        return false;
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, job.data, static_cast<unsigned long>(job.size));
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK)
        return false;
    if ((cinfo.num_components != 1 && cinfo.num_components != 3) || cinfo.data_precision != 8
        || int(cinfo.image_width) != job.storedWidth || int(cinfo.image_height) != job.storedHeight)
        return false;
    // Grey and YCbCr (or untransformed RGB) straight to RGB, as OpenCV asks libjpeg for BGR;
    // every other parameter stays at libjpeg's default, as OpenCV leaves it.
    cinfo.out_color_space = JCS_EXT_RGB;
    if (!jpeg_start_decompress(&cinfo) || cinfo.output_components != 3)
        return false;
    const int marginX = cinfo.max_h_samp_factor * DCTSIZE;
    const int marginY = cinfo.max_v_samp_factor * DCTSIZE;
    JDIMENSION firstColumn = JDIMENSION(std::max(0, job.left - marginX));
    JDIMENSION columns
        = JDIMENSION(std::min(job.storedWidth, job.left + job.width + marginX)) - firstColumn;
    jpeg_crop_scanline(&cinfo, &firstColumn, &columns); // widens to whole iMCU columns
    if (int(firstColumn) > job.left || int(firstColumn + columns) < job.left + job.width)
        return false;
    const auto firstRow = JDIMENSION(std::max(0, job.top - marginY));
    if (firstRow > 0 && jpeg_skip_scanlines(&cinfo, firstRow) != firstRow)
        return false;
    JSAMPARRAY row = (*cinfo.mem->alloc_sarray)(
        reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE, columns * 3, 1);
    const size_t rowBytes = size_t(job.width) * 3;
    const size_t skipBytes = size_t(job.left - int(firstColumn)) * 3;
    const auto endRow = JDIMENSION(job.top + job.height);
    while (cinfo.output_scanline < endRow) {
        const JDIMENSION y = cinfo.output_scanline;
        if (jpeg_read_scanlines(&cinfo, row, 1) != 1)
            return false;
        if (int(y) >= job.top)
            std::memcpy(
                job.out + size_t(int(y) - job.top) * rowBytes, row[0] + skipBytes, rowBytes);
    }
    return cinfo.err->num_warnings == 0;
}

} // namespace

std::optional<cv::Mat> decodeJpegRegion(
    std::span<const std::uint8_t> bytes, const QRect &region, int storedWidth, int storedHeight)
{
    if (region.isEmpty() || !QRect(0, 0, storedWidth, storedHeight).contains(region))
        return std::nullopt;
    cv::Mat rgb;
    try {
        rgb.create(region.height(), region.width(), CV_8UC3);
    } catch (const cv::Exception &) {
        return std::nullopt;
    }
    const RegionJob job{ bytes.data(), bytes.size(), storedWidth, storedHeight, region.x(),
        region.y(), region.width(), region.height(), rgb.data };
    jpeg_decompress_struct cinfo{};
    RegionErrors errors{};
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = jumpOut;
    errors.manager.output_message = keepQuiet;
    const bool decoded = decodeRows(cinfo, errors, job);
    jpeg_destroy_decompress(&cinfo); // frees every pool, also after a longjmp
    if (!decoded)
        return std::nullopt;
    return rgb;
}

} // namespace forgelens
