// The crop-only JPEG decode (core/image/native_crop_region.h, jpeg_region_decode.h): which
// models allow it, where the region lies for every orientation, that its pixels are the full
// decode's bit for bit on every JPEG layout libjpeg writes, that preprocessing from it gives
// the same tensors, and that everything else is decoded whole.
#include "forgelens/image/image_decoder.h"
#include "forgelens/image/input_geometry.h"
#include "forgelens/image/native_crop_region.h"
#include "forgelens/image/preprocessor.h"

#include <QTest>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include <jpeglib.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <torch/torch.h>

using namespace forgelens;

namespace {

std::span<const std::uint8_t> view(const std::vector<uchar> &bytes)
{
    return { bytes.data(), bytes.size() };
}

// How libjpeg lays a JPEG out: every choice its encoder offers that changes what the decoder
// does (sampling, progressive scans, restart markers, arithmetic coding, colour transform).
struct Layout {
    int components = 3; // 1 grey, 3 colour, 4 CMYK
    int lumaH = 2; // the first component's sampling factors; the others have 1 x 1
    int lumaV = 2;
    bool progressive = false;
    int restartInterval = 0; // MCUs
    bool arithmetic = false;
    bool untransformedRgb = false; // stored as R, G, B (Adobe transform 0), not YCbCr
};

// A photograph-like scene (waves plus noise), written by libjpeg itself with `layout`.
std::vector<uchar> encodeJpeg(int width, int height, const Layout &layout, unsigned seed)
{
    std::mt19937 random(seed);
    std::vector<unsigned char> pixels(size_t(width) * height * layout.components);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < layout.components; ++c) {
                const double wave = 128 + 60 * std::sin(x * 0.05 * (c + 1) + y * 0.031);
                const double value = wave + double(random() % 61) - 30;
                pixels[(size_t(y) * width + x) * layout.components + c]
                    = static_cast<unsigned char>(std::clamp(value, 0.0, 255.0));
            }
        }
    }
    jpeg_compress_struct cinfo{};
    jpeg_error_mgr errors{};
    cinfo.err = jpeg_std_error(&errors);
    jpeg_create_compress(&cinfo);
    unsigned char *memory = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&cinfo, &memory, &size);
    cinfo.image_width = JDIMENSION(width);
    cinfo.image_height = JDIMENSION(height);
    cinfo.input_components = layout.components;
    cinfo.in_color_space = layout.components == 4 ? JCS_CMYK
        : layout.components == 3                  ? JCS_RGB
                                                  : JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    if (layout.untransformedRgb)
        jpeg_set_colorspace(&cinfo, JCS_RGB);
    jpeg_set_quality(&cinfo, 88, TRUE);
    cinfo.comp_info[0].h_samp_factor = layout.lumaH;
    cinfo.comp_info[0].v_samp_factor = layout.lumaV;
    for (int c = 1; c < cinfo.num_components; ++c)
        cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
    if (layout.progressive)
        jpeg_simple_progression(&cinfo);
    cinfo.restart_interval = JDIMENSION(layout.restartInterval);
    cinfo.arith_code = layout.arithmetic ? TRUE : FALSE;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = &pixels[size_t(cinfo.next_scanline) * width * layout.components];
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    std::vector<uchar> bytes(memory, memory + size);
    std::free(memory);
    jpeg_destroy_compress(&cinfo);
    return bytes;
}

InputSpec codeNative(int crop = 224) // CoDE's converter: a centre crop at native resolution
{
    InputSpec spec;
    spec.resize = InputSpec::Resize::None;
    spec.crop = InputSpec::Crop::Center;
    spec.cropHeight = spec.cropWidth = crop;
    spec.mean = { 0.485f, 0.456f, 0.406f };
    spec.std = { 0.229f, 0.224f, 0.225f };
    return spec;
}

NativeCenterCrop crop(int height, int width, bool applyExifOrientation = true)
{
    return NativeCenterCrop{ height, width, true, applyExifOrientation };
}

// The region's pixels against the same rectangle of the whole decode.
bool samePixels(const DecodedImage &part, const DecodedImage &whole)
{
    if (part.region.right() >= whole.width || part.region.bottom() >= whole.height)
        return false;
    const size_t rowBytes = size_t(part.width) * 3;
    for (int y = 0; y < part.height; ++y) {
        const unsigned char *wholeRow = whole.constData()
            + (size_t(part.region.y() + y) * size_t(whole.width) + size_t(part.region.x())) * 3;
        if (std::memcmp(part.constData() + size_t(y) * rowBytes, wholeRow, rowBytes) != 0)
            return false;
    }
    return true;
}

} // namespace

Q_DECLARE_METATYPE(Layout)

class TestJpegRegionDecode : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void onlyACentreCropBeforeAnyResizeIsNative();
    void regionHoldsEveryCropForEveryOrientation_data();
    void regionHoldsEveryCropForEveryOrientation();
    void storedAndShownRectanglesAreInverses();
    void regionPixelsAreTheFullDecodes_data();
    void regionPixelsAreTheFullDecodes();
    void preprocessedInputIsBitIdentical_data();
    void preprocessedInputIsBitIdentical();
    void everythingElseIsDecodedWhole();
    void aWarningSendsTheFileToTheWholeDecode();
    void preprocessRefusesAModelReadingOutsideTheRegion();
};

void TestJpegRegionDecode::onlyACentreCropBeforeAnyResizeIsNative()
{
    const InputSpec code = codeNative();
    QCOMPARE(nativeCenterCrop(code), std::optional(crop(224, 224)));
    InputSpec stored = code;
    stored.applyExifOrientation = false;
    stored.cropPad = false;
    QCOMPARE(nativeCenterCrop(stored), std::optional(NativeCenterCrop{ 224, 224, false, false }));
    InputSpec normaliseFirst = code; // elementwise: it does not select pixels
    normaliseFirst.order
        = { InputSpec::Step::Normalize, InputSpec::Step::Crop, InputSpec::Step::Resize };
    QVERIFY(nativeCenterCrop(normaliseFirst));
    InputSpec cropThenResize = code; // the crop is still taken from native pixels
    cropThenResize.resize = InputSpec::Resize::Exact;
    cropThenResize.resizeHeight = cropThenResize.resizeWidth = 112;
    cropThenResize.order
        = { InputSpec::Step::Crop, InputSpec::Step::Resize, InputSpec::Step::Normalize };
    QVERIFY(nativeCenterCrop(cropThenResize));

    InputSpec resizeFirst = code; // the bench's manifest: the crop is of resized pixels
    resizeFirst.resize = InputSpec::Resize::ShorterSide;
    resizeFirst.resizeHeight = 256;
    QVERIFY(!nativeCenterCrop(resizeFirst));
    InputSpec tiles = code; // tiles spread over the whole image
    tiles.crop = InputSpec::Crop::Tiles;
    QVERIFY(!nativeCenterCrop(tiles));
    InputSpec whole = code;
    whole.crop = InputSpec::Crop::None;
    QVERIFY(!nativeCenterCrop(whole));
}

void TestJpegRegionDecode::regionHoldsEveryCropForEveryOrientation_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<std::vector<NativeCenterCrop>>("crops");
    QTest::addColumn<int>("orientation");
    QTest::addColumn<QRect>("expected"); // stored pixels; empty: decoded whole
    using Crops = std::vector<NativeCenterCrop>;
    // torchvision's CenterCrop: top = round((H - h) / 2), halves to even.
    QTest::newRow("12 MP") << 4000 << 3000 << Crops{ crop(224, 224) } << 1
                           << QRect(1888, 1388, 224, 224);
    // (4001 - 224) / 2 = 1888.5 rounds to 1888; (3001 - 224) / 2 = 1388.5 to 1388.
    QTest::newRow("odd sides") << 4001 << 3001 << Crops{ crop(224, 224) } << 1
                               << QRect(1888, 1388, 224, 224);
    // Shown turned (6): a 100 x 300 crop as shown stands 300 x 100 in the stored pixels.
    QTest::newRow("turned") << 4000 << 3000 << Crops{ crop(100, 300) } << 6
                            << QRect(1950, 1350, 100, 300);
    // The same crop taken from the stored pixels does not turn with the image.
    QTest::newRow("stored pixels")
        << 4000 << 3000 << Crops{ crop(100, 300, false) } << 6 << QRect(1850, 1450, 300, 100);
    // Mirrored (2) with an odd margin: the shown crop's left edge is (1001 - 224) / 2 = 388.5,
    // rounded to 388; in the stored pixels it is 1001 - 388 - 224 = 389.
    QTest::newRow("mirrored, odd")
        << 1001 << 800 << Crops{ crop(224, 224) } << 2 << QRect(389, 288, 224, 224);
    QTest::newRow("two crops") << 4000 << 3000 << Crops{ crop(224, 224), crop(100, 400) } << 1
                               << QRect(1800, 1388, 400, 224);
    QTest::newRow("crop larger than the image")
        << 200 << 3000 << Crops{ crop(224, 224) } << 1 << QRect();
    QTest::newRow("more than half of the image")
        << 300 << 300 << Crops{ crop(224, 224) } << 1 << QRect();
    QTest::newRow("no crops") << 4000 << 3000 << Crops{} << 1 << QRect();
}

void TestJpegRegionDecode::regionHoldsEveryCropForEveryOrientation()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(std::vector<NativeCenterCrop>, crops);
    QFETCH(int, orientation);
    QFETCH(QRect, expected);
    const std::optional<QRect> region = nativeCropRegion(crops, width, height, orientation);
    QCOMPARE(region.value_or(QRect()), expected);
    if (!region)
        return;
    // Every crop lies where scoredRegions, which reports show, says it lies.
    for (const NativeCenterCrop &c : crops) {
        const std::optional<QRect> shown = nativeCropRect(c, width, height, orientation);
        QVERIFY(shown);
        QVERIFY(region->contains(storedRect(*shown, orientation, width, height)));
        InputSpec spec = codeNative();
        spec.cropHeight = c.height;
        spec.cropWidth = c.width;
        spec.applyExifOrientation = c.applyExifOrientation;
        const bool turned = orientation >= 5;
        const std::vector<QRect> scored = scoredRegions(
            spec, turned ? height : width, turned ? width : height, width, height, orientation);
        QCOMPARE(scored, std::vector<QRect>{ *shown });
    }
}

void TestJpegRegionDecode::storedAndShownRectanglesAreInverses()
{
    const QRect stored(13, 7, 50, 20);
    for (int orientation = 1; orientation <= 8; ++orientation) {
        const QRect shown = shownRect(stored, orientation, 200, 100);
        const bool turned = orientation >= 5;
        QVERIFY(QRect(0, 0, turned ? 100 : 200, turned ? 200 : 100).contains(shown));
        QCOMPARE(storedRect(shown, orientation, 200, 100), stored);
    }
    // Orientation 6 is shown turned clockwise: the stored top-left corner goes to the top right.
    QCOMPARE(shownRect(QRect(0, 0, 1, 1), 6, 200, 100), QRect(99, 0, 1, 1));
}

void TestJpegRegionDecode::regionPixelsAreTheFullDecodes_data()
{
    QTest::addColumn<Layout>("layout");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    // Sides that divide by no iMCU, so the last row and column of blocks are partial.
    QTest::newRow("4:2:0") << Layout{ 3, 2, 2 } << 613 << 459;
    QTest::newRow("4:4:4") << Layout{ 3, 1, 1 } << 517 << 389;
    QTest::newRow("4:2:2") << Layout{ 3, 2, 1 } << 601 << 401;
    QTest::newRow("4:4:0") << Layout{ 3, 1, 2 } << 433 << 611;
    QTest::newRow("4:1:1") << Layout{ 3, 4, 1 } << 645 << 300;
    QTest::newRow("3 x 2") << Layout{ 3, 3, 2 } << 500 << 500;
    QTest::newRow("grey") << Layout{ 1, 1, 1 } << 480 << 353;
    QTest::newRow("progressive 4:2:0") << Layout{ 3, 2, 2, true } << 613 << 459;
    QTest::newRow("progressive grey") << Layout{ 1, 1, 1, true } << 480 << 353;
    QTest::newRow("restart markers") << Layout{ 3, 2, 2, false, 3 } << 613 << 459;
    QTest::newRow("arithmetic") << Layout{ 3, 2, 2, false, 0, true } << 613 << 459;
    QTest::newRow("progressive arithmetic") << Layout{ 3, 2, 1, true, 0, true } << 601 << 401;
    QTest::newRow("untransformed RGB") << Layout{ 3, 1, 1, false, 0, false, true } << 517 << 389;
}

void TestJpegRegionDecode::regionPixelsAreTheFullDecodes()
{
    QFETCH(Layout, layout);
    QFETCH(int, width);
    QFETCH(int, height);
    const std::vector<uchar> jpeg = encodeJpeg(width, height, layout, unsigned(width * height));
    // Crops of every parity (odd, even, one pixel), centred, for every orientation: each
    // orientation moves the region to another part of the stored pixels.
    const std::vector<std::pair<int, int>> sizes{ { 224, 224 }, { 33, 47 }, { 1, 1 }, { 160, 96 } };
    int partial = 0;
    for (int orientation = 1; orientation <= 8; ++orientation) {
        DecodeHints wholeHints;
        wholeHints.exifOrientation = orientation;
        const Result<DecodedImage> whole
            = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, wholeHints);
        QVERIFY(whole.ok());
        QVERIFY(!whole->isPartial());
        for (const auto &[cropHeight, cropWidth] : sizes) {
            for (const bool shownPixels : { true, false }) {
                DecodeHints hints = wholeHints;
                hints.cropFor = { crop(cropHeight, cropWidth, shownPixels) };
                const Result<DecodedImage> part
                    = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, hints);
                QVERIFY(part.ok());
                QVERIFY2(part->isPartial(),
                    qPrintable(QStringLiteral("%1 x %2, orientation %3")
                                   .arg(cropWidth)
                                   .arg(cropHeight)
                                   .arg(orientation)));
                ++partial;
                QCOMPARE(
                    part->region, *nativeCropRect(hints.cropFor[0], width, height, orientation));
                QCOMPARE(part->width, part->region.width());
                QCOMPARE(part->height, part->region.height());
                QCOMPARE(part->fullWidth(), whole->width);
                QCOMPARE(part->fullHeight(), whole->height);
                QCOMPARE(part->storedWidth, width);
                QCOMPARE(part->storedHeight, height);
                QCOMPARE(part->orientation, orientation);
                QVERIFY2(samePixels(*part, *whole),
                    qPrintable(QStringLiteral("%1 x %2 crop, orientation %3, %4 pixels")
                                   .arg(cropWidth)
                                   .arg(cropHeight)
                                   .arg(orientation)
                                   .arg(shownPixels ? QStringLiteral("shown")
                                                    : QStringLiteral("stored"))));
            }
        }
    }
    QCOMPARE(partial, 8 * 4 * 2);
}

void TestJpegRegionDecode::preprocessedInputIsBitIdentical_data()
{
    QTest::addColumn<InputSpec>("spec");
    QTest::addColumn<int>("orientation");
    QTest::newRow("CoDE") << codeNative() << 1;
    QTest::newRow("CoDE, turned") << codeNative() << 6;
    InputSpec stored = codeNative();
    stored.applyExifOrientation = false;
    QTest::newRow("stored pixels, turned") << stored << 8;
    InputSpec bgr = codeNative(97);
    bgr.bgr = true;
    bgr.valueMax = 255.0f;
    QTest::newRow("BGR, 0-255, odd crop, mirrored") << bgr << 4;
    InputSpec cropThenResize = codeNative();
    cropThenResize.resize = InputSpec::Resize::Exact;
    cropThenResize.resizeHeight = cropThenResize.resizeWidth = 112;
    cropThenResize.antialias = true;
    cropThenResize.order
        = { InputSpec::Step::Crop, InputSpec::Step::Resize, InputSpec::Step::Normalize };
    QTest::newRow("crop, then resize") << cropThenResize << 7;
    InputSpec normaliseFirst = codeNative();
    normaliseFirst.order
        = { InputSpec::Step::Normalize, InputSpec::Step::Crop, InputSpec::Step::Resize };
    QTest::newRow("normalise first") << normaliseFirst << 5;
}

void TestJpegRegionDecode::preprocessedInputIsBitIdentical()
{
    QFETCH(InputSpec, spec);
    QFETCH(int, orientation);
    const std::vector<uchar> jpeg = encodeJpeg(1203, 901, Layout{}, 7);
    DecodeHints hints;
    hints.exifOrientation = orientation;
    const Result<DecodedImage> whole = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, hints);
    hints.cropFor = { *nativeCenterCrop(spec) };
    const Result<DecodedImage> part = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(whole.ok() && part.ok());
    QVERIFY(part->isPartial());
    const Result<at::Tensor> fromPart = preprocessImage(*part, spec);
    const Result<at::Tensor> fromWhole = preprocessImage(*whole, spec);
    const Result<at::Tensor> reference = preprocessWholeImage(*whole, spec);
    QVERIFY2(fromPart.ok(), fromPart.ok() ? "" : qPrintable(fromPart.error().message));
    QVERIFY(fromWhole.ok() && reference.ok());
    QCOMPARE(fromPart->sizes().vec(), reference->sizes().vec());
    QVERIFY(torch::equal(*fromPart, *fromWhole));
    QVERIFY(torch::equal(*fromPart, *reference));
}

void TestJpegRegionDecode::everythingElseIsDecodedWhole()
{
    DecodeHints hints;
    hints.cropFor = { crop(64, 64) };
    // CMYK: OpenCV converts it with its own arithmetic, which the region decode does not repeat.
    const std::vector<uchar> cmyk = encodeJpeg(400, 300, Layout{ 4, 1, 1 }, 3);
    const Result<DecodedImage> fromCmyk
        = decodeImage(view(cmyk), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(fromCmyk.ok());
    QVERIFY(!fromCmyk->isPartial());
    QCOMPARE(fromCmyk->width, 400);

    const std::vector<uchar> jpeg = encodeJpeg(400, 300, Layout{}, 5);
    const Result<DecodedImage> salvaged
        = decodeImage(view(jpeg), {}, DecodeMode::Salvage, {}, hints);
    QVERIFY(salvaged.ok());
    QVERIFY(!salvaged->isPartial());

    std::vector<uchar> png;
    cv::imencode(".png", cv::imdecode(jpeg, cv::IMREAD_COLOR), png);
    const Result<DecodedImage> fromPng = decodeImage(view(png), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(fromPng.ok());
    QVERIFY(!fromPng->isPartial());
    QCOMPARE(fromPng->width, 400);

    DecodeHints large;
    large.cropFor = { crop(250, 300) }; // more than half of 400 x 300
    const Result<DecodedImage> mostly = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, large);
    QVERIFY(mostly.ok());
    QVERIFY(!mostly->isPartial());
    QCOMPARE(mostly->fullWidth(), 400);
}

void TestJpegRegionDecode::aWarningSendsTheFileToTheWholeDecode()
{
    // Two stray bytes before the second marker: libjpeg skips them with a warning ("extraneous
    // bytes before marker"), the full decode goes on as before, and the region decode, which
    // would have to decide how damaged data reads, leaves the file to it.
    const std::vector<uchar> clean = encodeJpeg(640, 480, Layout{}, 9);
    std::vector<uchar> stray = clean;
    const size_t app0Length = (size_t(clean[4]) << 8) | clean[5];
    const size_t second = 4 + app0Length; // after SOI and APP0
    QCOMPARE(int(clean[second]), 0xFF);
    stray.insert(stray.begin() + long(second), { 0x00, 0x00 });
    DecodeHints hints;
    hints.cropFor = { crop(64, 64) };
    const Result<DecodedImage> decoded
        = decodeImage(view(stray), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(decoded.ok());
    QVERIFY(!decoded->isPartial());
    const Result<DecodedImage> reference = decodeImage(view(clean), {});
    QCOMPARE(decoded->rgb, reference->rgb);
    // The clean file takes the region decode: the stray bytes, not the layout, made the
    // difference.
    QVERIFY(decodeImage(view(clean), {}, DecodeMode::Strict, {}, hints)->isPartial());
}

void TestJpegRegionDecode::preprocessRefusesAModelReadingOutsideTheRegion()
{
    const std::vector<uchar> jpeg = encodeJpeg(1000, 800, Layout{}, 11);
    DecodeHints hints;
    hints.cropFor = { crop(64, 64) };
    const Result<DecodedImage> part = decodeImage(view(jpeg), {}, DecodeMode::Strict, {}, hints);
    QVERIFY(part.ok() && part->isPartial());
    QVERIFY(preprocessImage(*part, codeNative(64)).ok());
    // A larger crop, a resize of the whole image, the whole image: never from part of it.
    InputSpec resized = codeNative();
    resized.resize = InputSpec::Resize::ShorterSide;
    resized.resizeHeight = 256;
    InputSpec whole = codeNative();
    whole.crop = InputSpec::Crop::None;
    for (const InputSpec &spec : { codeNative(224), resized, whole }) {
        const Result<at::Tensor> input = preprocessImage(*part, spec);
        QVERIFY(!input.ok());
        QCOMPARE(input.error().code, ErrorCode::PreprocessFailed);
        QVERIFY(input.error().message.contains(QStringLiteral("part of the image")));
    }
}

QTEST_GUILESS_MAIN(TestJpegRegionDecode)
#include "tst_jpeg_region_decode.moc"
