#include "forgelens/image/preprocessor.h"

#include "forgelens/image/input_geometry.h"
#include "forgelens/image/native_crop_region.h"

#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/torch.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <utility>

namespace forgelens {
namespace {

namespace F = torch::nn::functional;

constexpr int64_t kMaxResizedPixels = 100'000'000;

// The size a resize step produces from height x width. Throws std::length_error past
// kMaxResizedPixels.
std::pair<int64_t, int64_t> resizedSize(int64_t height, int64_t width, const InputSpec &spec)
{
    const PixelExtent out = resizedExtent({ height, width }, spec);
    const int64_t outHeight = out.height;
    const int64_t outWidth = out.width;
    if (outHeight < 1 || outWidth < 1 || outHeight > kMaxResizedPixels / outWidth)
        throw std::length_error(QStringLiteral("resizing %1 x %2 pixels as the model asks gives "
                                               "%3 x %4, outside what can be analysed")
                                    .arg(width)
                                    .arg(height)
                                    .arg(outWidth)
                                    .arg(outHeight)
                                    .toStdString());
    return { outHeight, outWidth };
}

F::InterpolateFuncOptions interpolateOptions(const InputSpec &spec, int64_t height, int64_t width)
{
    auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{ height, width });
    switch (spec.interpolation) {
    case InputSpec::Interpolation::Nearest: options.mode(torch::kNearest); break;
    case InputSpec::Interpolation::Bilinear:
        options.mode(torch::kBilinear).align_corners(false).antialias(spec.antialias);
        break;
    case InputSpec::Interpolation::Bicubic:
        options.mode(torch::kBicubic).align_corners(false).antialias(spec.antialias);
        break;
    }
    return options;
}

// `full`: the size the batch's image has when decoded whole, for a JPEG decoded reduced; the
// output is then the size the full decode would be resized to.
at::Tensor resize(const at::Tensor &batch, const InputSpec &spec, const PixelExtent &full)
{
    const auto [outHeight, outWidth] = resizedSize(full.height, full.width, spec);
    // torchvision returns the input untouched when the size already matches.
    if (outHeight == batch.size(2) && outWidth == batch.size(3))
        return batch;
    return F::interpolate(batch, interpolateOptions(spec, outHeight, outWidth));
}

// Zero padding that brings each too-small side up to the crop size, split as torchvision's
// center_crop splits it (the extra pixel of an odd difference goes right / bottom).
at::Tensor padToAtLeast(const at::Tensor &batch, int64_t cropHeight, int64_t cropWidth)
{
    const int64_t height = batch.size(2);
    const int64_t width = batch.size(3);
    if (cropHeight <= height && cropWidth <= width)
        return batch;
    const int64_t padW = std::max<int64_t>(cropWidth - width, 0);
    const int64_t padH = std::max<int64_t>(cropHeight - height, 0);
    return F::pad(batch,
        F::PadFuncOptions({ padW / 2, (padW + 1) / 2, padH / 2, (padH + 1) / 2 })
            .mode(torch::kConstant)
            .value(0));
}

// Python's round(): halves go to the even neighbour (banker's rounding), which decides the
// crop offset when the margin is odd.
int64_t roundHalfEven(double value)
{
    return static_cast<int64_t>(std::nearbyint(value));
}

at::Tensor centerCrop(const at::Tensor &batch, int64_t cropHeight, int64_t cropWidth)
{
    const at::Tensor padded = padToAtLeast(batch, cropHeight, cropWidth);
    const int64_t height = padded.size(2);
    const int64_t width = padded.size(3);
    if (height == cropHeight && width == cropWidth)
        return padded;
    const int64_t top = roundHalfEven(double(height - cropHeight) / 2.0);
    const int64_t left = roundHalfEven(double(width - cropWidth) / 2.0);
    return padded.slice(2, top, top + cropHeight).slice(3, left, left + cropWidth);
}

std::pair<int64_t, int64_t> tensorCropExtent(const at::Tensor &batch, const InputSpec &spec)
{
    const PixelExtent crop = forgelens::cropExtent({ batch.size(2), batch.size(3) }, spec);
    return { crop.height, crop.width };
}

at::Tensor tiles(const at::Tensor &batch, const InputSpec &spec)
{
    const auto [tileHeight, tileWidth] = tensorCropExtent(batch, spec);
    const at::Tensor padded = padToAtLeast(batch, tileHeight, tileWidth);
    const int64_t height = padded.size(2);
    const int64_t width = padded.size(3);
    int64_t rows = (height + tileHeight - 1) / tileHeight;
    int64_t cols = (width + tileWidth - 1) / tileWidth;
    if (rows * cols > spec.maxTiles) {
        // Thin the grid to at most maxTiles, keeping tiles roughly square in their spread.
        const auto fit = static_cast<int64_t>(
            std::floor(std::sqrt(double(spec.maxTiles) * double(height) / double(width))));
        rows = std::max<int64_t>(1, std::min(rows, fit));
        cols = std::max<int64_t>(1, std::min<int64_t>(cols, spec.maxTiles / rows));
    }
    std::vector<at::Tensor> out;
    for (int top : tileOrigins(int(height), int(tileHeight), int(rows))) {
        for (int left : tileOrigins(int(width), int(tileWidth), int(cols)))
            out.push_back(padded.slice(2, top, top + tileHeight).slice(3, left, left + tileWidth));
    }
    return torch::cat(out, 0);
}

at::Tensor normalize(const at::Tensor &batch, const InputSpec &spec)
{
    const auto options = torch::TensorOptions().dtype(torch::kFloat32);
    const at::Tensor mean
        = torch::tensor({ spec.mean[0], spec.mean[1], spec.mean[2] }, options).view({ 1, 3, 1, 1 });
    const at::Tensor std
        = torch::tensor({ spec.std[0], spec.std[1], spec.std[2] }, options).view({ 1, 3, 1, 1 });
    // Subtract, then divide: multiplying by 1/std would differ in the last bit.
    return batch.sub(mean).div(std);
}

// Puts the pixels back as stored, for models trained on pixels as stored (PIL and torchvision
// never apply the EXIF orientation): the inverse of each orientation's display transform.
at::Tensor undoOrientation(const at::Tensor &batch, int orientation)
{
    switch (orientation) {
    case 2: return batch.flip({ 3 });
    case 3: return batch.flip({ 2, 3 });
    case 4: return batch.flip({ 2 });
    case 5: return batch.transpose(2, 3);
    case 6: return torch::rot90(batch, 1, { 2, 3 }); // shown turned clockwise: turn it back
    case 7: return batch.transpose(2, 3).flip({ 2, 3 });
    case 8: return torch::rot90(batch, -1, { 2, 3 }); // shown turned anticlockwise
    default: return batch;
    }
}

// Rows [firstRow, firstRow + rows) of the image as float32 [1, 3, rows, W] in the model's value
// range and channel order, as torchvision's to_tensor lays them out.
at::Tensor toFloatRows(const DecodedImage &image, int firstRow, int rows, const InputSpec &spec)
{
    const auto *start = reinterpret_cast<const unsigned char *>(image.constData())
        + size_t(firstRow) * size_t(image.width) * 3;
    at::Tensor pixels = torch::from_blob(
        const_cast<unsigned char *>(start), { rows, image.width, 3 }, torch::kUInt8)
                            .permute({ 2, 0, 1 })
                            .contiguous()
                            .to(torch::kFloat32);
    // In place: same values as div(), without a second copy of the image.
    if (spec.valueMax == 1.0f)
        pixels.div_(255);
    if (spec.bgr)
        pixels = pixels.flip(0);
    return pixels.unsqueeze(0);
}

// The decoded pixels as uint8 [1, 3, H, W]: a view of them, nothing copied.
at::Tensor byteView(const DecodedImage &image)
{
    return torch::from_blob(const_cast<unsigned char *>(image.constData()),
        { 1, image.height, image.width, 3 }, torch::kUInt8)
        .permute({ 0, 3, 1, 2 });
}

// uint8 [N, 3, H, W] to float32 in the model's value range and channel order: the values
// toFloatRows gives, element by element.
at::Tensor bytesToFloat(const at::Tensor &bytes, const InputSpec &spec)
{
    at::Tensor pixels = bytes.contiguous().to(torch::kFloat32);
    if (spec.valueMax == 1.0f)
        pixels.div_(255);
    if (spec.bgr)
        pixels = pixels.flip(1);
    return pixels;
}

// Images at least this large take the strip path when their first resize allows it.
constexpr int64_t kStripMinPixels = 2'000'000;
constexpr int kStripRows = 128;

// The antialiased resize of LibTorch (the one torchvision's tensor Resize calls) is separable
// and resizes the width first, then the height; in the width pass each row is computed on its
// own, and a pass over an axis whose size does not change copies it exactly (weights 1 and 0).
// So the full-size float image never needs to exist: strips of rows are converted and
// width-resized one at a time, and only the narrow result is resized in height. The result is
// bit-identical to resizing the whole image (tst_preprocessor compares both paths), and a
// 12-megapixel photograph then needs about 12 MB of float32 instead of 144 MB, per decode
// thread of a scan. Returns the resized [1, 3, h, w] and the index in spec.order of the step
// after the resize; nullopt when the spec or the image does not allow it.
std::optional<std::pair<at::Tensor, size_t>> resizeInStrips(
    const DecodedImage &image, const InputSpec &spec)
{
    if (spec.resize == InputSpec::Resize::None || !spec.antialias
        || spec.interpolation == InputSpec::Interpolation::Nearest
        || (!spec.applyExifOrientation && image.orientation != 1)
        || int64_t(image.width) * image.height < kStripMinPixels)
        return std::nullopt;
    // Only elementwise steps (normalisation) may come before the resize.
    bool normalizeFirst = false;
    size_t resizeStep = 0;
    for (; resizeStep < spec.order.size(); ++resizeStep) {
        const InputSpec::Step step = spec.order[resizeStep];
        if (step == InputSpec::Step::Resize)
            break;
        if (step == InputSpec::Step::Crop && spec.crop != InputSpec::Crop::None)
            return std::nullopt;
        if (step == InputSpec::Step::Normalize)
            normalizeFirst = true;
    }
    if (resizeStep == spec.order.size())
        return std::nullopt;
    const auto [outHeight, outWidth] = resizedSize(image.fullHeight(), image.fullWidth(), spec);
    if (outWidth >= image.width)
        return std::nullopt;

    std::vector<at::Tensor> strips;
    for (int row = 0; row < image.height; row += kStripRows) {
        const int rows = std::min(kStripRows, image.height - row);
        at::Tensor strip = toFloatRows(image, row, rows, spec);
        if (normalizeFirst)
            strip = normalize(strip, spec);
        strips.push_back(F::interpolate(strip, interpolateOptions(spec, rows, outWidth)));
    }
    at::Tensor narrow = torch::cat(strips, 2);
    strips.clear();
    return std::pair{ F::interpolate(narrow, interpolateOptions(spec, outHeight, outWidth)),
        resizeStep + 1 };
}

Result<at::Tensor> preprocess(const DecodedImage &image, const InputSpec &spec, bool wholeImage)
{
    if (image.isNull() || image.rgb.size() != qsizetype(image.width) * image.height * 3)
        return Error{ ErrorCode::PreprocessFailed,
            QStringLiteral("the decoded image is empty or inconsistent") };
    try {
        torch::NoGradGuard noGrad;
        at::Tensor batch;
        size_t firstStep = 0;
        // The batch's size had the image been decoded whole: as shown, or as stored where the
        // model takes stored pixels.
        const PixelExtent full = spec.applyExifOrientation
            ? PixelExtent{ image.fullHeight(), image.fullWidth() }
            : PixelExtent{ image.storedHeight > 0 ? image.storedHeight : image.fullHeight(),
                  image.storedWidth > 0 ? image.storedWidth : image.fullWidth() };
        // Without a resize, the crop or the tiles select pixels as decoded: they are selected
        // first, in 8 bits, and only they become floats (the same values: the conversion is
        // elementwise). A 224 x 224 centre crop of a 12-megapixel photograph then converts
        // 50 thousand pixels instead of 12 million.
        bool bytes = false;
        bool cropped = false; // the centre crop is taken already
        if (image.isPartial()) {
            // Only the region was decoded (native_crop_region.h): it must hold this model's
            // crop, which is then the batch, as the whole image's crop step would cut it.
            const std::optional<NativeCenterCrop> crop = nativeCenterCrop(spec);
            const std::optional<QRect> shown = crop
                ? nativeCropRect(*crop, image.storedWidth, image.storedHeight, image.orientation)
                : std::nullopt;
            if (!shown || !image.region.contains(*shown))
                return Error{ ErrorCode::PreprocessFailed,
                    QStringLiteral("only part of the image was decoded, and this model reads "
                                   "pixels outside it") };
            const int top = shown->y() - image.region.y();
            const int left = shown->x() - image.region.x();
            batch = byteView(image)
                        .slice(2, top, top + shown->height())
                        .slice(3, left, left + shown->width());
            if (!spec.applyExifOrientation)
                batch = undoOrientation(batch, image.orientation);
            bytes = true;
            cropped = true;
        } else if (auto strips = wholeImage ? std::nullopt : resizeInStrips(image, spec)) {
            std::tie(batch, firstStep) = std::move(*strips);
        } else if (!wholeImage && spec.resize == InputSpec::Resize::None) {
            batch = byteView(image);
            if (!spec.applyExifOrientation)
                batch = undoOrientation(batch, image.orientation);
            bytes = true;
        } else {
            batch = toFloatRows(image, 0, image.height, spec);
            if (!spec.applyExifOrientation)
                batch = undoOrientation(batch, image.orientation);
        }

        for (size_t s = firstStep; s < spec.order.size(); ++s) {
            switch (spec.order[s]) {
            case InputSpec::Step::Resize:
                if (spec.resize != InputSpec::Resize::None && bytes) {
                    batch = bytesToFloat(batch, spec); // a crop taken in 8 bits, then resized
                    bytes = false;
                }
                if (spec.resize != InputSpec::Resize::None)
                    batch = resize(batch, spec,
                        image.reduction > 1 ? full : PixelExtent{ batch.size(2), batch.size(3) });
                break;
            case InputSpec::Step::Crop:
                if (spec.crop == InputSpec::Crop::Center && !cropped) {
                    const auto [cropHeight, cropWidth] = tensorCropExtent(batch, spec);
                    batch = centerCrop(batch, cropHeight, cropWidth);
                } else if (spec.crop == InputSpec::Crop::Tiles) {
                    batch = tiles(batch, spec);
                }
                break;
            case InputSpec::Step::Normalize:
                if (bytes) {
                    batch = bytesToFloat(batch, spec);
                    bytes = false;
                }
                batch = normalize(batch, spec);
                break;
            }
        }
        if (bytes)
            batch = bytesToFloat(batch, spec);
        return batch.contiguous();
    } catch (const c10::Error &e) {
        return Error{ ErrorCode::PreprocessFailed,
            QStringLiteral("LibTorch failed while preparing the input: %1")
                .arg(QString::fromStdString(e.what_without_backtrace())) };
    } catch (const std::bad_alloc &) {
        return Error{ ErrorCode::PreprocessFailed,
            QStringLiteral("not enough memory to prepare this image") };
    } catch (const std::exception &e) {
        return Error{ ErrorCode::PreprocessFailed, QString::fromUtf8(e.what()) };
    }
}

} // namespace

Result<at::Tensor> preprocessImage(const DecodedImage &image, const InputSpec &spec)
{
    return preprocess(image, spec, false);
}

Result<at::Tensor> preprocessWholeImage(const DecodedImage &image, const InputSpec &spec)
{
    return preprocess(image, spec, true);
}

} // namespace forgelens
