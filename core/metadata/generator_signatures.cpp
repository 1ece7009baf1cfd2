#include "generator_signatures.h"

#include "whole_word_match.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <cstring>

namespace forgelens {
namespace {

using Severity = MetadataFinding::Severity;

// A text the file carries, and where: a PNG text chunk, an EXIF/XMP/IPTC property, or the
// payload hidden in the pixels' low bits.
struct TextSource {
    QString where; // e.g. PNG tEXt "parameters", Exif.Photo.UserComment
    QString key; // the PNG keyword or the property key
    QString text;
};

// Names that generators and services write into Software, CreatorTool, Artist, credits.
const QStringList kGenerators{ QStringLiteral("midjourney"), QStringLiteral("dall-e"),
    QStringLiteral("dall·e"), QStringLiteral("stable diffusion"), QStringLiteral("firefly"),
    QStringLiteral("imagen"), QStringLiteral("novelai"), QStringLiteral("comfyui"),
    QStringLiteral("automatic1111"), QStringLiteral("invokeai"), QStringLiteral("leonardo.ai"),
    QStringLiteral("ideogram"), QStringLiteral("flux"), QStringLiteral("openai"),
    QStringLiteral("chatgpt"), QStringLiteral("gpt-4o"), QStringLiteral("gemini"),
    QStringLiteral("fooocus"), QStringLiteral("swarmui"), QStringLiteral("draw things"),
    QStringLiteral("easy diffusion"), QStringLiteral("bing image creator"),
    QStringLiteral("runway"), QStringLiteral("google ai") };

QString excerpt(const QString &text)
{
    const QString simplified = text.simplified();
    return simplified.size() > 200 ? simplified.left(200) + QStringLiteral("…") : simplified;
}

QJsonObject jsonObject(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (!trimmed.startsWith(u'{') || trimmed.size() > 8 * 1024 * 1024)
        return {};
    return QJsonDocument::fromJson(trimmed.toUtf8()).object();
}

QString jsonText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().simplified().left(120);
    if (value.isDouble()) {
        const double number = value.toDouble();
        return number == double(qint64(number)) ? QString::number(qint64(number))
                                                : QString::number(number);
    }
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (const char *name : { "model_name", "name", "title" }) {
            if (object.contains(QLatin1String(name)))
                return jsonText(object.value(QLatin1String(name)));
        }
    }
    return {};
}

// "Label value, Label value" from the fields of `object` that are present.
QString settings(
    const QJsonObject &object, std::initializer_list<std::pair<const char *, const char *>> fields)
{
    QStringList parts;
    for (const auto &[key, label] : fields) {
        const QString value = jsonText(object.value(QLatin1String(key)));
        if (!value.isEmpty())
            parts.append(QStringLiteral("%1 %2").arg(QLatin1String(label), value));
    }
    return parts.join(QStringLiteral(", "));
}

// Stable Diffusion WebUI's settings line: "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1,
// Size: 512x512, Model hash: 6ce0161689, Model: v1-5, Version: v1.10.1". Values holding commas
// are quoted.
bool looksLikeWebUiParameters(const QString &text)
{
    return text.contains(QLatin1String("Steps: ")) && text.contains(QLatin1String("Sampler: "));
}

QString webUiField(const QString &text, const char *field)
{
    const QRegularExpression pattern(
        QStringLiteral("(?:^|[,\\n][ \\t]*)%1: (\"[^\"]*\"|[^,\\n]+)").arg(QLatin1String(field)));
    return pattern.match(text).captured(1).trimmed();
}

QString webUiSummary(const QString &fullText)
{
    // The settings line is the last one; a bounded tail keeps a hostile megabyte-long text from
    // making the search slow.
    const QString text = fullText.right(65536);
    QStringList parts;
    for (const char *field :
        { "Model", "Model hash", "Seed", "Steps", "Sampler", "CFG scale", "Size", "Version" }) {
        if (const QString value = webUiField(text, field); !value.isEmpty())
            parts.append(QStringLiteral("%1 %2").arg(QLatin1String(field), value));
    }
    return parts.join(QStringLiteral(", "));
}

QString webUiGenerator(const QString &text)
{
    const QString tail = text.right(65536);
    const QString version = webUiField(tail, "Version");
    if (webUiField(tail, "App") == QLatin1String("SD.Next"))
        return QStringLiteral("SD.Next");
    if (version.startsWith(QLatin1String("Fooocus")))
        return QStringLiteral("Fooocus (A1111-style parameters)");
    if (version.startsWith(QLatin1String("ComfyUI")))
        return QStringLiteral("ComfyUI (A1111-style parameters)"); // its image-saver nodes
    if (version.startsWith(u'f') && version.size() > 1 && version.at(1).isDigit())
        return QStringLiteral("Stable Diffusion WebUI Forge");
    return QStringLiteral("Stable Diffusion WebUI (AUTOMATIC1111)");
}

// ComfyUI's API graph: {"3": {"class_type": "KSampler", "inputs": {...}}, ...}.
QString comfySummary(const QJsonObject &graph)
{
    QStringList parts;
    for (auto it = graph.begin(); it != graph.end(); ++it) {
        const QJsonObject node = it->toObject();
        const QString type = node.value(QLatin1String("class_type")).toString();
        const QJsonObject inputs = node.value(QLatin1String("inputs")).toObject();
        if (type.startsWith(QLatin1String("CheckpointLoader"))
            || type == QLatin1String("UNETLoader"))
            parts.prepend(settings(inputs, { { "ckpt_name", "model" }, { "unet_name", "model" } }));
        else if (type.contains(QLatin1String("KSampler")))
            parts.append(settings(inputs,
                { { "seed", "seed" }, { "noise_seed", "seed" }, { "steps", "steps" },
                    { "cfg", "CFG" }, { "sampler_name", "sampler" },
                    { "scheduler", "scheduler" } }));
    }
    parts.removeAll(QString());
    return parts.join(QStringLiteral(", "));
}

bool isComfyGraph(const QJsonObject &json)
{
    if (json.value(QLatin1String("nodes")).isArray())
        return true; // the editor's workflow
    return !json.isEmpty() && json.begin()->isObject()
        && json.begin()->toObject().contains(QLatin1String("class_type"));
}

// What is found: one finding per generator, from the first place it is seen. A generator's
// family is its name and every known generator name inside it ("Stable Diffusion WebUI
// (AUTOMATIC1111)": "stable diffusion", "automatic1111"), so that a later mere mention of the
// same tool (Software = "Fooocus v2.5.5") adds nothing.
class Findings {
public:
    explicit Findings(std::vector<MetadataFinding> &out) : m_out(out) { }
    void add(const QString &generator, const QString &details, const TextSource &source,
        Severity severity = Severity::Warning)
    {
        if (!claim(generator))
            return;
        m_specific = true;
        m_out.push_back({ severity, QStringLiteral("ai-generator-metadata"),
            details.isEmpty()
                ? QStringLiteral("%1 settings in %2").arg(generator, source.where)
                : QStringLiteral("%1 settings in %2: %3").arg(generator, source.where, details),
            QStringLiteral("%1: %2").arg(source.where, excerpt(source.text)) });
    }
    // A generator's name where software names itself: no settings to give.
    void addNamed(const QString &name, const QString &message, const TextSource &source,
        Severity severity = Severity::Warning)
    {
        if (!claim(name))
            return;
        m_out.push_back({ severity, QStringLiteral("ai-generator-metadata"), message,
            QStringLiteral("%1 = %2").arg(source.where, excerpt(source.text)) });
    }
    bool known(const QString &name) const { return m_families.contains(name.toLower()); }
    // A tool's own settings were recognised (not only a name).
    bool anySpecific() const { return m_specific; }

private:
    bool claim(const QString &generator)
    {
        if (known(generator))
            return false;
        m_families.insert(generator.toLower());
        for (const QString &name : kGenerators) {
            if (!firstWholeWord(generator, { name }).isEmpty())
                m_families.insert(name);
        }
        return true;
    }

    std::vector<MetadataFinding> &m_out;
    QSet<QString> m_families;
    bool m_specific = false;
};

std::vector<TextSource> gatherSources(const MetadataReport &report)
{
    std::vector<TextSource> sources;
    if (report.png) {
        for (const PngTextChunk &chunk : report.png->texts) {
            // The XMP packet is read through Exiv2's properties, field by field.
            if (chunk.keyword == QLatin1String("XML:com.adobe.xmp"))
                continue;
            sources.push_back({ QStringLiteral("PNG %1 \"%2\"").arg(chunk.chunkType, chunk.keyword),
                chunk.keyword, chunk.text });
        }
    }
    for (const MetadataProperty &property : report.embedded.properties) {
        static const QStringList keys{ QStringLiteral("Exif.Photo.UserComment"),
            QStringLiteral("Exif.Image.0x9286"), QStringLiteral("Exif.Image.ImageDescription"),
            QStringLiteral("Exif.Image.Make"), QStringLiteral("Exif.Image.Model"),
            QStringLiteral("Exif.Image.Software"), QStringLiteral("Exif.Image.Artist"),
            QStringLiteral("Exif.Image.XPComment"), QStringLiteral("Xmp.xmp.CreatorTool"),
            QStringLiteral("Xmp.dc.description"), QStringLiteral("Xmp.exif.UserComment"),
            QStringLiteral("Xmp.photoshop.Credit"), QStringLiteral("Xmp.dc.creator"),
            QStringLiteral("Iptc.Application2.Credit"), QStringLiteral("Iptc.Application2.Caption"),
            QStringLiteral("Xmp.iptcExt.DigImageGUID"), QStringLiteral("Raw.Software") };
        if (property.group == QLatin1String("Hidden"))
            sources.push_back({ QStringLiteral("the pixels' lowest bits (%1, %2)")
                                    .arg(property.key.mid(7), property.type),
                property.key, property.value });
        else if (keys.contains(property.key)) {
            const QString text = report.embedded.fullText.value(property.key, property.value);
            sources.push_back({ property.key, property.key,
                // XMP language alternatives print as lang="x-default" text
                text.startsWith(QLatin1String("lang=")) ? text.section(u' ', 1) : text });
        }
    }
    return sources;
}

QString pngText(const std::vector<TextSource> &sources, const char *keyword)
{
    for (const TextSource &source : sources) {
        if (source.where.startsWith(QLatin1String("PNG ")) && source.key == QLatin1String(keyword))
            return source.text;
    }
    return {};
}

// The ComfyUI API graph wherever the file keeps it: a PNG "prompt" chunk, or EXIF text
// "prompt:{...}" (ComfyUI's WebP writer puts it in IFD0 Model).
QJsonObject comfyApiGraph(const std::vector<TextSource> &all)
{
    for (const TextSource &source : all) {
        const bool png = source.where.startsWith(QLatin1String("PNG "));
        if (png && source.key == QLatin1String("prompt"))
            return jsonObject(source.text);
        if (!png && source.text.startsWith(QLatin1String("prompt:"), Qt::CaseInsensitive))
            return jsonObject(source.text.mid(7));
    }
    return {};
}

void recogniseTextConventions(const TextSource &source, Findings &found);
void recogniseName(const TextSource &source, Findings &found);

// Recognisers run in three passes over every source, so that a tool's own record wins over a
// text that merely looks like another's (Draw Things writes an A1111-like line into
// dc:description) and over a mere mention of a name.
enum class Pass {
    OwnRecords, // each tool's own keys and JSON
    TextConventions, // the A1111 settings line, Midjourney job ids, credit lines
    Names, // a generator named in a software, author or credit field, or a text chunk
};

void recogniseSource(
    const TextSource &source, const std::vector<TextSource> &all, Findings &found, Pass pass)
{
    const QString &key = source.key;
    const QString &text = source.text;
    const bool png = source.where.startsWith(QLatin1String("PNG "));
    // ComfyUI writes its graphs into WebP/JPEG EXIF as "prompt:{...}" (Model) and
    // "workflow:{...}" (Make).
    QString body = text;
    QString comfyKey = key;
    for (const char *prefix : { "prompt:", "workflow:", "Workflow:", "Prompt:" }) {
        if (text.startsWith(QLatin1String(prefix)) && !png) {
            body = text.mid(int(std::strlen(prefix)));
            comfyKey = QString::fromLatin1(prefix).chopped(1).toLower();
        }
    }
    if (pass == Pass::TextConventions)
        return recogniseTextConventions(source, found);
    if (pass == Pass::Names)
        return recogniseName(source, found);
    const QJsonObject json = jsonObject(body);

    if (json.contains(QLatin1String("sui_image_params"))) {
        const QJsonObject params = json.value(QLatin1String("sui_image_params")).toObject();
        found.add(QStringLiteral("SwarmUI"),
            settings(params,
                { { "model", "model" }, { "seed", "seed" }, { "steps", "steps" },
                    { "cfgscale", "CFG" }, { "sampler", "sampler" },
                    { "swarm_version", "SwarmUI" } }),
            source);
        return;
    }
    if ((png && key == QLatin1String("fooocus_scheme"))
        || json.value(QLatin1String("version")).toString().startsWith(QLatin1String("Fooocus"))
        || (json.contains(QLatin1String("base_model"))
            && json.contains(QLatin1String("performance")))) {
        const QJsonObject params = json.isEmpty() ? jsonObject(pngText(all, "parameters")) : json;
        found.add(QStringLiteral("Fooocus"),
            settings(params,
                { { "version", "version" }, { "base_model", "model" },
                    { "performance", "performance" }, { "seed", "seed" }, { "steps", "steps" },
                    { "sampler", "sampler" }, { "scheduler", "scheduler" } }),
            source);
        return;
    }
    if (png && key == QLatin1String("invokeai_metadata")) {
        found.add(QStringLiteral("InvokeAI"),
            settings(json,
                { { "app_version", "version" }, { "model", "model" }, { "seed", "seed" },
                    { "steps", "steps" }, { "scheduler", "scheduler" }, { "cfg_scale", "CFG" },
                    { "generation_mode", "mode" } }),
            source);
        return;
    }
    if (png
        && (key == QLatin1String("invokeai_graph") || key == QLatin1String("invokeai_workflow"))) {
        found.add(QStringLiteral("InvokeAI"), QStringLiteral("its node graph"), source);
        return;
    }
    if (png && key == QLatin1String("sd-metadata")) {
        const QJsonObject image = json.value(QLatin1String("image")).toObject();
        const QString model
            = settings(json, { { "app_version", "version" }, { "model_weights", "model" } });
        const QString run = settings(image,
            { { "seed", "seed" }, { "steps", "steps" }, { "sampler", "sampler" },
                { "cfg_scale", "CFG" } });
        found.add(QStringLiteral("InvokeAI"),
            QStringList{ model, run }
                .filter(QRegularExpression(QStringLiteral(".")))
                .join(QStringLiteral(", ")),
            source);
        return;
    }
    // InvokeAI 2.x writes sd-metadata beside the legacy Dream line: the JSON says more.
    if (png && key == QLatin1String("Dream") && pngText(all, "sd-metadata").isEmpty()) {
        // "a prompt [negative]" -s 50 -S 2980747362 -W 512 -H 768 -C 5 -A k_lms
        QStringList parts;
        for (const auto &[flag, label] : { std::pair{ "S", "seed" }, std::pair{ "s", "steps" },
                 std::pair{ "A", "sampler" }, std::pair{ "C", "CFG" } }) {
            const QRegularExpression pattern(
                QStringLiteral("\\s-%1\\s+(\\S+)").arg(QLatin1String(flag)));
            if (const QString value = pattern.match(text).captured(1); !value.isEmpty())
                parts.append(QStringLiteral("%1 %2").arg(QLatin1String(label), value));
        }
        found.add(QStringLiteral("InvokeAI"),
            QStringLiteral("legacy Dream line, %1").arg(parts.join(QStringLiteral(", "))), source);
        return;
    }
    if ((comfyKey == QLatin1String("prompt") || comfyKey == QLatin1String("workflow"))
        && isComfyGraph(json)) {
        const QJsonObject graph = comfyKey == QLatin1String("prompt") ? json : comfyApiGraph(all);
        const QString summary = comfySummary(graph);
        const int nodes = json.value(QLatin1String("nodes")).isArray()
            ? int(json.value(QLatin1String("nodes")).toArray().size())
            : int(json.size());
        found.add(QStringLiteral("ComfyUI"),
            QStringLiteral("%1 graph, %2 nodes%3")
                .arg(comfyKey)
                .arg(nodes)
                .arg(summary.isEmpty() ? QString() : QStringLiteral(", ") + summary),
            source);
        return;
    }
    if ((png
            && (key == QLatin1String("use_stable_diffusion_model")
                || key == QLatin1String("Stable Diffusion model")))
        || json.contains(QLatin1String("use_stable_diffusion_model"))) {
        QJsonObject fields = json;
        if (png) { // one text chunk per setting
            for (const char *name :
                { "use_stable_diffusion_model", "seed", "sampler_name", "num_inference_steps",
                    "guidance_scale", "Stable Diffusion model", "Seed", "Sampler", "Steps" })
                if (const QString value = pngText(all, name); !value.isEmpty())
                    fields.insert(QLatin1String(name), value);
        }
        found.add(QStringLiteral("Easy Diffusion"),
            settings(fields,
                { { "use_stable_diffusion_model", "model" }, { "Stable Diffusion model", "model" },
                    { "seed", "seed" }, { "Seed", "seed" }, { "num_inference_steps", "steps" },
                    { "Steps", "steps" }, { "sampler_name", "sampler" }, { "Sampler", "sampler" },
                    { "guidance_scale", "CFG" } }),
            source);
        return;
    }
    if ((png && key == QLatin1String("Software") && text.trimmed() == QLatin1String("NovelAI"))
        || (json.value(QLatin1String("Software")).toString() == QLatin1String("NovelAI"))) {
        // The settings are a JSON string in Comment (the stealth copy nests it the same way).
        const QString comment = json.isEmpty() ? pngText(all, "Comment")
                                               : json.value(QLatin1String("Comment")).toString();
        const QString model = json.isEmpty() ? pngText(all, "Source")
                                             : json.value(QLatin1String("Source")).toString();
        const QString details = settings(jsonObject(comment),
            { { "seed", "seed" }, { "steps", "steps" }, { "sampler", "sampler" },
                { "scale", "CFG" }, { "width", "width" }, { "height", "height" } });
        found.add(QStringLiteral("NovelAI"),
            model.isEmpty()
                ? details
                : QStringLiteral("model %1%2")
                      .arg(model.simplified().left(80),
                          details.isEmpty() ? QString() : QStringLiteral(", ") + details),
            source);
        return;
    }
    if ((key == QLatin1String("Xmp.xmp.CreatorTool")
            && text.trimmed() == QLatin1String("Draw Things"))
        || (key == QLatin1String("Xmp.exif.UserComment") && json.contains(QLatin1String("c"))
            && json.contains(QLatin1String("sampler")))) {
        QJsonObject params = json;
        if (params.isEmpty()) {
            for (const TextSource &other : all)
                if (other.key == QLatin1String("Xmp.exif.UserComment"))
                    params = jsonObject(other.text);
        }
        found.add(QStringLiteral("Draw Things"),
            settings(params,
                { { "model", "model" }, { "seed", "seed" }, { "steps", "steps" },
                    { "sampler", "sampler" }, { "scale", "CFG" }, { "size", "size" } }),
            source);
        return;
    }
}

void recogniseTextConventions(const TextSource &source, Findings &found)
{
    const QString &key = source.key;
    const QString &text = source.text;
    if (text.trimmed().startsWith(u'{'))
        return; // a JSON record: the first pass's
    // An A1111-style line is only that tool's when no tool's own record was found: Draw Things
    // and Fooocus (a1111 scheme) write one too.
    if (looksLikeWebUiParameters(text) && !found.anySpecific()) {
        found.add(webUiGenerator(text), webUiSummary(text), source);
        return;
    }
    // Midjourney: "prompt --ar 2:1 --v 6 Job ID: a7421d2f-b262-44f9-977c-ac23e9c7d3e3".
    static const QRegularExpression jobId(
        QStringLiteral("Job ID: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"),
        QRegularExpression::CaseInsensitiveOption);
    if (const QRegularExpressionMatch match = jobId.match(text); match.hasMatch()) {
        QStringList parts{ QStringLiteral("job %1").arg(match.captured(1)) };
        for (const char *option : { "v", "ar", "niji", "seed" }) {
            const QRegularExpression pattern(
                QStringLiteral("--%1\\s+(\\S+)").arg(QLatin1String(option)));
            if (const QString value = pattern.match(text).captured(1); !value.isEmpty())
                parts.append(QStringLiteral("--%1 %2").arg(QLatin1String(option), value));
        }
        found.add(QStringLiteral("Midjourney"), parts.join(QStringLiteral(", ")), source);
        return;
    }
    if (text.contains(QLatin1String("Made with OpenAI"), Qt::CaseInsensitive)) {
        found.add(QStringLiteral("OpenAI (DALL·E)"),
            QStringLiteral("\"%1\"").arg(excerpt(text).left(80)), source);
        return;
    }
    if ((key == QLatin1String("Xmp.photoshop.Credit")
            || key == QLatin1String("Iptc.Application2.Credit"))
        && text.contains(QLatin1String("Google AI"), Qt::CaseInsensitive)) {
        found.add(QStringLiteral("Google AI"),
            QStringLiteral("the credit line \"%1\"").arg(excerpt(text).left(80)), source);
        return;
    }
}

void recogniseName(const TextSource &source, Findings &found)
{
    const QString &key = source.key;
    const QString &text = source.text;
    const bool png = source.where.startsWith(QLatin1String("PNG "));
    // A generator's name in a field that names the software, the author or the credit.
    static const QStringList naming{ QStringLiteral("Exif.Image.Software"),
        QStringLiteral("Xmp.xmp.CreatorTool"), QStringLiteral("Exif.Image.Artist"),
        QStringLiteral("Xmp.photoshop.Credit"), QStringLiteral("Iptc.Application2.Credit"),
        QStringLiteral("Exif.Image.Make"), QStringLiteral("Exif.Image.Model"),
        QStringLiteral("Raw.Software") };
    const QString name = firstWholeWord(text, kGenerators);
    if (name.isEmpty() || found.known(name))
        return;
    // Words that are also the names of agencies, people or other things ("Runway" credited for
    // a fashion show, a photographer's "Gemini" studio): a generator only where software names
    // itself.
    static const QStringList ambiguous{ QStringLiteral("runway"), QStringLiteral("gemini"),
        QStringLiteral("imagen"), QStringLiteral("flux") };
    static const QStringList software{ QStringLiteral("Exif.Image.Software"),
        QStringLiteral("Xmp.xmp.CreatorTool"), QStringLiteral("Raw.Software") };
    if (ambiguous.contains(name) && !software.contains(key))
        return;
    if (naming.contains(key))
        found.addNamed(
            name, QStringLiteral("%1 names the generator \"%2\"").arg(source.where, name), source);
    else if (png && !found.anySpecific()) // NovelAI's Source chunk says "Stable Diffusion XL"
        found.addNamed(name,
            QStringLiteral("A PNG text chunk names the generator \"%1\"").arg(name), source,
            Severity::Notice);
}

} // namespace

void addGeneratorSignatureFindings(const MetadataReport &report, std::vector<MetadataFinding> &out)
{
    const std::vector<TextSource> sources = gatherSources(report);
    for (const TextSource &source : sources) {
        if (source.where.startsWith(QLatin1String("the pixels")))
            out.push_back({ Severity::Warning, QStringLiteral("hidden-metadata"),
                QStringLiteral("Text is hidden in %1, the layout of the AUTOMATIC1111 "
                               "stealth-pnginfo extension and of NovelAI: %2")
                    .arg(source.where, excerpt(source.text).left(120)),
                QStringLiteral("%1: %2").arg(source.where, excerpt(source.text)) });
    }
    Findings found(out);
    for (const Pass pass : { Pass::OwnRecords, Pass::TextConventions, Pass::Names }) {
        for (const TextSource &source : sources)
            recogniseSource(source, sources, found, pass);
    }

    // C2PA claims name the tool that made the manifest and, per action, the software agent.
    if (const std::optional<C2paSummary> &c2pa = report.c2pa) {
        QStringList names{ c2pa->claimGenerator };
        for (const C2paAction &action : c2pa->actions)
            names.append(action.softwareAgent);
        for (const QString &name : names) {
            if (const QString generator = firstWholeWord(name, kGenerators); !generator.isEmpty()) {
                found.addNamed(generator,
                    QStringLiteral("The C2PA manifest in the %1 (signature NOT verified) names "
                                   "the generator \"%2\"")
                        .arg(c2pa->container, name.simplified().left(80)),
                    TextSource{ c2pa->container, QString(), name });
                break;
            }
        }
    }
}

} // namespace forgelens
