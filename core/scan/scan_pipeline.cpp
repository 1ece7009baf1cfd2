#include "forgelens/scan/scan_pipeline.h"

#include "forgelens/scan/output_location.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis.h"
#include "forgelens/inference/usable_cores.h"
#include "forgelens/report/verdict_statement.h"
#include "forgelens/scan/csv_report_writer.h"
#include "forgelens/scan/interrupted_scan.h"
#include "forgelens/scan/report_lock.h"
#include "forgelens/scan/scan_row.h"
#include "forgelens/scan/scan_sidecar.h"

#include <ATen/Parallel.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

namespace forgelens {
namespace {

// Preprocessed inputs waiting for a model may take this much memory at most (a "none" resize
// policy feeds whole photographs: 12 megapixels is 144 MB as float32). The oldest file in
// flight always passes, so one image larger than the budget still goes through.
constexpr qint64 kTensorBudgetBytes = qint64(512) << 20;

constexpr Verdict kVerdicts[] = { Verdict::NotFlagged, Verdict::Inconclusive, Verdict::Synthetic };

struct PipelineOutcome {
    qint64 rowsWritten = 0;
    bool interrupted = false;
    std::optional<Error> writeError;
};

QString describeException(std::exception_ptr exception)
{
    try {
        std::rethrow_exception(std::move(exception));
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("unknown exception");
    }
}

Error internalError(std::exception_ptr exception)
{
    return Error{ ErrorCode::InternalError,
        QStringLiteral("failed unexpectedly (%1); please report this with the file's SHA-256")
            .arg(describeException(std::move(exception))) };
}

// Runs the bounded pipeline over `files` and writes their rows in order.
class Pipeline {
public:
    using Decoded = std::function<void(const QString &relativePath, const DecodedImage &)>;

    Pipeline(const std::vector<ScanFile> &files, const ScanSettings &settings,
        const DetectorSet &detectors, std::shared_ptr<DecoderPool> sandbox,
        const std::atomic_bool &cancel, const std::atomic_bool *pause, Decoded decoded)
        : m_files(files), m_settings(settings), m_detectors(detectors), m_cancel(cancel),
          m_pause(pause), m_decoded(std::move(decoded))
    {
        // A CSV row needs the finding codes and the predictions, nothing more: no whole metadata
        // report held while the models run, and embeddings only for a sink that asks for them.
        m_request.limits = settings.limits;
        m_request.readMetadata = settings.readMetadata;
        m_request.reducedJpegDecode = settings.reducedJpegDecode;
        m_request.cropOnlyJpegDecode = settings.cropOnlyJpegDecode;
        m_request.keepEmbeddings = settings.keepEmbeddings;
        m_request.sandbox = std::move(sandbox);
    }

    using RowWritten = std::function<void(const QString &relativePath, const AnalysisRecord &)>;

    PipelineOutcome run(int decodeThreads, int inFlight, CsvReportWriter &writer,
        const RowWritten &rowComing, const RowWritten &rowWritten)
    {
        m_freeSlots = inFlight;
        m_running = decodeThreads;
        std::vector<std::thread> threads;
        threads.reserve(size_t(decodeThreads));
        for (int i = 0; i < decodeThreads; ++i)
            threads.emplace_back([this] { decodeLoop(); });

        PipelineOutcome outcome;
        const qint64 count = qint64(m_files.size());
        try {
            writeInOrder(count, writer, rowComing, rowWritten, outcome);
        } catch (...) {
            // The threads must be joined whatever happened here, or the process would abort.
            outcome.writeError = internalError(std::current_exception());
        }
        m_stop = true;
        m_slotFreed.notify_all();
        for (std::thread &thread : threads)
            thread.join();
        outcome.interrupted = !outcome.writeError && outcome.rowsWritten < count;
        return outcome;
    }

private:
    bool stopping() const { return m_stop.load() || m_cancel.load(); }

    // Takes the rows in walk order as the pool finishes them and appends them to the CSV.
    void writeInOrder(qint64 count, CsvReportWriter &writer, const RowWritten &rowComing,
        const RowWritten &rowWritten, PipelineOutcome &outcome)
    {
        for (qint64 index = 0; index < count; ++index) {
            std::unique_lock lock(m_mutex);
            m_readyChanged.wait(lock, [&] { return m_ready.count(index) || m_running == 0; });
            const auto found = m_ready.find(index);
            if (found == m_ready.end())
                return; // cancelled before any worker took this file
            PendingAnalysis pending = std::move(found->second);
            m_ready.erase(found);
            lock.unlock();

            const qint64 inputBytes = pending.inputBytes;
            // A file cut short by the stop (its worker killed mid-decode) has no row: the
            // report ends before it, and --resume reads it again.
            if (pending.record.fileError && pending.record.fileError->code == ErrorCode::Cancelled)
                return;
            const AnalysisRecord record = finishFileAnalysis(std::move(pending), m_request);
            const QString &relativePath = m_files.at(size_t(index)).relativePath;
            if (rowComing)
                rowComing(relativePath, record);
            std::optional<Error> error = writer.append(scanCsvFields(relativePath, record));

            lock.lock();
            ++m_freeSlots;
            m_tensorBytes -= inputBytes;
            m_oldestUnwritten = index + 1;
            lock.unlock();
            m_slotFreed.notify_all();
            if (error) {
                outcome.writeError = std::move(error);
                return;
            }
            ++outcome.rowsWritten;
            rowWritten(relativePath, record);
        }
    }

    void decodeLoop()
    {
        // Parallelism here comes from the pool; operator-level threads in each worker would
        // only fight the inference thread for the same cores.
        at::set_num_threads(1);
        for (;;) {
            {
                std::unique_lock lock(m_mutex);
                // Paused: no new file starts. Nothing signals the end of a pause, so look
                // again every 50 ms.
                while (m_pause && m_pause->load() && !stopping())
                    m_slotFreed.wait_for(lock, std::chrono::milliseconds(50));
                m_slotFreed.wait(lock, [this] { return m_freeSlots > 0 || stopping(); });
                if (stopping())
                    break;
                --m_freeSlots;
            }
            const qint64 index = m_next.fetch_add(1);
            if (index >= qint64(m_files.size())) {
                std::lock_guard lock(m_mutex);
                ++m_freeSlots;
                break;
            }
            PendingAnalysis pending = prepare(index);
            {
                std::lock_guard lock(m_mutex);
                m_ready.emplace(index, std::move(pending));
            }
            m_readyChanged.notify_all();
        }
        {
            std::lock_guard lock(m_mutex);
            --m_running;
        }
        m_readyChanged.notify_all();
    }

    // Waits until the preprocessed inputs fit the memory budget (or this file is the oldest
    // in flight, which nothing else can overtake), then books them.
    void bookTensorBytes(qint64 index, qint64 bytes)
    {
        std::unique_lock lock(m_mutex);
        m_slotFreed.wait(lock, [&] {
            return m_tensorBytes + bytes <= kTensorBudgetBytes || index == m_oldestUnwritten
                || m_tensorBytes == 0 || m_stop.load();
        });
        m_tensorBytes += bytes;
    }

    PendingAnalysis prepare(qint64 index)
    {
        AnalysisHooks hooks;
        hooks.reserveInputs = [this, index](qint64 bytes) { bookTensorBytes(index, bytes); };
        hooks.cancel = &m_cancel;
        const ScanFile &file = m_files.at(size_t(index));
        if (m_decoded)
            hooks.decoded = [this, &file](const DecodedImage &image) {
                if (!image.truncated) // a salvaged picture is shown, never scored or kept
                    m_decoded(file.relativePath, image);
            };
        return beginFileAnalysis(file.absolutePath, m_detectors, m_request, hooks, file.nativePath);
    }

    const std::vector<ScanFile> &m_files;
    const ScanSettings &m_settings;
    const DetectorSet &m_detectors;
    const std::atomic_bool &m_cancel;
    const std::atomic_bool *m_pause; // null: never paused
    Decoded m_decoded;
    AnalysisRequest m_request;

    std::atomic_bool m_stop{ false };
    std::atomic<qint64> m_next{ 0 };
    std::mutex m_mutex;
    std::condition_variable m_slotFreed; // slots, tensor budget, oldest unwritten, stop
    std::condition_variable m_readyChanged; // a row is ready, or a worker ended
    int m_freeSlots = 0;
    int m_running = 0;
    qint64 m_tensorBytes = 0;
    qint64 m_oldestUnwritten = 0;
    std::map<qint64, PendingAnalysis> m_ready;
};

Error badSettings(const QString &message)
{
    return Error{ ErrorCode::BadSettings, message };
}

// Where the interrupted run's settings differ from this one's, a sentence saying how.
QString resumeDifference(const QJsonObject &before, const QJsonObject &now)
{
    for (auto it = now.begin(); it != now.end(); ++it) {
        // Written before the reduced JPEG decode existed: every JPEG was decoded in full.
        const QJsonValue was
            = it.key() == QLatin1String("reduced_jpeg_decode") && !before.contains(it.key())
            ? QJsonValue(false)
            : before.value(it.key());
        if (was != it.value())
            return QStringLiteral("the interrupted run used a different %1").arg(it.key());
    }
    return QString();
}

class ScanRun {
public:
    ScanRun(const ScanSettings &settings, const PreloadedScan &preloaded,
        const std::atomic_bool &cancel, const ScanObserver &observer)
        : m_settings(settings), m_preloaded(preloaded), m_cancel(cancel), m_observer(observer)
    {
    }

    Result<ScanSummary> run()
    {
        if (const QString problem = m_settings.validate(); !problem.isEmpty())
            return badSettings(problem);
        if (auto error = checkPaths())
            return *error;
        // The decoding workers start now and warm up while the models load.
        const int decodeThreads
            = m_settings.decodeThreads > 0 ? m_settings.decodeThreads : usableCoreCount();
        std::shared_ptr<DecoderPool> sandbox;
        if (m_settings.sandbox.enabled) {
            SandboxConfig config = m_settings.sandbox;
            config.maxWorkers = decodeThreads;
            sandbox = std::make_shared<DecoderPool>(config, m_settings.limits);
            sandbox->prestart(decodeThreads);
        }
        if (auto error = loadModels())
            return *error;
        const QStringList header = scanCsvHeader(m_summary.plan.models);
        if (auto error = readInterruptedRun(header))
            return *error;
        if (auto error = listFiles())
            return *error;

        ScanPlan &plan = m_summary.plan;
        plan.decodeThreads = decodeThreads;
        const int inFlight = m_settings.inFlight > 0
            ? m_settings.inFlight
            : plan.decodeThreads * 2 + m_settings.engine.maxBatch * 2 + 4;
        if (m_observer.started)
            m_observer.started(plan);

        m_summary.startedUtc = QDateTime::currentDateTimeUtc();
        m_summary.csvPath = m_settings.temporaryCsvPath();
        m_summary.sidecarPath = m_settings.temporarySidecarPath();
        // Until this run says otherwise, the record shows it as not finished: a run killed
        // with SIGKILL never gets to update it.
        m_summary.interrupted = true;
        if (auto error = writeJsonAtomically(m_settings.temporarySidecarPath(), sidecarJson(false)))
            return *error;
        Result<std::unique_ptr<CsvReportWriter>> writer = m_resumeBytes > 0
            ? CsvReportWriter::reopen(
                m_settings.temporaryCsvPath(), m_resumeBytes, m_settings.flushRows)
            : CsvReportWriter::create(m_settings.temporaryCsvPath(), header, m_settings.flushRows);
        if (!writer)
            return writer.error();
        // Every flush is vouched for in the sidecar (bytes and SHA-256), so --resume takes
        // back only rows this scan wrote.
        const auto vouch = [this](qint64 bytes, const QString &sha256) -> std::optional<Error> {
            if (m_observer.rowsFlushed) {
                if (std::optional<Error> error = m_observer.rowsFlushed())
                    return error;
            }
            m_flushed = QJsonObject{ { QStringLiteral("bytes"), bytes },
                { QStringLiteral("sha256"), sha256 } };
            return writeJsonAtomically(m_settings.temporarySidecarPath(), sidecarJson(false));
        };
        if (auto error = vouch((*writer)->bytesWritten(), (*writer)->writtenSha256()))
            return *error;
        (*writer)->setFlushed(vouch);

        QElapsedTimer clock;
        clock.start();
        ScanProgress progress;
        progress.total = plan.filesInScope;
        progress.done = plan.rowsResumed;
        for (const auto &[status, count] : m_summary.statusCounts)
            progress.failed += status == QLatin1String("ok") ? 0 : count;
        const qint64 resumed = plan.rowsResumed;
        Pipeline pipeline(m_files, m_settings, m_detectors, sandbox, m_cancel, m_preloaded.pause,
            m_observer.decoded);
        const PipelineOutcome outcome
            = pipeline.run(plan.decodeThreads, inFlight, **writer, m_observer.recordComing,
                [&](const QString &relativePath, const AnalysisRecord &record) {
                    const std::optional<Error> error = record.firstError();
                    ++m_summary.statusCounts[error ? error->codeName() : QStringLiteral("ok")];
                    ++progress.done;
                    if (error)
                        ++progress.failed;
                    if (m_observer.recordWritten)
                        m_observer.recordWritten(relativePath, record);
                    if (!m_observer.progress)
                        return;
                    progress.elapsedSeconds = double(clock.nsecsElapsed()) / 1e9;
                    const qint64 ran = progress.done - resumed;
                    progress.filesPerSecond
                        = progress.elapsedSeconds > 0 ? double(ran) / progress.elapsedSeconds : 0.0;
                    progress.etaSeconds = progress.elapsedSeconds >= 1.0 && ran > 0
                        ? double(progress.total - progress.done) / progress.filesPerSecond
                        : -1.0;
                    m_observer.progress(progress);
                });
        m_summary.rowsWritten = outcome.rowsWritten;
        m_summary.interrupted = outcome.interrupted || outcome.writeError.has_value();
        m_summary.finishedUtc = QDateTime::currentDateTimeUtc();
        // Stop the models before the files are finished: nothing waits on them any more.
        m_detectors = DetectorSet();

        if (outcome.writeError) {
            writer->reset();
            writeJsonAtomically(m_settings.temporarySidecarPath(), sidecarJson(false));
            return Error{ outcome.writeError->code,
                QStringLiteral("%1. The rows written before it are kept in %2; make room and "
                               "run the same command with --resume.")
                    .arg(outcome.writeError->message, m_settings.temporaryCsvPath()) };
        }
        if (outcome.interrupted) {
            if (auto error = (*writer)->flush())
                return *error;
            writer->reset();
            if (auto error
                = writeJsonAtomically(m_settings.temporarySidecarPath(), sidecarJson(false)))
                return *error;
            return m_summary;
        }
        if (auto error = (*writer)->commit(m_settings.outputCsv))
            return *error;
        writer->reset();
        m_summary.csvPath = m_settings.outputCsv;
        m_summary.sidecarPath = m_settings.sidecarPath();
        if (auto error = writeJsonAtomically(m_settings.sidecarPath(), sidecarJson(true)))
            return *error;
        QFile::remove(m_settings.temporarySidecarPath());
        return m_summary;
    }

private:
    // The values a row of this scan can hold: a row that --resume keeps must be one this scan
    // could have written (the hash already vouches for the bytes; this catches a row that is
    // well-formed but impossible, whatever wrote it).
    std::optional<QString> checkResumedRow(const QStringList &columns, const QStringList &row) const
    {
        static const QRegularExpression digits(QStringLiteral("^[0-9]*$"));
        static const QRegularExpression sha256(QStringLiteral("^([0-9a-f]{64})?$"));
        for (qsizetype c = 0; c < columns.size(); ++c) {
            const QString &column = columns[c];
            const QString &value = row[c];
            if ((column == QLatin1String("size") || column == QLatin1String("width")
                    || column == QLatin1String("height"))
                && !digits.match(value).hasMatch())
                return QStringLiteral("%1 \"%2\" is not a count").arg(column, value.left(40));
            if (column == QLatin1String("sha256") && !sha256.match(value).hasMatch())
                return QStringLiteral("sha256 is not a SHA-256");
            if (column == QLatin1String("status") && value != QLatin1String("ok")
                && !errorCodeFromName(value))
                return QStringLiteral("status \"%1\" is not a status ForgeLens writes")
                    .arg(value.left(40));
        }
        for (const ModelInfo &model : m_summary.plan.models) {
            const qsizetype p = columns.indexOf(model.manifest.id + QStringLiteral(".p_synthetic"));
            const qsizetype l = columns.indexOf(model.manifest.id + QStringLiteral(".label"));
            if (p < 0 || l < 0)
                continue;
            bool number = false;
            const double probability = row[p].toDouble(&number);
            if (!row[p].isEmpty() && !(number && probability >= 0.0 && probability <= 1.0))
                return QStringLiteral("%1 is not a probability").arg(columns[p]);
            const QString &label = row[l];
            const bool known = label.isEmpty()
                || std::any_of(std::begin(kVerdicts), std::end(kVerdicts),
                    [&](Verdict v) { return label == labelCode(v, model.manifest); });
            if (!known)
                return QStringLiteral("%1 \"%2\" is not a label this model gives")
                    .arg(columns[l], label.left(40));
        }
        return std::nullopt;
    }

    QJsonObject sidecarJson(bool complete) const
    {
        QJsonObject json = scanSidecarJson(m_settings, m_summary, m_previousRuns, complete);
        if (!m_flushed.isEmpty())
            json.insert(QStringLiteral("flushed"), m_flushed);
        return json;
    }

    std::optional<Error> checkPaths()
    {
        const QFileInfo root(m_settings.root);
        if (!root.isDir())
            return Error{ ErrorCode::RootUnreadable,
                QStringLiteral("%1 is not a folder").arg(m_settings.root) };
        const QFileInfo output(m_settings.outputCsv);
        const QFileInfo outputFolder(output.absolutePath());
        if (!outputFolder.isDir())
            return badSettings(
                QStringLiteral("the report's folder %1 does not exist").arg(output.absolutePath()));
        if (liesInsideFolder(outputFolder.absoluteFilePath(), m_settings.root))
            return badSettings(QStringLiteral("the report %1 would be written inside the "
                                              "evidence folder %2; write it elsewhere")
                                   .arg(m_settings.outputCsv, m_settings.root));
        // Before the report's files are looked at: a second scan on this report refuses to
        // start, whatever state the first one has left them in so far.
        Result<std::shared_ptr<ReportLock>> lock = ReportLock::acquire(m_settings.outputCsv);
        if (!lock)
            return lock.error();
        m_lock = std::move(lock).value();

        const bool interruptedExists = QFileInfo::exists(m_settings.temporaryCsvPath());
        const bool reportExists = QFileInfo::exists(m_settings.outputCsv);
        if (interruptedExists && !m_settings.resume)
            return Error{ ErrorCode::InterruptedRunExists,
                QStringLiteral("an interrupted scan left %1: continue it with --resume, or "
                               "delete it to start again")
                    .arg(m_settings.temporaryCsvPath()) };
        if (m_settings.resume && !interruptedExists && reportExists)
            return Error{ ErrorCode::NothingToResume,
                QStringLiteral("%1 is already complete").arg(m_settings.outputCsv) };
        if (reportExists && !m_settings.overwrite && !m_settings.resume)
            return Error{ ErrorCode::OutputExists,
                QStringLiteral("%1 exists: give --overwrite to replace it")
                    .arg(m_settings.outputCsv) };
        return std::nullopt;
    }

    std::optional<Error> loadModels()
    {
        if (m_preloaded.detectors) {
            if (m_preloaded.detectors->empty())
                return Error{ ErrorCode::ModelUnusable, QStringLiteral("no detector is loaded") };
            m_detectors = *m_preloaded.detectors;
            m_summary.plan.models = m_detectors.models();
            return std::nullopt;
        }
        const int queueCapacity = std::max(2, m_settings.engine.maxBatch * 2);
        Result<DetectorSet> detectors = DetectorSet::load(
            m_settings.modelPaths, m_settings.engine, queueCapacity, m_settings.modelPins);
        if (!detectors)
            return detectors.error();
        m_detectors = std::move(detectors).value();
        m_summary.plan.models = m_detectors.models();
        return std::nullopt;
    }

    std::optional<Error> readInterruptedRun(const QStringList &header)
    {
        if (!m_settings.resume || !QFileInfo::exists(m_settings.temporaryCsvPath()))
            return std::nullopt;
        Result<InterruptedScan> interrupted
            = readInterruptedScan(m_settings.temporaryCsvPath(), m_settings.temporarySidecarPath(),
                [this](const QStringList &columns, const QStringList &row) {
                    return checkResumedRow(columns, row);
                });
        if (!interrupted)
            return interrupted.error();
        if (interrupted->header.isEmpty())
            return std::nullopt; // killed before its header reached the disk: start afresh
        if (interrupted->header != header)
            return Error{ ErrorCode::ResumeMismatch,
                QStringLiteral("the interrupted report's columns (%1) differ from this run's "
                               "(%2): resume with the same models in the same order")
                    .arg(interrupted->header.join(u','), header.join(u',')) };
        const QString difference
            = resumeDifference(interrupted->sidecar.value(QStringLiteral("settings")).toObject(),
                scanIdentityJson(m_settings, m_summary.plan.models));
        if (!difference.isEmpty())
            return Error{ ErrorCode::ResumeMismatch,
                QStringLiteral("%1: resume with the same folder, models and options")
                    .arg(difference) };
        m_done = std::move(interrupted->donePaths);
        m_summary.statusCounts = std::move(interrupted->statusCounts);
        m_previousRuns = interrupted->sidecar.value(QStringLiteral("runs")).toArray();
        m_resumeBytes = interrupted->completeBytes;
        return std::nullopt;
    }

    std::optional<Error> listFiles()
    {
        Result<ScanFileList> list = listScanFiles(m_settings.root, m_settings.walk);
        if (!list)
            return list.error();
        ScanPlan &plan = m_summary.plan;
        plan.skippedNotImages = list->skippedNotImages;
        plan.skippedSymlinks = list->skippedSymlinks;
        plan.walkProblems = list->problems;
        // Every row kept from the interrupted run must name a file of this walk, in this shard.
        const auto inScope = [this](const QString &path) {
            return m_settings.shard.contains(path)
                && (m_settings.onlyPaths.isEmpty() || m_settings.onlyPaths.contains(path));
        };
        QSet<QString> walked;
        for (const ScanFile &file : list->files) {
            if (inScope(file.relativePath))
                walked.insert(file.relativePath);
        }
        for (const QString &done : std::as_const(m_done)) {
            if (!walked.contains(done))
                return Error{ ErrorCode::ResumeMismatch,
                    QStringLiteral("the interrupted report has a row for %1, which is not a file "
                                   "of this scan in %2 (an edited report, or a changed folder); "
                                   "it is not resumed")
                        .arg(done, m_settings.root) };
        }
        m_files.reserve(list->files.size());
        for (ScanFile &file : list->files) {
            if (!inScope(file.relativePath)) {
                ++plan.outsideShard;
                continue;
            }
            ++plan.filesInScope;
            if (m_done.contains(file.relativePath))
                ++plan.rowsResumed;
            else
                m_files.push_back(std::move(file));
        }
        m_done.clear();
        return std::nullopt;
    }

    const ScanSettings &m_settings;
    const PreloadedScan m_preloaded;
    const std::atomic_bool &m_cancel;
    const ScanObserver &m_observer;
    ScanSummary m_summary;
    DetectorSet m_detectors;
    std::vector<ScanFile> m_files;
    QSet<QString> m_done;
    QJsonArray m_previousRuns;
    std::shared_ptr<ReportLock> m_lock; // held until the run ends
    QJsonObject m_flushed; // bytes and SHA-256 of the CSV as last flushed
    qint64 m_resumeBytes = 0;
};

} // namespace

qint64 ScanSummary::failedRows() const
{
    qint64 failed = 0;
    for (const auto &[status, count] : statusCounts)
        failed += status == QLatin1String("ok") ? 0 : count;
    return failed;
}

Result<ScanSummary> runScan(
    const ScanSettings &settings, const std::atomic_bool &cancel, const ScanObserver &observer)
{
    return runScan(settings, PreloadedScan{}, cancel, observer);
}

Result<ScanSummary> runScan(const ScanSettings &settings, const PreloadedScan &preloaded,
    const std::atomic_bool &cancel, const ScanObserver &observer)
{
    try {
        return ScanRun(settings, preloaded, cancel, observer).run();
    } catch (...) {
        return internalError(std::current_exception());
    }
}

} // namespace forgelens
