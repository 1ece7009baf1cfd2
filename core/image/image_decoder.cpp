#include "forgelens/image/image_decoder.h"

#include "forgelens/image/exif_orientation.h"
#include "forgelens/image/image_header_probe.h"

#include "forgelens/image/input_geometry.h"

#include "container_pixels.h"
#include "jpeg_layout.h"
#include "jpeg_region_decode.h"
#include "orientation_transform.h"
#include "pixel_limit.h"

#include <QBuffer>
#include <QImage>
#include <QImageReader>

#include <cstring>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>

namespace forgelens {
namespace {

Error decodeError(ErrorCode code, const QString &message)
{
    return Error{ code, message };
}

// Encoders write at most a few dozen scans (libjpeg's most elaborate progressive script has 10);
// a file with thousands makes libjpeg re-run its whole coefficient buffer for each and take
// minutes. libjpeg-turbo's own tools suggest a limit of this order.
constexpr int kMaxJpegScans = 500;

// With Huffman coding every 8 x 8 block of the component with the largest sampling factors has
// its DC coefficient coded in some scan, and the shortest Huffman code is one bit: so the
// entropy-coded data holds at least one bit per such block. A file with less cannot hold the
// image its header declares (the probe: 694 bytes declaring 14000 x 14000, which libjpeg still
// "decodes" into 588 MB of grey with a warning).
qint64 minimumJpegEntropyBytes(int width, int height)
{
    const qint64 blocks = ((qint64(width) + 7) / 8) * ((qint64(height) + 7) / 8);
    return (blocks + 7) / 8;
}

// Qt's GIF reader returns whatever rows it managed from a file cut short, without an error. The
// first frame is complete when its image data's sub-blocks end with the zero-length block.
bool gifFirstFrameComplete(std::span<const std::uint8_t> bytes)
{
    const size_t size = bytes.size();
    if (size < 13)
        return false;
    const auto colourTableBytes = [](std::uint8_t flags) -> size_t {
        return (flags & 0x80) ? 3u * (size_t(1) << ((flags & 0x07) + 1)) : 0;
    };
    const auto skipSubBlocks = [&bytes, size](size_t &pos) {
        while (pos < size) {
            const size_t length = bytes[pos];
            pos += 1 + length;
            if (length == 0)
                return true;
        }
        return false;
    };
    size_t pos = 13 + colourTableBytes(bytes[10]); // header, logical screen, global table
    while (pos < size) {
        if (bytes[pos] == 0x21) { // extension: introducer, label, sub-blocks
            pos += 2;
            if (!skipSubBlocks(pos))
                return false;
        } else if (bytes[pos] == 0x2C) { // image descriptor, local table, LZW code size, data
            if (pos + 10 > size)
                return false;
            pos += 10 + colourTableBytes(bytes[pos + 9]) + 1;
            return skipSubBlocks(pos);
        } else {
            return false; // the trailer, or garbage, before any image
        }
    }
    return false;
}

// OpenCV 4.6 has no GIF decoder; Qt's built-in one reads the first frame.
Result<cv::Mat> decodeGifFirstFrame(std::span<const std::uint8_t> bytes)
{
    QByteArray data = QByteArray::fromRawData(
        reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
    QBuffer buffer(&data);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, "gif");
    reader.setAutoTransform(false);
    QImage frame = reader.read();
    if (frame.isNull())
        return decodeError(ErrorCode::DecodeFailed,
            QStringLiteral("the GIF could not be decoded: %1").arg(reader.errorString()));
    frame = frame.convertToFormat(QImage::Format_RGB888);
    cv::Mat bgr(frame.height(), frame.width(), CV_8UC3);
    for (int y = 0; y < frame.height(); ++y) {
        const cv::Mat row(1, frame.width(), CV_8UC3, const_cast<uchar *>(frame.constScanLine(y)));
        cv::cvtColor(row, bgr.row(y), cv::COLOR_RGB2BGR);
    }
    return bgr;
}

// Hands a decoder the destination of the RGB pixels as its output matrix, so that it decodes
// straight into the caller's memory. imdecode leaves a placeholder untouched when it cannot read
// the header, so a placeholder with data of its own would pass for a decoded image: this one
// starts empty and receives memory only when the decoder asks for an 8-bit, 3-channel matrix of
// the size the header declared. Anything else comes from OpenCV's own allocator.
class DestinationAllocator final : public cv::MatAllocator {
public:
    DestinationAllocator(int rows, int cols, std::function<unsigned char *(qint64)> destination)
        : m_rows(rows), m_cols(cols), m_destination(std::move(destination))
    {
    }

    unsigned char *given() const { return m_given; }

    cv::UMatData *allocate(int dims, const int *sizes, int type, void *data, size_t *step,
        cv::AccessFlag flags, cv::UMatUsageFlags usage) const override
    {
        if (data || dims != 2 || type != CV_8UC3 || sizes[0] != m_rows || sizes[1] != m_cols
            || m_given)
            return cv::Mat::getStdAllocator()->allocate(
                dims, sizes, type, data, step, flags, usage);
        const size_t rowBytes = size_t(m_cols) * 3;
        if (step) {
            step[1] = 3;
            step[0] = rowBytes;
        }
        m_given = m_destination(qint64(rowBytes) * m_rows);
        auto *u = new cv::UMatData(this);
        u->data = u->origdata = m_given;
        u->size = rowBytes * size_t(m_rows);
        u->flags |= cv::UMatData::USER_ALLOCATED; // the caller owns the memory
        return u;
    }
    bool allocate(cv::UMatData *u, cv::AccessFlag, cv::UMatUsageFlags) const override
    {
        return u != nullptr;
    }
    void deallocate(cv::UMatData *u) const override { delete u; }

private:
    int m_rows;
    int m_cols;
    std::function<unsigned char *(qint64)> m_destination;
    mutable unsigned char *m_given = nullptr;
};

// HEIF, AVIF, JPEG XL and camera RAW go through their own libraries, which orient the image as
// their container says (never from EXIF, which those containers carry only for information).
// Returns nothing for the formats decoded below with OpenCV, and for a TIFF that looked like a
// camera's raw data (SubIFDs, a CFA, a vendor compression) but that LibRaw does not know: it is
// then decoded as a TIFF.
std::optional<Result<DecodedImage>> decodeWithContainerLibrary(std::span<const std::uint8_t> bytes,
    ImageFormat format, const DecodeLimits &limits, PixelTarget target)
{
    Result<ContainerPixels> pixels = Error{ ErrorCode::InternalError, QString() };
    switch (format) {
    case ImageFormat::Heif: pixels = decodeHeif(bytes, limits); break;
    case ImageFormat::Avif: pixels = decodeAvif(bytes, limits); break;
    case ImageFormat::JpegXl: pixels = decodeJpegXl(bytes, limits); break;
    case ImageFormat::Raw: pixels = decodeCameraRaw(bytes, limits); break;
    default: return std::nullopt;
    }
    if (!pixels) {
        // A DNG LibRaw refuses (a newer DNG compression) is not decoded as a TIFF: its first
        // directory is a reduced preview, not the photograph.
        if (format == ImageFormat::Raw && hasClassicTiffSignature(bytes) && !tiffDeclaresDng(bytes)
            && pixels.error().code == ErrorCode::UnsupportedFormat)
            return std::nullopt;
        return Result<DecodedImage>(pixels.error());
    }
    const cv::Mat &rgb = pixels->rgb;
    if (rgb.empty() || rgb.type() != CV_8UC3)
        return Result<DecodedImage>(decodeError(ErrorCode::DecodeFailed,
            QStringLiteral("the %1 decoder returned no image")
                .arg(imageFormatDisplayName(format))));
    if (const auto bomb = pixelLimitError(rgb.cols, rgb.rows, limits))
        return Result<DecodedImage>(*bomb);
    DecodedImage out;
    out.format = format;
    out.width = rgb.cols;
    out.height = rgb.rows;
    out.storedWidth = pixels->storedWidth;
    out.storedHeight = pixels->storedHeight;
    out.orientation = pixels->orientation;
    const qint64 needed = qint64(out.width) * out.height * 3;
    unsigned char *destination = nullptr;
    if (target.data && needed <= target.capacity) {
        destination = target.data;
    } else {
        out.rgb.resize(qsizetype(needed));
        destination = reinterpret_cast<unsigned char *>(out.rgb.data());
    }
    const size_t rowBytes = size_t(out.width) * 3;
    for (int y = 0; y < out.height; ++y)
        std::memcpy(destination + size_t(y) * rowBytes, rgb.ptr(y), rowBytes);
    return Result<DecodedImage>(std::move(out));
}

// The part of a JPEG that `hints.cropFor`'s crops read, decoded alone into `out` (pixels from
// `destinationFor`). false, with `out` untouched, where the crops need the whole image or the
// region decode does not take the file: the caller then decodes it whole.
bool decodeCropRegion(std::span<const std::uint8_t> bytes, const ImageHeader &header,
    const DecodeHints &hints, DecodedImage &out,
    const std::function<unsigned char *(qint64)> &destinationFor)
{
    const std::optional<QRect> stored
        = nativeCropRegion(hints.cropFor, header.width, header.height, out.orientation);
    if (!stored)
        return false;
    std::optional<cv::Mat> pixels = decodeJpegRegion(bytes, *stored, header.width, header.height);
    if (!pixels)
        return false;
    try {
        applyExifOrientation(*pixels, out.orientation);
    } catch (const cv::Exception &) {
        return false;
    }
    const bool turned = out.orientation >= 5; // 5 to 8 swap the sides
    out.storedWidth = header.width;
    out.storedHeight = header.height;
    out.width = pixels->cols;
    out.height = pixels->rows;
    out.region = shownRect(*stored, out.orientation, header.width, header.height);
    out.wholeWidth = turned ? header.height : header.width;
    out.wholeHeight = turned ? header.width : header.height;
    unsigned char *destination = destinationFor(qint64(out.width) * out.height * 3);
    const size_t rowBytes = size_t(out.width) * 3;
    for (int y = 0; y < out.height; ++y)
        std::memcpy(destination + size_t(y) * rowBytes, pixels->ptr(y), rowBytes);
    return true;
}

} // namespace

QString DecodeLimits::validate() const
{
    if (maxPixels < 1)
        return QStringLiteral("the pixel limit must be positive");
    if (maxFileBytes < 1)
        return QStringLiteral("the file size limit must be positive");
    return {};
}

Result<DecodedImage> decodeImage(std::span<const std::uint8_t> bytes, const DecodeLimits &limits,
    DecodeMode mode, PixelTarget target, const DecodeHints &hints)
{
    Result<ImageHeader> header = probeImageHeader(bytes);
    if (!header)
        return header.error();
    if (const auto bomb = pixelLimitError(header->width, header->height, limits))
        return *bomb;
    if (const std::optional<Result<DecodedImage>> decoded
        = decodeWithContainerLibrary(bytes, header->format, limits, target))
        return *decoded;
    if (header->format == ImageFormat::Raw)
        header->format = ImageFormat::Tiff; // a TIFF LibRaw does not know as a camera's raw
    bool jpegTruncated = false;
    if (header->format == ImageFormat::Jpeg) {
        const JpegLayout layout = walkJpeg(bytes);
        jpegTruncated = !layout.endsProperly;
        if (jpegTruncated && mode == DecodeMode::Strict)
            return decodeError(ErrorCode::Truncated,
                QStringLiteral("the JPEG data ends before its end-of-image marker; "
                               "the file is truncated or damaged"));
        if (layout.scans > kMaxJpegScans)
            return decodeError(ErrorCode::JpegTooManyScans,
                QStringLiteral("the JPEG has %1 scans, more than the %2 any encoder writes; not "
                               "decoded (such files keep a decoder busy for minutes)")
                    .arg(layout.scans)
                    .arg(kMaxJpegScans));
        const qint64 needed = minimumJpegEntropyBytes(header->width, header->height);
        if (layout.huffman && layout.entropyBytes < needed)
            return decodeError(ErrorCode::Truncated,
                QStringLiteral("the JPEG's compressed data (%1 bytes) is too small for the %2 × %3 "
                               "pixels its header declares (at least %4 bytes); the file is "
                               "damaged or crafted, and is not decoded")
                    .arg(layout.entropyBytes)
                    .arg(header->width)
                    .arg(header->height)
                    .arg(needed));
    }

    // libjpeg's DCT scaling; its output has each side divided and rounded up.
    const int reduction = header->format == ImageFormat::Jpeg && mode == DecodeMode::Strict
        ? jpegReduction(header->width, header->height, hints.reduceFor)
        : 1;
    const int decodedWidth = (header->width + reduction - 1) / reduction;
    const int decodedHeight = (header->height + reduction - 1) / reduction;

    DecodedImage out;
    out.format = header->format;
    out.truncated = jpegTruncated;
    out.orientation = hints.exifOrientation.value_or(0);
    if (out.orientation < 1 || out.orientation > 8)
        out.orientation = readExifOrientation(bytes);
    // Where the RGB pixels go: the caller's memory when they fit, `rgb` otherwise.
    const auto destinationFor = [&](qint64 bytesNeeded) {
        if (target.data && bytesNeeded <= target.capacity)
            return target.data;
        out.rgb.resize(qsizetype(bytesNeeded));
        return reinterpret_cast<unsigned char *>(out.rgb.data());
    };
    try {
        if (header->format == ImageFormat::Jpeg && mode == DecodeMode::Strict
            && decodeCropRegion(bytes, *header, hints, out, destinationFor))
            return out;
    } catch (const std::bad_alloc &) {
        return decodeError(ErrorCode::DecoderOutOfMemory,
            QStringLiteral("not enough memory to decode this image within the limit"));
    }
    unsigned char *inPlace = nullptr; // set when the decoder wrote straight to the destination
    // Declared before the matrices whose memory it may hand out: they release it through it.
    DestinationAllocator allocator(decodedHeight, decodedWidth, destinationFor);

    cv::Mat bgr;
    try {
        if (header->format == ImageFormat::Gif) {
            if (!gifFirstFrameComplete(bytes))
                return decodeError(ErrorCode::Truncated,
                    QStringLiteral("the GIF data ends inside its first image; the file is "
                                   "truncated or damaged"));
            Result<cv::Mat> gif = decodeGifFirstFrame(bytes);
            if (!gif)
                return gif.error();
            bgr = std::move(gif).value();
        } else {
            const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                const_cast<std::uint8_t *>(bytes.data()));
            // Orientation is applied below from Exiv2's reading, the same way for every format.
            // OpenCV hands a reduced read of a JPEG to libjpeg's scale_denom.
            const int colour = reduction == 8 ? cv::IMREAD_REDUCED_COLOR_8
                : reduction == 4              ? cv::IMREAD_REDUCED_COLOR_4
                : reduction == 2              ? cv::IMREAD_REDUCED_COLOR_2
                                              : cv::IMREAD_COLOR;
            const int flags = colour | cv::IMREAD_IGNORE_ORIENTATION;
            if (out.orientation == 1) {
                // Nothing to turn: the decoder writes into the destination itself, so a
                // 50-megapixel photograph needs no second 150 MB buffer, and the channels are
                // swapped in place below.
                cv::Mat placeholder;
                placeholder.allocator = &allocator;
                bgr = cv::imdecode(encoded, flags, &placeholder);
                if (!bgr.empty() && bgr.data == allocator.given())
                    inPlace = allocator.given();
            } else {
                bgr = cv::imdecode(encoded, flags);
            }
        }
        if (bgr.empty())
            return decodeError(ErrorCode::DecodeFailed,
                QStringLiteral("the %1 data could not be decoded (damaged or "
                               "truncated, or a variant the decoder does not "
                               "support)")
                    .arg(imageFormatName(header->format).toUpper()));
        if (bgr.cols != decodedWidth || bgr.rows != decodedHeight)
            return decodeError(ErrorCode::DecodeFailed,
                QStringLiteral("the decoder produced %1 × %2 pixels but the "
                               "header declares %3 × %4")
                    .arg(bgr.cols)
                    .arg(bgr.rows)
                    .arg(decodedWidth)
                    .arg(decodedHeight));

        out.storedWidth = header->width;
        out.storedHeight = header->height;
        applyExifOrientation(bgr, out.orientation);
        out.width = bgr.cols;
        out.height = bgr.rows;
        if (reduction > 1) {
            const bool turned = out.orientation >= 5; // 5 to 8 swap the sides
            out.reduction = reduction;
            out.wholeWidth = turned ? header->height : header->width;
            out.wholeHeight = turned ? header->width : header->height;
        }
        unsigned char *destination
            = inPlace ? inPlace : destinationFor(qint64(out.width) * out.height * 3);
        // A second header over the same memory when in place: cvtColor copies its input first
        // when given one object as both, and swapping B and R pixel by pixel needs no copy.
        cv::Mat rgb(out.height, out.width, CV_8UC3, destination);
        cv::cvtColor(inPlace ? cv::Mat(out.height, out.width, CV_8UC3, inPlace) : bgr, rgb,
            cv::COLOR_BGR2RGB);
        return out;
    } catch (const cv::Exception &e) {
        if (e.code == cv::Error::StsNoMem)
            return decodeError(ErrorCode::DecoderOutOfMemory,
                QStringLiteral("not enough memory to decode this image within the limit"));
        return decodeError(ErrorCode::DecodeFailed,
            QStringLiteral("the decoder failed: %1").arg(QString::fromStdString(e.err)));
    } catch (const std::bad_alloc &) {
        return decodeError(ErrorCode::DecoderOutOfMemory,
            QStringLiteral("not enough memory to decode this image within the limit"));
    } catch (const std::exception &e) {
        return decodeError(ErrorCode::DecodeFailed,
            QStringLiteral("the decoder failed: %1").arg(QString::fromUtf8(e.what())));
    }
}

} // namespace forgelens
