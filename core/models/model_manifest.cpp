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
    return Error{ ErrorCode::BadManifest, message };
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

// Characters that change how a terminal, a spreadsheet or a bidirectional renderer shows the text
// around them: C0 and C1 controls (escape sequences, new lines), DEL, the bidirectional
// overrides and isolates, and the line and paragraph separators.
bool isControlForDisplay(char32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F
        || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028
        || c == 0x2029;
}

// The first string in `value` (keys included, recursively) that holds such a character.
QString firstControlledString(const QJsonValue &value, const QString &where)
{
    const auto check = [](const QString &text) {
        for (const char32_t c : text.toUcs4()) {
            if (isControlForDisplay(c))
                return true;
        }
        return false;
    };
    if (value.isString())
        return check(value.toString()) ? where : QString();
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (QString found
                = firstControlledString(array.at(i), QStringLiteral("%1[%2]").arg(where).arg(i));
                !found.isEmpty())
                return found;
        }
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (check(it.key())) // the key itself is not repeated in the message
                return where.isEmpty() ? QStringLiteral("a key")
                                       : where + QStringLiteral(": a key");
            const QString path = where.isEmpty() ? it.key() : where + QLatin1Char('.') + it.key();
            if (QString found = firstControlledString(it.value(), path); !found.isEmpty())
                return found;
        }
    }
    return {};
}

// An id names the model in CSV headers, file names and command lines: letters, digits and
// ". _ -", starting with a letter or digit (so never a spreadsheet formula or an option).
bool isPlainId(const QString &id)
{
    if (id.isEmpty() || id.size() > 64 || !id.at(0).isLetterOrNumber())
        return false;
    return std::all_of(id.begin(), id.end(), [](QChar c) {
        return (c.unicode() < 0x80 && c.isLetterOrNumber()) || c == QLatin1Char('.')
            || c == QLatin1Char('_') || c == QLatin1Char('-');
    });
}

} // namespace

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
    if (!isPlainId(id))
        return QStringLiteral("id must be 1 to 64 ASCII letters, digits, '.', '_' or '-', starting "
                              "with a letter or digit");
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

    if (const QString where = firstControlledString(object, QString()); !where.isEmpty())
        return manifestError(QStringLiteral("%1 holds a control, line-separator or bidirectional "
                                            "character; a manifest's text is shown in terminals, "
                                            "reports and spreadsheets and must be plain")
                                 .arg(where));

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
    manifest.standIn = object.value(QLatin1String("stand_in")).toBool(false);
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
