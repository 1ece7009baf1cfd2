#include "forgelens/exemplars/bank_build.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/scan/csv_record.h"
#include "forgelens/scan/output_location.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <mutex>

namespace forgelens {
namespace {

constexpr qint64 kMaxLabelsBytes = qint64(64) << 20;

std::optional<QString> labelValue(const QString &text)
{
    const QString value = text.trimmed().toLower();
    if (value == QStringLiteral("real"))
        return QStringLiteral("real");
    if (value == QStringLiteral("synthetic") || value == QStringLiteral("fake"))
        return QStringLiteral("synthetic");
    return std::nullopt;
}

struct Thumbnail {
    int width = 0;
    int height = 0;
    QByteArray rgb;
};

} // namespace

QString BankBuildSettings::validate() const
{
    if (root.isEmpty() || bankPath.isEmpty() || modelPath.isEmpty())
        return QStringLiteral("a bank build needs a folder of images, a bank file and a model");
    if (thumbnailSide < 0 || thumbnailSide > ExemplarBank::kMaxThumbnailSide)
        return QStringLiteral("the thumbnail size must be 0 (none) to %1 pixels")
            .arg(ExemplarBank::kMaxThumbnailSide);
    if (liesInsideFolder(bankPath, root))
        return QStringLiteral("the bank must lie outside the folder of images, which is never "
                              "written");
    if (const QString problem = engine.validate(); !problem.isEmpty())
        return problem;
    if (const QString problem = limits.validate(); !problem.isEmpty())
        return problem;
    return sandbox.validate();
}

std::optional<ExemplarLabel> labelFromFolders(const QString &relativePath)
{
    QStringList folders = relativePath.split(QLatin1Char('/'));
    folders.removeLast(); // the file's own name
    if (folders.isEmpty() || folders.front().isEmpty())
        return std::nullopt;
    ExemplarLabel label;
    // The deepest folder that names a class decides.
    for (qsizetype i = folders.size() - 1; i >= 0; --i) {
        QString name = folders.at(i).toLower();
        if (name == QStringLiteral("0_real"))
            name = QStringLiteral("real");
        else if (name == QStringLiteral("1_fake"))
            name = QStringLiteral("fake");
        if (std::optional<QString> value = labelValue(name)) {
            label.label = *value;
            if (*value == QStringLiteral("synthetic") && i > 0)
                label.generator = folders.at(i - 1);
            return label;
        }
    }
    label.label = QStringLiteral("synthetic");
    label.generator = folders.front();
    return label;
}

Result<QHash<QString, ExemplarLabel>> readExemplarLabels(const QString &csvPath)
{
    QFile file(csvPath);
    if (!file.exists())
        return Error{ ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(csvPath) };
    if (!file.open(QIODevice::ReadOnly))
        return Error{ ErrorCode::Unreadable,
            QStringLiteral("cannot read %1: %2").arg(csvPath, file.errorString()) };
    if (file.size() > kMaxLabelsBytes)
        return Error{ ErrorCode::BadCsv,
            QStringLiteral("%1 is larger than a labels file can be (64 MiB)").arg(csvPath) };
    QByteArray text = file.read(kMaxLabelsBytes + 1);
    if (!text.isEmpty() && !text.endsWith('\n'))
        text.append('\n'); // a hand-written file's last line often has no line break
    QHash<QString, ExemplarLabel> labels;
    QHash<QString, int> columns;
    qint64 line = 0;
    const auto bad = [&](const QString &what) {
        return Error{ ErrorCode::BadCsv,
            QStringLiteral("%1, record %2: %3").arg(csvPath).arg(line).arg(what) };
    };
    const Result<qint64> parsed = parseCsv(text, [&](QStringList &&record) -> std::optional<Error> {
        ++line;
        if (line == 1) {
            for (int i = 0; i < record.size(); ++i) {
                QString name = record.at(i).trimmed().toLower();
                if (name == QStringLiteral("license"))
                    name = QStringLiteral("licence");
                columns.insert(name, i);
            }
            if (!columns.contains(QStringLiteral("path"))
                || !columns.contains(QStringLiteral("label")))
                return bad(
                    QStringLiteral("the header must name a \"path\" and a \"label\" column"));
            return std::nullopt;
        }
        const auto cell = [&](const char *name) {
            const int index = columns.value(QLatin1String(name), -1);
            return index >= 0 && index < record.size() ? record.at(index) : QString();
        };
        for (const QString &value : record) {
            if (std::any_of(value.begin(), value.end(), [](QChar c) {
                    return c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() <= 0x9f);
                }))
                return bad(QStringLiteral("a cell holds a control character"));
        }
        const QString path = cell("path");
        if (path.isEmpty())
            return bad(QStringLiteral("a record has no path"));
        const std::optional<QString> value = labelValue(cell("label"));
        if (!value)
            return bad(QStringLiteral("the label of %1 is not \"real\", \"synthetic\" or \"fake\"")
                           .arg(path.left(200)));
        if (labels.contains(path))
            return bad(QStringLiteral("%1 is labelled twice").arg(path.left(200)));
        labels.insert(path,
            ExemplarLabel{ *value, cell("generator"), cell("source"), cell("licence"),
                cell("attribution"), cell("group") });
        return std::nullopt;
    });
    if (!parsed)
        return parsed.error();
    if (line == 0)
        return Error{ ErrorCode::BadCsv, QStringLiteral("%1 is empty").arg(csvPath) };
    return labels;
}

Result<BankBuildSummary> buildBank(
    const BankBuildSettings &settings, const std::atomic_bool &cancel, const ScanObserver &observer)
{
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };
    const bool bankExists = QFileInfo::exists(settings.bankPath);
    if (bankExists && !settings.resume)
        return Error{ ErrorCode::OutputExists,
            QStringLiteral("%1 exists: give --resume to continue its build, or choose another "
                           "name")
                .arg(settings.bankPath) };

    QHash<QString, ExemplarLabel> labels;
    if (!settings.labelsCsv.isEmpty()) {
        Result<QHash<QString, ExemplarLabel>> read = readExemplarLabels(settings.labelsCsv);
        if (!read)
            return read.error();
        labels = std::move(read).value();
    }

    ScanSettings scan;
    scan.root = settings.root;
    scan.outputCsv = settings.reportCsvPath();
    scan.modelPaths = { settings.modelPath };
    if (!settings.modelPin.isEmpty())
        scan.modelPins = { settings.modelPin };
    scan.engine = settings.engine;
    scan.limits = settings.limits;
    scan.sandbox = settings.sandbox;
    scan.decodeThreads = settings.decodeThreads;
    scan.keepEmbeddings = true;
    scan.resume = settings.resume;
    // The report is the bank's own: a new build replaces the report an earlier, finished build
    // of a bank since removed left behind.
    scan.overwrite = !settings.resume;

    const int queueCapacity = std::max(2, settings.engine.maxBatch * 2);
    Result<DetectorSet> detectors
        = DetectorSet::load(scan.modelPaths, scan.engine, queueCapacity, scan.modelPins);
    if (!detectors)
        return detectors.error();
    const ModelInfo &model = *detectors->model(0);
    if (!model.manifest.hasEmbedding)
        return Error{ ErrorCode::NoEmbedding,
            QStringLiteral("%1 declares no embedding, so its exemplars cannot be compared; a bank "
                           "needs a detector that exports one")
                .arg(model.manifest.id) };

    std::unique_ptr<ExemplarBank> bank;
    if (bankExists) {
        Result<std::unique_ptr<ExemplarBank>> opened
            = ExemplarBank::openForWriting(settings.bankPath);
        if (!opened)
            return opened.error();
        bank = std::move(opened).value();
        if (bank->identity().bundleSha256 != model.bundleSha256)
            return *bank->checkBundle(model.bundleSha256, bank->identity().dimension);
    }

    BankBuildSummary summary;
    std::optional<Error> bankError;
    std::mutex thumbnailsMutex;
    QHash<QString, Thumbnail> thumbnails; // decoded, row not yet written: bounded by in-flight

    ScanObserver inner = observer;
    if (settings.thumbnailSide > 0) {
        inner.decoded = [&](const QString &relativePath, const DecodedImage &image) {
            Exemplar shrunk;
            ExemplarBank::setThumbnail(
                shrunk, image.constData(), image.width, image.height, settings.thumbnailSide);
            std::lock_guard lock(thumbnailsMutex);
            thumbnails.insert(relativePath,
                Thumbnail{ shrunk.thumbWidth, shrunk.thumbHeight, shrunk.thumbnailRgb });
        };
    }
    // Before the row goes to the report: the report never vouches for a row the bank lacks.
    inner.recordComing = [&](const QString &relativePath, const AnalysisRecord &record) {
        Thumbnail thumbnail;
        {
            std::lock_guard lock(thumbnailsMutex);
            thumbnail = thumbnails.take(relativePath);
        }
        if (observer.recordComing)
            observer.recordComing(relativePath, record);
        if (bankError)
            return;
        if (!record.ok()) {
            ++summary.failed;
            return;
        }
        const std::optional<ExemplarLabel> label = settings.labelsCsv.isEmpty()
            ? labelFromFolders(relativePath)
            : (labels.contains(relativePath) ? std::optional(labels.value(relativePath))
                                             : std::nullopt);
        if (!label) {
            ++summary.unlabelled;
            return;
        }
        const std::vector<float> &embedding = record.detectors.front().prediction->embedding;
        if (!bank) {
            Result<std::unique_ptr<ExemplarBank>> created = ExemplarBank::create(settings.bankPath,
                BankIdentity{ model.bundleSha256, model.manifest.id, int(embedding.size()) });
            if (!created) {
                bankError = created.error();
                return;
            }
            bank = std::move(created).value();
        }
        Exemplar exemplar;
        exemplar.path = relativePath;
        exemplar.label = label->label;
        exemplar.generator = label->generator;
        exemplar.source = label->source.isEmpty() ? settings.source : label->source;
        exemplar.licence = label->licence.isEmpty() ? settings.licence : label->licence;
        exemplar.attribution
            = label->attribution.isEmpty() ? settings.attribution : label->attribution;
        exemplar.sha256 = record.digest.sha256;
        exemplar.width = record.width;
        exemplar.height = record.height;
        exemplar.embedding = embedding;
        exemplar.thumbWidth = thumbnail.width;
        exemplar.thumbHeight = thumbnail.height;
        exemplar.thumbnailRgb = thumbnail.rgb;
        if (std::optional<Error> error = bank->insert(exemplar)) {
            // A value the bank cannot hold (a name with control characters) costs that file
            // only; a failed write stops the build.
            if (error->code == ErrorCode::BadSettings)
                ++summary.failed;
            else
                bankError = error;
            return;
        }
        ++summary.added;
    };
    inner.rowsFlushed = [&]() -> std::optional<Error> {
        if (observer.rowsFlushed) {
            if (std::optional<Error> error = observer.rowsFlushed())
                return error;
        }
        if (bankError)
            return bankError;
        return bank ? bank->commit() : std::nullopt;
    };

    // A bank error stops the scan at its next flush, as a failed write does.
    Result<ScanSummary> scanned
        = runScan(scan, PreloadedScan{ &*detectors, nullptr }, cancel, inner);
    if (bankError)
        return *bankError;
    if (!scanned)
        return scanned.error();
    if (bank) {
        if (std::optional<Error> error = bank->commit())
            return *error;
        Result<BankInfo> info = bank->info();
        if (!info)
            return info.error();
        summary.bank = std::move(info).value();
    }
    summary.scan = std::move(scanned).value();
    return summary;
}

} // namespace forgelens
