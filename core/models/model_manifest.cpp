#include "forgelens/models/model_manifest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>

namespace forgelens {
namespace {

Error manifestError(const QString &message)
{
    return Error{ QStringLiteral("bad-manifest"), message };
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

QString readString(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

QStringList readStringList(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &item : value.toArray())
        out.append(item.toString());
    return out;
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

    const QString channels = readString(object, "channel_order");
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
    const QString resizePolicy = readString(resize, "policy");
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
        const QString interpolation = readString(resize, "interpolation");
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
    }

    const QJsonObject crop = object.value(QLatin1String("crop")).toObject();
    const QString cropPolicy = readString(crop, "policy");
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
        for (const QString &step : readStringList(object.value(QLatin1String("order")))) {
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

bool ModelManifest::acceptsLogitCount(long count) const
{
    if (task == Task::Binary)
        return count == 1 || count == 2;
    return count == classes.size();
}

QString ModelManifest::validate() const
{
    if (id.isEmpty() || name.isEmpty() || version.isEmpty() || family.isEmpty())
        return QStringLiteral("id, name, version and family are required");
    if (license.isEmpty() || trainedOn.isEmpty())
        return QStringLiteral(
            "license and trained_on are required: an analyst must know what a model learnt "
            "from and under which terms it may be used");
    if (task == Task::Binary && classes.size() != 2)
        return QStringLiteral("a binary model names exactly two classes");
    if (task == Task::Multiclass && classes.size() < 3)
        return QStringLiteral("a multiclass model names at least three classes");
    if (QStringList distinct = classes; distinct.removeDuplicates() != 0)
        return QStringLiteral("classes must be distinct");
    if (fakeClasses.isEmpty())
        return QStringLiteral("fake_classes must name the classes that count as synthetic");
    for (const QString &fake : fakeClasses) {
        if (!classes.contains(fake))
            return QStringLiteral("fake_classes names \"%1\", which is not in classes").arg(fake);
    }
    if (fakeClasses.size() == classes.size())
        return QStringLiteral("fake_classes cannot be every class: nothing would count as real");
    if (!(threshold > 0.0 && threshold < 1.0))
        return QStringLiteral("threshold.value must lie strictly between 0 and 1");
    if (thresholdChosenBy.isEmpty())
        return QStringLiteral("threshold.chosen_by must say how the threshold was chosen");
    if (inconclusive) {
        if (!(inconclusive->low > 0.0 && inconclusive->low < inconclusive->high
                && inconclusive->high < 1.0))
            return QStringLiteral("threshold.inconclusive needs 0 < low < high < 1");
        if (!(inconclusive->low <= threshold && threshold <= inconclusive->high))
            return QStringLiteral("threshold.inconclusive must contain threshold.value");
        if (inconclusive->chosenBy.isEmpty())
            return QStringLiteral("threshold.inconclusive.chosen_by must say how the band was "
                                  "chosen");
    }
    if (head != Head::None && !hasEmbedding)
        return QStringLiteral("a linear, knn or ocsvm head needs \"embedding\": true");
    return input.validate();
}

Result<ModelManifest> ModelManifest::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return manifestError(QStringLiteral("the manifest is not valid JSON: %1 at byte %2")
                                 .arg(parseError.errorString())
                                 .arg(parseError.offset));
    if (!document.isObject())
        return manifestError(QStringLiteral("the manifest must be a JSON object"));
    const QJsonObject object = document.object();

    ModelManifest manifest;
    manifest.json = object;
    manifest.id = readString(object, "id");
    manifest.name = readString(object, "name");
    manifest.version = readString(object, "version");
    manifest.family = readString(object, "family");
    manifest.paper = readString(object, "paper");
    manifest.license = readString(object, "license");
    manifest.source = readString(object, "source");
    manifest.sourceSha256 = readString(object, "sha256");
    manifest.trainedOn = readString(object, "trained_on");
    manifest.experimental = object.value(QLatin1String("experimental")).toBool(false);
    for (const QJsonValue &figure : object.value(QLatin1String("reported")).toArray()) {
        const QJsonObject entry = figure.toObject();
        manifest.reported.push_back({ readString(entry, "dataset"), readString(entry, "metric"),
            entry.value(QLatin1String("value")).toDouble() });
    }

    const QString task = readString(object, "task");
    if (task == QLatin1String("binary"))
        manifest.task = Task::Binary;
    else if (task == QLatin1String("multiclass"))
        manifest.task = Task::Multiclass;
    else
        return manifestError(
            QStringLiteral("task \"%1\" is unknown: ForgeLens reads \"binary\" or \"multiclass\"")
                .arg(task));
    manifest.classes = readStringList(object.value(QLatin1String("classes")));
    manifest.fakeClasses = readStringList(object.value(QLatin1String("fake_classes")));

    if (!object.value(QLatin1String("input")).isObject())
        return manifestError(QStringLiteral("the manifest has no \"input\" object"));
    Result<InputSpec> input = InputSpec::fromJson(object.value(QLatin1String("input")).toObject());
    if (!input)
        return input.error();
    manifest.input = std::move(input).value();

    const QString head = object.value(QLatin1String("head"))
                             .toObject()
                             .value(QLatin1String("type"))
                             .toString(QStringLiteral("none"));
    if (head == QLatin1String("none"))
        manifest.head = Head::None;
    else if (head == QLatin1String("linear"))
        manifest.head = Head::Linear;
    else if (head == QLatin1String("knn"))
        manifest.head = Head::Knn;
    else if (head == QLatin1String("ocsvm"))
        manifest.head = Head::Ocsvm;
    else
        return manifestError(
            QStringLiteral("head.type \"%1\" is unknown (none, linear, knn, ocsvm)").arg(head));

    const QJsonObject threshold = object.value(QLatin1String("threshold")).toObject();
    if (!threshold.value(QLatin1String("value")).isDouble())
        return manifestError(QStringLiteral("threshold.value is required"));
    manifest.threshold = threshold.value(QLatin1String("value")).toDouble();
    manifest.thresholdChosenBy = readString(threshold, "chosen_by");
    if (threshold.contains(QLatin1String("inconclusive"))) {
        const QJsonObject band = threshold.value(QLatin1String("inconclusive")).toObject();
        if (!band.value(QLatin1String("low")).isDouble()
            || !band.value(QLatin1String("high")).isDouble())
            return manifestError(
                QStringLiteral("threshold.inconclusive needs numbers \"low\" and \"high\""));
        manifest.inconclusive = InconclusiveBand{ band.value(QLatin1String("low")).toDouble(),
            band.value(QLatin1String("high")).toDouble(), readString(band, "chosen_by") };
    }
    manifest.calibration = object.value(QLatin1String("calibration"))
                               .toObject()
                               .value(QLatin1String("method"))
                               .toString(QStringLiteral("none"));
    manifest.hasEmbedding = object.value(QLatin1String("embedding")).toBool(false);
    manifest.hasPatchMap = object.value(QLatin1String("patch_map")).toBool(false);

    if (const QString problem = manifest.validate(); !problem.isEmpty())
        return manifestError(problem);
    return manifest;
}

} // namespace forgelens
