#include "forgelens/session/workbench.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis_job.h"
#include "forgelens/exemplars/bank_build.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/inference/model_load_job.h"
#include "forgelens/sandbox/decoder_pool.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QPointer>
#include <QThreadPool>

#include <algorithm>
#include <atomic>
#include <numeric>

namespace forgelens {

struct Workbench::Impl {
    EngineConfig engineConfig;
    AnalysisRequest request;
    std::vector<std::shared_ptr<InferenceWorker>> workers; // display order
    // Per worker, the number of the load that brought it: loads finish in any order, but a
    // detector takes its place by when it was asked for (`--model A --model B`: A, then B).
    std::vector<quint64> loadNumbers;
    quint64 nextLoadNumber = 0;
    DetectorSet set; // the workers as analyses use them; rebuilt by every change
    QStringList loading;
    QStringList files;
    int current = -1;
    QHash<QString, AnalysisRecord> records;
    quint64 requestId = 0; // the analysis whose results are wanted
    std::shared_ptr<std::atomic_bool> cancelCurrent;
    int pendingJobs = 0;
    SandboxConfig sandboxConfig; // what folder scans read with (enabled = false: in-process)
    std::shared_ptr<ScanFolderControl> scan; // the folder scan running, or null
    std::shared_ptr<std::atomic_bool> evaluation; // the evaluation running (its cancel), or null
    // Banks by the SHA-256 of the bundle they were built with.
    QHash<QString, std::shared_ptr<const AttachedBank>> banks;
    // What the open case is to keep of each file analysed: the record, then its exemplars and
    // maps as they come.
    std::map<QString, ReportItemInput> caseItems;
    int nearestCount = 10;
    std::shared_ptr<std::atomic_bool> bankBuildCancel; // the build running, or null
    // The current file's pixels, for maps (implicitly shared: no copy).
    QString decodedPath;
    std::optional<DecodedImage> decoded;
    std::shared_ptr<std::atomic_bool> mapsCancel; // the maps in flight, or null
    quint64 mapsId = 0;
    QThreadPool pool;
};

namespace {

// Destroying a worker joins its thread, which may be in the middle of a forward pass: never on
// the owner's thread.
void release(QThreadPool &pool, std::shared_ptr<InferenceWorker> worker)
{
    if (worker)
        pool.start([worker = std::move(worker)]() mutable { worker.reset(); });
}

} // namespace

Workbench::Workbench(QObject *parent) : QObject(parent), m_impl(std::make_unique<Impl>())
{
    qRegisterMetaType<forgelens::DecodedImage>();
    qRegisterMetaType<forgelens::AnalysisRecord>();
    qRegisterMetaType<forgelens::Error>();
    qRegisterMetaType<std::shared_ptr<forgelens::InferenceWorker>>();
    qRegisterMetaType<forgelens::ScanPlan>();
    qRegisterMetaType<forgelens::ScanProgress>();
    qRegisterMetaType<forgelens::ScanFolderOutcome>();
    qRegisterMetaType<forgelens::EvaluationOutcome>();
    qRegisterMetaType<QVector<forgelens::ScanResultRow>>();
    qRegisterMetaType<QVector<forgelens::DetectorMaps>>();
    qRegisterMetaType<QVector<forgelens::DetectorExemplars>>();
    m_impl->sandboxConfig.enabled = false;
    m_impl->request.readMetadata = true;
    m_impl->request.keepMetadataReport = true;
    m_impl->request.keepEmbeddings = true; // the nearest exemplars are found from them
    m_impl->request.salvageTruncated = true;
    // Loads and analyses at once, plus a worker's release; the models' own threads do the
    // heavy work.
    m_impl->pool.setMaxThreadCount(4);
    m_case = new CaseSession(this);
    recordCaseOnSignals();
}

void Workbench::recordCaseOnSignals()
{
    // A record waits for its exemplars when a detector has a bank, so that the case keeps them
    // with it; maps, computed on request, are recorded with the record again as a new run.
    connect(this, &Workbench::recordReady, this,
        [this](const QString &path, const AnalysisRecord &record) {
            if (!m_case->isOpen() || record.digest.sha256.isEmpty())
                return;
            m_impl->caseItems[path] = ReportItemInput{ record, {}, {}, {} };
            bool banked = false;
            for (const DetectorResult &result : record.detectors)
                banked = banked
                    || (result.model && m_impl->banks.contains(result.model->bundleSha256));
            if (!banked)
                recordInCase(path);
        });
    connect(this, &Workbench::exemplarsReady, this,
        [this](const QString &path, const QVector<DetectorExemplars> &exemplars) {
            const auto found = m_impl->caseItems.find(path);
            if (!m_case->isOpen() || found == m_impl->caseItems.end())
                return;
            found->second.exemplars.clear();
            for (const DetectorExemplars &entry : exemplars)
                found->second.exemplars.push_back(ReportExemplars{
                    entry.detectorId, entry.bankPath, entry.neighbourhood, entry.missing });
            recordInCase(path);
        });
    connect(this, &Workbench::mapsReady, this,
        [this](const QString &path, const QVector<DetectorMaps> &maps) {
            const auto found = m_impl->caseItems.find(path);
            if (!m_case->isOpen() || found == m_impl->caseItems.end())
                return;
            ReportItemInput &item = found->second;
            item.maps.clear();
            item.mapsMissing.clear();
            for (const DetectorMaps &entry : maps) {
                if (!entry.maps) {
                    item.mapsMissing.emplace_back(
                        entry.detectorId, entry.error ? entry.error->message : QString());
                    continue;
                }
                item.maps.push_back(entry.maps->tileScores);
                for (const auto &[map, missing] :
                    { std::pair{ &entry.maps->selfConsistency, entry.maps->noSelfConsistency },
                        std::pair{
                            &entry.maps->patchSimilarity, entry.maps->noPatchSimilarity } }) {
                    if (*map)
                        item.maps.push_back(**map);
                    else
                        item.mapsMissing.emplace_back(entry.detectorId, missing);
                }
            }
            recordInCase(path);
        });
    connect(this, &Workbench::scanFinished, this, [this](const ScanFolderOutcome &outcome) {
        if (m_case->isOpen() && outcome.summary && !outcome.summary->interrupted)
            m_case->recordScanReport(outcome.summary->csvPath);
    });
    connect(this, &Workbench::evaluationFinished, this, [this](const EvaluationOutcome &outcome) {
        if (!m_case->isOpen() || !outcome.run || outcome.run->interrupted)
            return;
        CaseRun run;
        run.kind = QStringLiteral("evaluation");
        run.startedUtc = QDateTime::fromString(
            outcome.run->document.value(QStringLiteral("created_utc")).toString(),
            Qt::ISODateWithMs);
        run.finishedUtc = QDateTime::currentDateTimeUtc();
        if (!run.startedUtc.isValid())
            run.startedUtc = run.finishedUtc;
        run.results = outcome.run->document;
        run.environment = QJsonObject{ { QStringLiteral("tool"), QStringLiteral("forgelens") },
            { QStringLiteral("tool_version"), QStringLiteral(FORGELENS_VERSION) },
            { QStringLiteral("detectors"),
                outcome.run->reportSidecar.value(QStringLiteral("models")) },
            { QStringLiteral("settings"),
                outcome.run->reportSidecar.value(QStringLiteral("settings")) } };
        m_case->recordRun(run);
    });
    connect(m_case, &CaseSession::caseClosed, this, [this] { m_impl->caseItems.clear(); });
}

void Workbench::recordInCase(const QString &path)
{
    const auto found = m_impl->caseItems.find(path);
    if (found == m_impl->caseItems.end())
        return;
    const AnalysisRecord &record = found->second.record;
    std::vector<std::shared_ptr<const ModelInfo>> models;
    QStringList banks;
    for (const DetectorResult &result : record.detectors) {
        models.push_back(result.model);
        if (result.model && m_impl->banks.contains(result.model->bundleSha256))
            banks << m_impl->banks.value(result.model->bundleSha256)->path();
    }
    const QJsonObject settings{ { QStringLiteral("device"),
                                    EngineConfig::deviceName(m_impl->engineConfig.device) },
        { QStringLiteral("threads"), m_impl->engineConfig.intraOpThreads },
        { QStringLiteral("max_megapixels"), double(m_impl->request.limits.maxPixels) / 1e6 },
        { QStringLiteral("sandbox"), m_impl->sandboxConfig.enabled },
        { QStringLiteral("maps"), !found->second.maps.empty() } };
    m_case->recordAnalysis(found->second, runEnvironment(models, banks, settings),
        record.startedUtc, record.finishedUtc);
}

void Workbench::setSandboxConfig(const SandboxConfig &config)
{
    m_impl->sandboxConfig = config;
    m_impl->request.sandbox
        = config.enabled ? std::make_shared<DecoderPool>(config, m_impl->request.limits) : nullptr;
    // One worker starts now, while the detectors load, so the first image opened does not wait
    // for its start and warm-up.
    if (m_impl->request.sandbox)
        m_impl->request.sandbox->prestart(1);
}

std::shared_ptr<DecoderPool> Workbench::decoderPool() const
{
    return m_impl->request.sandbox;
}

Workbench::~Workbench()
{
    if (m_impl->cancelCurrent)
        m_impl->cancelCurrent->store(true);
    if (m_impl->mapsCancel)
        m_impl->mapsCancel->store(true);
    if (m_impl->bankBuildCancel)
        m_impl->bankBuildCancel->store(true);
    if (m_impl->scan)
        m_impl->scan->cancel.store(true);
    if (m_impl->evaluation)
        m_impl->evaluation->store(true);
    m_impl->workers.clear();
    m_impl->set = DetectorSet();
    m_impl->pool.waitForDone();
}

void Workbench::setEngineConfig(const EngineConfig &config)
{
    m_impl->engineConfig = config;
}

EngineConfig Workbench::engineConfig() const
{
    return m_impl->engineConfig;
}

void Workbench::setDecodeLimits(const DecodeLimits &limits)
{
    m_impl->request.limits = limits;
}

int Workbench::detectorCount() const
{
    return int(m_impl->workers.size());
}

std::vector<std::shared_ptr<const ModelInfo>> Workbench::detectors() const
{
    std::vector<std::shared_ptr<const ModelInfo>> out;
    for (size_t i = 0; i < m_impl->set.size(); ++i)
        out.push_back(m_impl->set.model(i));
    return out;
}

void Workbench::addDetector(const QString &bundlePath)
{
    startLoad(bundlePath, std::nullopt);
}

void Workbench::replaceDetector(int index, const QString &bundlePath)
{
    if (index < 0 || index >= detectorCount())
        return addDetector(bundlePath);
    startLoad(bundlePath, index);
}

void Workbench::startLoad(const QString &bundlePath, std::optional<int> replacing)
{
    m_impl->loading.append(bundlePath);
    // The detector being replaced is named by its worker, not its index: the list may be
    // reordered or shortened while the new bundle loads.
    std::weak_ptr<InferenceWorker> replaced;
    if (replacing)
        replaced = m_impl->workers.at(size_t(*replacing));
    const quint64 loadNumber = m_impl->nextLoadNumber++;
    auto *job = new ModelLoadJob(bundlePath, m_impl->engineConfig);
    const auto finish = [this, bundlePath] {
        m_impl->loading.removeOne(bundlePath);
        jobEnded();
    };
    connect(
        job, &ModelLoadJob::loaded, this,
        [this, bundlePath, replaced, finish, loadNumber](std::shared_ptr<InferenceWorker> worker) {
            finish();
            std::vector<std::shared_ptr<InferenceWorker>> next = m_impl->workers;
            std::vector<quint64> numbers = m_impl->loadNumbers;
            // Null when adding; when replacing, it may have left the set meanwhile.
            std::shared_ptr<InferenceWorker> previous = replaced.lock();
            const auto old = std::find(next.begin(), next.end(), previous);
            // Replaced in place; if that detector was unloaded meanwhile, the new one joins.
            if (previous && old != next.end()) {
                *old = worker;
            } else {
                previous.reset();
                const auto later = std::find_if(numbers.begin(), numbers.end(),
                    [loadNumber](quint64 number) { return number > loadNumber; });
                next.insert(next.begin() + (later - numbers.begin()), worker);
                numbers.insert(later, loadNumber);
            }
            // Two detectors with one id could not be told apart in any report.
            if (Result<DetectorSet> checked = DetectorSet::fromWorkers(next); !checked) {
                next.clear(); // the released worker's last reference is the pool's
                release(m_impl->pool, std::move(worker));
                Q_EMIT detectorLoadFailed(bundlePath, checked.error());
                return;
            }
            m_impl->workers = std::move(next);
            m_impl->loadNumbers = std::move(numbers);
            release(m_impl->pool, std::move(previous));
            Q_EMIT detectorLoaded(bundlePath);
            detectorsEdited();
            // A bank shipped beside the bundle (reference.pt: reference.bank.sqlite) goes with
            // it; it is checked like any other bank.
            const QFileInfo bundle(bundlePath);
            const QString beside
                = bundle.dir().filePath(bundle.completeBaseName() + QStringLiteral(".bank.sqlite"));
            const auto at = std::find(m_impl->workers.begin(), m_impl->workers.end(), worker);
            if (QFileInfo::exists(beside) && at != m_impl->workers.end())
                attachBank(int(at - m_impl->workers.begin()), beside);
        },
        Qt::QueuedConnection);
    connect(
        job, &ModelLoadJob::failed, this,
        [this, bundlePath, finish](const Error &error) {
            finish();
            Q_EMIT detectorLoadFailed(bundlePath, error);
        },
        Qt::QueuedConnection);
    jobStarted();
    Q_EMIT detectorLoadStarted(bundlePath);
    m_impl->pool.start(job);
}

void Workbench::removeDetector(int index)
{
    if (index < 0 || index >= detectorCount())
        return;
    std::shared_ptr<InferenceWorker> removed = m_impl->workers.at(size_t(index));
    m_impl->workers.erase(m_impl->workers.begin() + index);
    m_impl->loadNumbers.erase(m_impl->loadNumbers.begin() + index);
    release(m_impl->pool, std::move(removed));
    detectorsEdited();
}

void Workbench::moveDetector(int from, int to)
{
    const int count = detectorCount();
    if (from < 0 || from >= count || to < 0 || to >= count || from == to)
        return;
    std::shared_ptr<InferenceWorker> moved = m_impl->workers.at(size_t(from));
    m_impl->workers.erase(m_impl->workers.begin() + from);
    m_impl->workers.insert(m_impl->workers.begin() + to, std::move(moved));
    // The order the analyst chose now stands; loads still under way join at the end.
    std::sort(m_impl->loadNumbers.begin(), m_impl->loadNumbers.end());
    detectorsEdited();
}

QStringList Workbench::loadingBundles() const
{
    return m_impl->loading;
}

void Workbench::detectorsEdited()
{
    // Ids were checked when each detector joined; removing or reordering keeps them unique.
    Result<DetectorSet> set = DetectorSet::fromWorkers(m_impl->workers);
    m_impl->set = set ? std::move(set).value() : DetectorSet();
    Q_EMIT detectorsChanged();
    if (m_impl->current >= 0)
        startAnalysis();
}

void Workbench::openFiles(const QStringList &paths)
{
    int first = -1;
    for (const QString &path : paths) {
        const QString absolute = QFileInfo(path).absoluteFilePath();
        int index = int(m_impl->files.indexOf(absolute));
        if (index < 0) {
            m_impl->files.append(absolute);
            index = int(m_impl->files.size()) - 1;
        }
        if (first < 0)
            first = index;
    }
    if (first < 0)
        return;
    Q_EMIT filesChanged();
    setCurrentIndex(first);
}

void Workbench::closeFile(int index)
{
    if (index < 0 || index >= m_impl->files.size())
        return;
    m_impl->records.remove(m_impl->files.at(index));
    m_impl->files.removeAt(index);
    const bool wasCurrent = index == m_impl->current;
    if (index < m_impl->current || m_impl->current >= m_impl->files.size())
        --m_impl->current;
    Q_EMIT filesChanged();
    if (wasCurrent) {
        cancel();
        ++m_impl->requestId;
        Q_EMIT currentChanged(m_impl->current, currentFile());
        if (m_impl->current >= 0)
            startAnalysis();
    }
}

QStringList Workbench::files() const
{
    return m_impl->files;
}

int Workbench::currentIndex() const
{
    return m_impl->current;
}

QString Workbench::currentFile() const
{
    return m_impl->files.value(m_impl->current);
}

void Workbench::setCurrentIndex(int index)
{
    if (index < 0 || index >= m_impl->files.size())
        return;
    m_impl->current = index;
    Q_EMIT currentChanged(index, currentFile());
    startAnalysis();
}

void Workbench::next()
{
    if (m_impl->current + 1 < m_impl->files.size())
        setCurrentIndex(m_impl->current + 1);
}

void Workbench::previous()
{
    if (m_impl->current > 0)
        setCurrentIndex(m_impl->current - 1);
}

const AnalysisRecord *Workbench::record(const QString &path) const
{
    const auto found = m_impl->records.constFind(QFileInfo(path).absoluteFilePath());
    return found == m_impl->records.constEnd() ? nullptr : &*found;
}

void Workbench::reanalyse()
{
    if (m_impl->current >= 0)
        startAnalysis();
}

void Workbench::cancel()
{
    if (m_impl->cancelCurrent)
        m_impl->cancelCurrent->store(true);
}

bool Workbench::isBusy() const
{
    return m_impl->pendingJobs > 0;
}

void Workbench::startAnalysis()
{
    // The newest request wins: the one in flight is cancelled and its results dropped.
    cancel();
    cancelMaps();
    m_impl->decoded.reset();
    m_impl->decodedPath.clear();
    m_impl->cancelCurrent = std::make_shared<std::atomic_bool>(false);
    const quint64 id = ++m_impl->requestId;
    const QString path = currentFile();
    auto *job = new FileAnalysisJob(id, path, m_impl->set, m_impl->request, m_impl->cancelCurrent);
    connect(
        job, &FileAnalysisJob::decoded, this,
        [this, path](quint64 requestId, const DecodedImage &image) {
            if (requestId != m_impl->requestId)
                return;
            m_impl->decodedPath = path;
            m_impl->decoded = image;
            Q_EMIT imageDecoded(path, image);
        },
        Qt::QueuedConnection);
    connect(
        job, &FileAnalysisJob::finished, this,
        [this, path](quint64 requestId, const AnalysisRecord &record) {
            jobEnded();
            if (requestId != m_impl->requestId)
                return; // superseded by a newer request
            if (m_impl->files.contains(path))
                m_impl->records.insert(path, record);
            Q_EMIT recordReady(path, record);
            findExemplars(path, record);
        },
        Qt::QueuedConnection);
    jobStarted();
    Q_EMIT analysisStarted(path);
    m_impl->pool.start(job);
}

void Workbench::jobStarted()
{
    if (m_impl->pendingJobs++ == 0)
        Q_EMIT busyChanged(true);
}

void Workbench::jobEnded()
{
    if (--m_impl->pendingJobs <= 0) {
        m_impl->pendingJobs = 0;
        Q_EMIT busyChanged(false);
    }
}

std::optional<Error> Workbench::startFolderScan(const FolderScanRequest &request)
{
    if (m_impl->scan)
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("a folder scan is running: cancel it or wait for it to end") };
    if (m_impl->set.empty())
        return Error{ ErrorCode::ModelUnusable,
            QStringLiteral("no detector is loaded: add one before scanning a folder") };
    ScanSettings settings;
    settings.root = request.folder;
    settings.outputCsv = request.reportCsv;
    settings.resume = request.resume;
    settings.overwrite = request.overwrite;
    settings.walk = request.walk;
    settings.readMetadata = request.readMetadata;
    settings.decodeThreads = request.decodeThreads;
    settings.engine = m_impl->engineConfig;
    settings.limits = m_impl->request.limits;
    settings.sandbox = m_impl->sandboxConfig;
    for (const ModelInfo &model : m_impl->set.models())
        settings.modelPaths << model.bundlePath;
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };

    auto control = std::make_shared<ScanFolderControl>();
    auto *job = new ScanFolderJob(settings, m_impl->set, control);
    connect(job, &ScanFolderJob::planned, this, &Workbench::scanPlanned);
    connect(job, &ScanFolderJob::progressed, this, &Workbench::scanProgressed);
    connect(job, &ScanFolderJob::rowsAdded, this, &Workbench::scanRowsAdded);
    connect(job, &ScanFolderJob::finished, this, [this, control](const ScanFolderOutcome &outcome) {
        if (m_impl->scan == control)
            m_impl->scan.reset();
        Q_EMIT scanFinished(outcome);
    });
    m_impl->scan = control;
    m_impl->pool.start(job);
    return std::nullopt;
}

std::optional<Error> Workbench::startEvaluation(const EvaluationRequest &request)
{
    if (m_impl->evaluation)
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("an evaluation is running: cancel it or wait for it to end") };
    if (m_impl->set.empty() && request.existingReport.isEmpty())
        return Error{ ErrorCode::ModelUnusable,
            QStringLiteral("no detector is loaded: add the detectors to evaluate first") };
    EvaluationSettings settings;
    settings.outputDir = request.outputDir;
    settings.existingReport = request.existingReport;
    settings.labelsCsv = request.labelsCsv;
    settings.classFolders = request.classFolders;
    settings.excludeLists = request.excludeLists;
    settings.options.targetFpr = request.targetFpr;
    ScanSettings &scan = settings.scan;
    scan.root = request.folder;
    scan.resume = request.resume;
    scan.overwrite = request.overwrite;
    scan.engine = m_impl->engineConfig;
    scan.limits = m_impl->request.limits;
    scan.sandbox = m_impl->sandboxConfig;
    for (const ModelInfo &model : m_impl->set.models())
        scan.modelPaths << model.bundlePath;
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };

    auto cancel = std::make_shared<std::atomic_bool>(false);
    auto *job = new EvaluationJob(settings, m_impl->set, cancel);
    connect(job, &EvaluationJob::planned, this, &Workbench::evaluationPlanned);
    connect(job, &EvaluationJob::progressed, this, &Workbench::evaluationProgressed);
    connect(job, &EvaluationJob::finished, this, [this, cancel](const EvaluationOutcome &outcome) {
        if (m_impl->evaluation == cancel)
            m_impl->evaluation.reset();
        Q_EMIT evaluationFinished(outcome);
    });
    m_impl->evaluation = cancel;
    m_impl->pool.start(job);
    return std::nullopt;
}

void Workbench::cancelEvaluation()
{
    if (m_impl->evaluation)
        m_impl->evaluation->store(true);
}

bool Workbench::isEvaluating() const
{
    return m_impl->evaluation != nullptr;
}

void Workbench::setScanPaused(bool paused)
{
    if (m_impl->scan)
        m_impl->scan->pause.store(paused);
}

bool Workbench::isScanPaused() const
{
    return m_impl->scan && m_impl->scan->pause.load();
}

void Workbench::cancelScan()
{
    if (m_impl->scan) {
        m_impl->scan->pause.store(false);
        m_impl->scan->cancel.store(true);
    }
}

bool Workbench::isScanning() const
{
    return m_impl->scan != nullptr;
}

void Workbench::attachBank(int detectorIndex, const QString &bankPath)
{
    if (detectorIndex < -1 || detectorIndex >= detectorCount() || detectorCount() == 0)
        return;
    std::vector<std::shared_ptr<const ModelInfo>> candidates;
    for (int i = 0; i < detectorCount(); ++i)
        if (detectorIndex == -1 || i == detectorIndex)
            candidates.push_back(m_impl->set.model(size_t(i)));
    jobStarted();
    QPointer<Workbench> self(this);
    m_impl->pool.start([self, candidates, bankPath] {
        std::shared_ptr<const ModelInfo> model = candidates.front();
        Result<std::shared_ptr<const AttachedBank>> bank = AttachedBank::open(bankPath, *model);
        // Any detector: the first whose bundle made the bank (another refusal ends the search).
        for (size_t i = 1;
             i < candidates.size() && !bank && bank.error().code == ErrorCode::BankMismatch; ++i) {
            model = candidates[i];
            bank = AttachedBank::open(bankPath, *model);
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, model, bankPath, bank = std::move(bank)] {
                if (!self)
                    return;
                self->jobEnded();
                if (!bank) {
                    Q_EMIT self->bankAttachFailed(bankPath, bank.error());
                    return;
                }
                self->m_impl->banks.insert(model->bundleSha256, *bank);
                Q_EMIT self->banksChanged();
                if (const AnalysisRecord *record = self->record(self->currentFile()))
                    self->findExemplars(self->currentFile(), *record);
            },
            Qt::QueuedConnection);
    });
}

void Workbench::detachBank(int detectorIndex)
{
    if (detectorIndex < 0 || detectorIndex >= detectorCount())
        return;
    if (m_impl->banks.remove(m_impl->set.model(size_t(detectorIndex))->bundleSha256) > 0) {
        Q_EMIT banksChanged();
        if (const AnalysisRecord *record = this->record(currentFile()))
            findExemplars(currentFile(), *record);
    }
}

std::shared_ptr<const AttachedBank> Workbench::bank(int detectorIndex) const
{
    if (detectorIndex < 0 || detectorIndex >= detectorCount())
        return nullptr;
    return m_impl->banks.value(m_impl->set.model(size_t(detectorIndex))->bundleSha256);
}

int Workbench::nearestCount() const
{
    return m_impl->nearestCount;
}

void Workbench::setNearestCount(int k)
{
    m_impl->nearestCount = std::clamp(k, 1, 100);
}

void Workbench::findExemplars(const QString &path, const AnalysisRecord &record)
{
    if (m_impl->banks.isEmpty())
        return;
    // The record's own models: the banks that go with them now.
    std::vector<std::pair<std::shared_ptr<const ModelInfo>, std::shared_ptr<const AttachedBank>>>
        pairs;
    std::vector<std::vector<float>> embeddings;
    for (const DetectorResult &result : record.detectors) {
        pairs.emplace_back(result.model, m_impl->banks.value(result.model->bundleSha256));
        embeddings.push_back(
            result.prediction ? result.prediction->embedding : std::vector<float>());
    }
    const int k = m_impl->nearestCount;
    QPointer<Workbench> self(this);
    m_impl->pool.start([self, path, pairs, embeddings, k] {
        QVector<DetectorExemplars> all;
        for (size_t i = 0; i < pairs.size(); ++i) {
            const auto &[model, bank] = pairs[i];
            DetectorExemplars found;
            found.detectorId = model->manifest.id;
            if (!bank) {
                found.missing = model->manifest.hasEmbedding
                    ? QStringLiteral("no exemplar bank is attached to %1").arg(found.detectorId)
                    : QStringLiteral("%1 exports no embedding, so no bank can describe its "
                                     "images")
                          .arg(found.detectorId);
            } else {
                found.bankPath = bank->path();
                Result<ExemplarNeighbourhood> hood = embeddings[i].empty()
                    ? Result<ExemplarNeighbourhood>(Error{ ErrorCode::NoEmbedding,
                        QStringLiteral("the detector gave no embedding for this file") })
                    : bank->nearest(embeddings[i], k);
                if (hood)
                    found.neighbourhood = std::move(hood).value();
                else
                    found.missing = hood.error().message;
            }
            all.push_back(std::move(found));
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, all] {
                if (self)
                    Q_EMIT self->exemplarsReady(path, all);
            },
            Qt::QueuedConnection);
    });
}

std::optional<Error> Workbench::startBankBuild(
    int detectorIndex, const QString &folder, const QString &bankPath, const QString &labelsCsv)
{
    if (m_impl->bankBuildCancel)
        return Error{ ErrorCode::BadSettings,
            QStringLiteral("a bank is being built: cancel it or wait for it to end") };
    if (detectorIndex < 0 || detectorIndex >= detectorCount())
        return Error{ ErrorCode::ModelUnusable, QStringLiteral("choose a loaded detector") };
    const std::shared_ptr<const ModelInfo> model = m_impl->set.model(size_t(detectorIndex));
    BankBuildSettings settings;
    settings.root = folder;
    settings.bankPath = bankPath;
    settings.labelsCsv = labelsCsv;
    settings.modelPath = model->bundlePath;
    settings.modelPin = model->bundleSha256; // the bundle on disk must still be the one loaded
    settings.source = QStringLiteral("the analyst's folder %1").arg(folder);
    settings.engine = m_impl->engineConfig;
    settings.limits = m_impl->request.limits;
    settings.sandbox = m_impl->sandboxConfig;
    settings.resume = QFileInfo::exists(bankPath) && QFileInfo::exists(settings.reportCsvPath());
    if (const QString problem = settings.validate(); !problem.isEmpty())
        return Error{ ErrorCode::BadSettings, problem };
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_impl->bankBuildCancel = cancel;
    QPointer<Workbench> self(this);
    m_impl->pool.start([self, settings, cancel, model] {
        ScanObserver observer;
        observer.progress = [self](const ScanProgress &progress) {
            const qint64 done = progress.done;
            const qint64 total = progress.total;
            QMetaObject::invokeMethod(
                self.data(),
                [self, done, total] {
                    if (self)
                        Q_EMIT self->bankBuildProgressed(done, total);
                },
                Qt::QueuedConnection);
        };
        Result<BankBuildSummary> built = buildBank(settings, *cancel, observer);
        QString summary, error;
        if (built)
            summary = QStringLiteral("%1 exemplars added (%2 real, %3 synthetic in the bank); %4 "
                                     "files without a label, %5 failed")
                          .arg(built->added)
                          .arg(built->bank.labelCounts.count(QStringLiteral("real"))
                                  ? built->bank.labelCounts.at(QStringLiteral("real"))
                                  : 0)
                          .arg(built->bank.labelCounts.count(QStringLiteral("synthetic"))
                                  ? built->bank.labelCounts.at(QStringLiteral("synthetic"))
                                  : 0)
                          .arg(built->unlabelled)
                          .arg(built->failed);
        else
            error = built.error().message;
        const QString bankPath = settings.bankPath;
        QMetaObject::invokeMethod(
            self.data(),
            [self, bankPath, summary, error, cancel, model] {
                if (!self)
                    return;
                if (self->m_impl->bankBuildCancel == cancel)
                    self->m_impl->bankBuildCancel.reset();
                Q_EMIT self->bankBuildFinished(bankPath, summary, error);
                // Attached to the detector it was built with, wherever it is in the list now.
                if (error.isEmpty()) {
                    for (int i = 0; i < self->detectorCount(); ++i)
                        if (self->m_impl->set.model(size_t(i))->bundleSha256 == model->bundleSha256)
                            self->attachBank(i, bankPath);
                }
            },
            Qt::QueuedConnection);
    });
    return std::nullopt;
}

void Workbench::cancelBankBuild()
{
    if (m_impl->bankBuildCancel)
        m_impl->bankBuildCancel->store(true);
}

bool Workbench::isBuildingBank() const
{
    return m_impl->bankBuildCancel != nullptr;
}

void Workbench::computeMaps(const WindowMapSettings &settings)
{
    cancelMaps();
    const QString path = currentFile();
    if (!m_impl->decoded || m_impl->decodedPath != path || m_impl->set.empty()) {
        Q_EMIT mapsFailed(path,
            Error{ ErrorCode::BadSettings,
                m_impl->set.empty() ? QStringLiteral("no detector is loaded")
                                    : QStringLiteral("the image has not been decoded yet") });
        return;
    }
    if (m_impl->decoded->truncated) {
        Q_EMIT mapsFailed(path,
            Error{ ErrorCode::Truncated,
                QStringLiteral("the file is truncated: only its salvaged part is shown, and it "
                               "is never scored, so it gets no maps") });
        return;
    }
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_impl->mapsCancel = cancel;
    const quint64 id = ++m_impl->mapsId;
    const DecodedImage image = *m_impl->decoded;
    const DetectorSet set = m_impl->set;
    std::vector<std::shared_ptr<const AttachedBank>> banks;
    for (size_t i = 0; i < set.size(); ++i)
        banks.push_back(m_impl->banks.value(set.model(i)->bundleSha256));
    jobStarted();
    QPointer<Workbench> self(this);
    m_impl->pool.start([self, path, image, set, banks, settings, cancel, id] {
        QVector<DetectorMaps> all;
        std::optional<Error> stopped;
        // Progress over all detectors' windows together.
        std::vector<int> totals(set.size(), 0), dones(set.size(), 0);
        for (size_t d = 0; d < set.size() && !stopped; ++d) {
            WindowMapSettings detectorSettings = settings;
            detectorSettings.bank = banks[d];
            DetectorMaps maps;
            maps.detectorId = set.model(d)->manifest.id;
            Result<WindowMaps> made = computeWindowMaps(
                image, set.worker(d), detectorSettings, cancel.get(), [&](int done, int total) {
                    dones[d] = done;
                    totals[d] = total;
                    const int sumDone = std::accumulate(dones.begin(), dones.end(), 0);
                    // Detectors not yet started count as one window each until they start.
                    int sumTotal = 0;
                    for (size_t i = 0; i < set.size(); ++i)
                        sumTotal += totals[i] > 0 ? totals[i] : 1;
                    QMetaObject::invokeMethod(
                        self.data(),
                        [self, path, sumDone, sumTotal] {
                            if (self)
                                Q_EMIT self->mapsProgressed(path, sumDone, sumTotal);
                        },
                        Qt::QueuedConnection);
                });
            if (made)
                maps.maps = std::move(made).value();
            else if (made.error().code == ErrorCode::Cancelled)
                stopped = made.error();
            else
                maps.error = made.error();
            all.push_back(std::move(maps));
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, all, stopped, id] {
                if (!self)
                    return;
                self->jobEnded();
                if (id != self->m_impl->mapsId)
                    return; // superseded
                self->m_impl->mapsCancel.reset();
                if (stopped)
                    Q_EMIT self->mapsFailed(path, *stopped);
                else
                    Q_EMIT self->mapsReady(path, all);
            },
            Qt::QueuedConnection);
    });
}

void Workbench::cancelMaps()
{
    if (m_impl->mapsCancel)
        m_impl->mapsCancel->store(true);
}

bool Workbench::isMapping() const
{
    return m_impl->mapsCancel != nullptr;
}

} // namespace forgelens
