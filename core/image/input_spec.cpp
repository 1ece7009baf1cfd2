#include "forgelens/image/input_spec.h"

#include <QJsonArray>
#include <QJsonValue>

#include <algorithm>
#include <cmath>

namespace forgelens {
namespace {

Error manifestError(const QString &message)
{
    return Error{ ErrorCode::BadManifest, message };
}

// Reads [a, b, c] of three finite numbers.
std::optional<std::array<float, 3>> readTriple(const QJsonValue &value)
{
    const QJsonArray array = value.toArray();
    if (!value.isArray() || array.size() != 3)
        return std::nullopt;
    std::array<float, 3> out{};
    for (int i = 0; i < 3; ++i) {
        if (!array.at(i).isDouble() || !std::isfinite(array.at(i).toDouble()))
            return std::nullopt;
        out[static_cast<size_t>(i)] = static_cast<float>(array.at(i).toDouble());
    }
    return out;
}

// A size given as [height, width] or as one number (a square).
bool readSize(const QJsonValue &value, int &height, int &width)
{
    if (value.isDouble()) {
        height = width = value.toInt(-1);
        return height > 0;
    }
    const QJsonArray array = value.toArray();
    if (!value.isArray() || array.size() != 2)
        return false;
    height = array.at(0).toInt(-1);
    width = array.at(1).toInt(-1);
    return height > 0 && width > 0;
}

} // namespace

QString InputSpec::validate() const
{
    if (valueMax != 1.0f && valueMax != 255.0f)
        return QStringLiteral("input.value_range must be [0, 1] or [0, 255]");
    for (float s : std) {
        if (!(s > 0.0f))
            return QStringLiteral("input.std must be three positive numbers");
    }
    if (resize == Resize::Exact && (resizeHeight <= 0 || resizeWidth <= 0))
        return QStringLiteral("input.resize.size must be [height, width] for policy 'exact'");
    if (resize == Resize::ShorterSide && resizeHeight <= 0)
        return QStringLiteral("input.resize.size must be a positive number for 'shorter_side'");
    if (maxSize && (resize != Resize::ShorterSide || *maxSize <= resizeHeight))
        return QStringLiteral(
            "input.resize.max_size needs policy 'shorter_side' and must exceed its size");
    if (antialias && interpolation == Interpolation::Nearest)
        return QStringLiteral("input.resize.antialias needs bilinear or bicubic interpolation");
    if (crop != Crop::None && (cropHeight <= 0 || cropWidth <= 0))
        return QStringLiteral("input.crop.size must be [height, width]");
    if (crop == Crop::Tiles && maxTiles < 1)
        return QStringLiteral("input.crop.max_tiles must be at least 1");
    if (order.size() != 3)
        return QStringLiteral("input.order must name resize, crop and normalize once each");
    return {};
}

Result<InputSpec> InputSpec::fromJson(const QJsonObject &object)
{
    InputSpec spec;

    const QJsonArray range = object.value(QLatin1String("value_range")).toArray();
    if (range.size() != 2 || range.at(0).toDouble(-1) != 0.0)
        return manifestError(QStringLiteral("input.value_range must be [0, 1] or [0, 255]"));
    spec.valueMax = static_cast<float>(range.at(1).toDouble());

    const QString channels = object.value(QLatin1String("channel_order")).toString();
    if (channels != QLatin1String("rgb") && channels != QLatin1String("bgr"))
        return manifestError(QStringLiteral("input.channel_order must be \"rgb\" or \"bgr\""));
    spec.bgr = channels == QLatin1String("bgr");

    const QString orientation
        = object.value(QLatin1String("exif_orientation")).toString(QStringLiteral("apply"));
    if (orientation != QLatin1String("apply") && orientation != QLatin1String("ignore"))
        return manifestError(
            QStringLiteral("input.exif_orientation must be \"apply\" or \"ignore\""));
    spec.applyExifOrientation = orientation == QLatin1String("apply");

    const auto mean = readTriple(object.value(QLatin1String("mean")));
    const auto std = readTriple(object.value(QLatin1String("std")));
    if (!mean || !std)
        return manifestError(QStringLiteral(
            "input.mean and input.std are required: three numbers each, one per channel"));
    spec.mean = *mean;
    spec.std = *std;

    const QJsonObject resize = object.value(QLatin1String("resize")).toObject();
    const QString resizePolicy = resize.value(QLatin1String("policy")).toString();
    if (resizePolicy == QLatin1String("none")) {
        spec.resize = Resize::None;
    } else if (resizePolicy == QLatin1String("exact")) {
        spec.resize = Resize::Exact;
        if (!readSize(resize.value(QLatin1String("size")), spec.resizeHeight, spec.resizeWidth))
            return manifestError(QStringLiteral("input.resize.size must be [height, width]"));
    } else if (resizePolicy == QLatin1String("shorter_side")) {
        spec.resize = Resize::ShorterSide;
        spec.resizeHeight = resize.value(QLatin1String("size")).toInt(-1);
        if (resize.contains(QLatin1String("max_size")))
            spec.maxSize = resize.value(QLatin1String("max_size")).toInt(-1);
    } else {
        return manifestError(QStringLiteral("input.resize.policy \"%1\" is unknown (none, exact, "
                                            "shorter_side)")
                                 .arg(resizePolicy));
    }
    if (spec.resize != Resize::None) {
        const QString interpolation = resize.value(QLatin1String("interpolation")).toString();
        if (interpolation == QLatin1String("bilinear"))
            spec.interpolation = Interpolation::Bilinear;
        else if (interpolation == QLatin1String("bicubic"))
            spec.interpolation = Interpolation::Bicubic;
        else if (interpolation == QLatin1String("nearest"))
            spec.interpolation = Interpolation::Nearest;
        else
            return manifestError(QStringLiteral("input.resize.interpolation \"%1\" is unknown "
                                                "(bilinear, bicubic, nearest)")
                                     .arg(interpolation));
        if (!resize.value(QLatin1String("antialias")).isBool())
            return manifestError(
                QStringLiteral("input.resize.antialias must be true or false: it changes the "
                               "pixels the model sees"));
        spec.antialias = resize.value(QLatin1String("antialias")).toBool();
        const QJsonValue reduced = resize.value(QLatin1String("reduced_jpeg_decode"));
        if (!reduced.isUndefined() && !reduced.isBool())
            return manifestError(
                QStringLiteral("input.resize.reduced_jpeg_decode must be true or false"));
        spec.reducedJpegDecode = reduced.toBool(false);
    }

    const QJsonObject crop = object.value(QLatin1String("crop")).toObject();
    const QString cropPolicy = crop.value(QLatin1String("policy")).toString();
    if (cropPolicy == QLatin1String("none")) {
        spec.crop = Crop::None;
    } else if (cropPolicy == QLatin1String("center") || cropPolicy == QLatin1String("tiles")) {
        spec.crop = cropPolicy == QLatin1String("center") ? Crop::Center : Crop::Tiles;
        if (!readSize(crop.value(QLatin1String("size")), spec.cropHeight, spec.cropWidth))
            return manifestError(QStringLiteral("input.crop.size must be [height, width]"));
        if (crop.contains(QLatin1String("max_tiles")))
            spec.maxTiles = crop.value(QLatin1String("max_tiles")).toInt(0);
        if (crop.contains(QLatin1String("pad"))) {
            if (!crop.value(QLatin1String("pad")).isBool())
                return manifestError(QStringLiteral("input.crop.pad must be true or false"));
            spec.cropPad = crop.value(QLatin1String("pad")).toBool();
        }
    } else {
        return manifestError(
            QStringLiteral("input.crop.policy \"%1\" is unknown (none, center, tiles)")
                .arg(cropPolicy));
    }

    if (object.contains(QLatin1String("order"))) {
        spec.order.clear();
        for (const QJsonValue &item : object.value(QLatin1String("order")).toArray()) {
            const QString step = item.toString();
            Step parsed;
            if (step == QLatin1String("resize"))
                parsed = Step::Resize;
            else if (step == QLatin1String("crop"))
                parsed = Step::Crop;
            else if (step == QLatin1String("normalize"))
                parsed = Step::Normalize;
            else
                return manifestError(QStringLiteral("input.order: unknown step \"%1\"").arg(step));
            if (std::find(spec.order.begin(), spec.order.end(), parsed) != spec.order.end())
                return manifestError(QStringLiteral("input.order names \"%1\" twice").arg(step));
            spec.order.push_back(parsed);
        }
    }

    if (const QString problem = spec.validate(); !problem.isEmpty())
        return manifestError(problem);
    return spec;
}

} // namespace forgelens
