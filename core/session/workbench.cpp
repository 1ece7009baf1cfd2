#include "forgelens/session/workbench.h"

#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis_job.h"
#include "forgelens/inference/inference_worker.h"
#include "forgelens/inference/model_load_job.h"
#include "forgelens/sandbox/decoder_pool.h"

#include <QFileInfo>
#include <QHash>
#include <QThreadPool>

#include <algorithm>
#include <atomic>

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
    qRegisterMetaType<QVector<forgelens::ScanResultRow>>();
    m_impl->sandboxConfig.enabled = false;
    m_impl->request.readMetadata = true;
    m_impl->request.keepMetadataReport = true;
    m_impl->request.keepEmbeddings = false;
    m_impl->request.salvageTruncated = true;
    // Loads and analyses at once, plus a worker's release; the models' own threads do the
    // heavy work.
    m_impl->pool.setMaxThreadCount(4);
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
    if (m_impl->scan)
        m_impl->scan->cancel.store(true);
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
    m_impl->cancelCurrent = std::make_shared<std::atomic_bool>(false);
    const quint64 id = ++m_impl->requestId;
    const QString path = currentFile();
    auto *job = new FileAnalysisJob(id, path, m_impl->set, m_impl->request, m_impl->cancelCurrent);
    connect(
        job, &FileAnalysisJob::decoded, this,
        [this, path](quint64 requestId, const DecodedImage &image) {
            if (requestId == m_impl->requestId)
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

} // namespace forgelens
