#include "forgelens/metadata/thumbnail_comparison.h"

#include "forgelens/image/image_header_probe.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <functional>

namespace forgelens {
namespace {

// Decodes to grey, refusing images whose header declares more than `maxPixels`: a thumbnail of
// a few kilobytes can declare 32000 x 32000 pixels.
cv::Mat decodeGrey(std::span<const std::uint8_t> bytes, int flags, qint64 maxPixels)
{
    const Result<ImageHeader> header = probeImageHeader(bytes);
    if (!header || qint64(header->width) * header->height > maxPixels)
        return {};
    const cv::Mat encoded(1, int(bytes.size()), CV_8UC1, const_cast<std::uint8_t *>(bytes.data()));
    return cv::imdecode(encoded, flags | cv::IMREAD_IGNORE_ORIENTATION);
}

// Rows (or columns) of letterbox bars: dark lines at both ends. Only a pair is taken, each at
// most a quarter of the length, so a dark sky or a night scene is not trimmed away.
std::pair<int, int> barPair(int length, const std::function<bool(int)> &dark)
{
    int head = 0;
    int tail = 0;
    while (head < length / 4 && dark(head))
        ++head;
    while (tail < length / 4 && dark(length - 1 - tail))
        ++tail;
    return head > 0 && tail > 0 ? std::pair{ head, tail } : std::pair{ 0, 0 };
}

// Cameras letterbox a 3:2 picture into a 4:3 (160 x 120) thumbnail with black bars: compare
// what is inside the bars.
cv::Mat withoutBlackBars(const cv::Mat &grey)
{
    const auto [top, bottom]
        = barPair(grey.rows, [&grey](int r) { return cv::mean(grey.row(r))[0] < 16.0; });
    const auto [left, right]
        = barPair(grey.cols, [&grey](int c) { return cv::mean(grey.col(c))[0] < 16.0; });
    return grey(cv::Range(top, grey.rows - bottom), cv::Range(left, grey.cols - right));
}

std::optional<ThumbnailComparison> compare(
    const QByteArray &thumbnail, std::span<const std::uint8_t> image)
{
    const cv::Mat thumb = decodeGrey(
        { reinterpret_cast<const std::uint8_t *>(thumbnail.constData()), size_t(thumbnail.size()) },
        cv::IMREAD_GRAYSCALE, 4096 * 4096);
    // An eighth of the size is plenty for a 32 x 32 comparison and decodes much faster.
    const cv::Mat main = decodeGrey(image, cv::IMREAD_REDUCED_GRAYSCALE_8, 210'000'000);
    if (thumb.empty() || main.empty())
        return std::nullopt;

    ThumbnailComparison out;
    out.width = thumb.cols;
    out.height = thumb.rows;
    const cv::Mat content = withoutBlackBars(thumb);
    const double thumbAspect = double(content.cols) / content.rows;
    const double mainAspect = double(main.cols) / main.rows;
    out.aspectDifference = std::abs(thumbAspect / mainAspect - 1.0);

    cv::Mat a, b;
    cv::resize(content, a, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    cv::resize(main, b, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    a.convertTo(a, CV_64F);
    b.convertTo(b, CV_64F);
    cv::Scalar meanA, stdA, meanB, stdB;
    cv::meanStdDev(a, meanA, stdA);
    cv::meanStdDev(b, meanB, stdB);
    if (stdA[0] > 1.0 && stdB[0] > 1.0)
        out.correlation = cv::mean((a - meanA[0]).mul(b - meanB[0]))[0] / (stdA[0] * stdB[0]);
    else // flat images: compare brightness instead
        out.correlation = std::abs(meanA[0] - meanB[0]) < 16.0 ? 1.0 : 0.0;

    // Thresholds leave room for JPEG, resampling and letterboxing; a different picture fails.
    if (out.aspectDifference > 0.1) {
        out.mismatch = true;
        out.reason = QStringLiteral("its aspect ratio differs from the image's by %1 %")
                         .arg(out.aspectDifference * 100.0, 0, 'f', 0);
    } else if (out.correlation < 0.5) {
        out.mismatch = true;
        out.reason = QStringLiteral("its content differs from the image's (correlation %1)")
                         .arg(out.correlation, 0, 'f', 2);
    }
    return out;
}

} // namespace

std::optional<ThumbnailComparison> compareThumbnail(
    const QByteArray &thumbnail, std::span<const std::uint8_t> image)
{
    try {
        return compare(thumbnail, image);
    } catch (const std::exception &) { // cv::Exception, std::bad_alloc: no comparison
        return std::nullopt;
    }
}

} // namespace forgelens
