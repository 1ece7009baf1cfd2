#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/eval/evaluation_job.h"
#include "forgelens/exemplars/attached_bank.h"
#include "forgelens/explain/window_maps.h"
#include "forgelens/image/decoded_image.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/result.h"
#include "forgelens/sandbox/decoder_pool.h"
#include "forgelens/sandbox/sandbox_config.h"
#include "forgelens/scan/scan_file_list.h"
#include "forgelens/scan/scan_folder_job.h"
#include "forgelens/session/case_session.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace forgelens {

// One detector's maps of one image, or why it has none.
struct DetectorMaps {
    QString detectorId;
    std::optional<WindowMaps> maps;
    std::optional<Error> error;
};

// One detector's nearest exemplars for one image, or why there are none.
struct DetectorExemplars {
    QString detectorId;
    QString bankPath; // empty: no bank attached
    std::optional<ExemplarNeighbourhood> neighbourhood;
    QString missing; // why there are none, in a sentence
};

// The analyst's session without widgets (DESIGN.md, "The analysis spine"), like the session of
// qBittorrent's base library: it owns the loaded detectors, the evidence files that are open,
// the jobs with their cancel flags, and the latest record of each file. The window binds to its
// signals; tests drive it headless. Everything here runs on the thread that owns it; loading,
// decoding and inference run on its own thread pool and report back by queued signals.
//
// Detector changes are atomic: a detector is added or replaced only once its bundle has loaded
// and warmed up; a load that fails leaves the set as it was and says why
// (detectorLoadFailed). Every record names the models that produced it, so a result is never
// shown beside a model that did not produce it.
class Workbench : public QObject {
    Q_OBJECT
public:
    explicit Workbench(QObject *parent = nullptr);
    // Cancels what is in flight and waits for the jobs to end.
    ~Workbench() override;

    // For loads started after the call (a device or thread change reloads nothing by itself).
    void setEngineConfig(const EngineConfig &config);
    // Where files are read and decoded: sandboxed worker processes (what the window uses), or
    // this process when the config is disabled (the default, for tests). Takes effect for the
    // next analysis.
    void setSandboxConfig(const SandboxConfig &config);
    // The sandbox's workers analyses read through (null: this process reads), for side views
    // such as thumbnails that must read evidence the same way. Its read() is thread-safe.
    std::shared_ptr<DecoderPool> decoderPool() const;
    EngineConfig engineConfig() const;
    void setDecodeLimits(const DecodeLimits &limits);

    // Detectors, in display order.
    int detectorCount() const;
    std::vector<std::shared_ptr<const ModelInfo>> detectors() const;
    void addDetector(const QString &bundlePath);
    // Replaces detector `index` by the bundle once it has loaded; unchanged if it fails.
    void replaceDetector(int index, const QString &bundlePath);
    void removeDetector(int index);
    void moveDetector(int from, int to);
    // Bundles being loaded now.
    QStringList loadingBundles() const;

    // Evidence files. Opening adds files not already open and makes the first of them current.
    void openFiles(const QStringList &paths);
    void closeFile(int index);
    QStringList files() const;
    int currentIndex() const;
    QString currentFile() const;
    void setCurrentIndex(int index);
    void next();
    void previous();

    // The latest record of `path` (with the detectors of its time), or null if it was not
    // analysed. Valid until the workbench next changes its files or records.
    const AnalysisRecord *record(const QString &path) const;
    // Analyses the current file again with the current detectors.
    void reanalyse();
    // Stops the analysis in flight; its record says "cancelled".
    void cancel();

    // Something is loading or analysing (a folder scan is not counted: see isScanning()).
    bool isBusy() const;

    // Exemplar banks: at most one per detector, held by its bundle's SHA-256 (so it follows the
    // detector when the list is reordered, and is dropped when the detector is replaced by
    // another bundle). A bank beside a bundle, named after it (reference.pt:
    // reference.bank.sqlite), is attached when the detector loads. Opening checks the bank as
    // hostile input and against the bundle, on a pool thread: banksChanged, or bankAttachFailed
    // with the reason. `detectorIndex` -1: the detector whose bundle made the bank, wherever it is
    // in the list.
    void attachBank(int detectorIndex, const QString &bankPath);
    void detachBank(int detectorIndex);
    std::shared_ptr<const AttachedBank> bank(int detectorIndex) const;
    int nearestCount() const;
    void setNearestCount(int k); // exemplars shown per detector (1..100; default 10)
    // Builds a bank of `folder` with detector `detectorIndex` on the scan pipeline (labels from
    // the folder names, or `labelsCsv`), then attaches it. One build at a time; an error here
    // means it did not start. Progress in bankBuildProgressed, the end in bankBuildFinished.
    std::optional<Error> startBankBuild(int detectorIndex, const QString &folder,
        const QString &bankPath, const QString &labelsCsv = {});
    void cancelBankBuild();
    bool isBuildingBank() const;

    // Every detector's maps of the current file (tile scores, self-consistency, and patch
    // similarity where a bank is attached), from the pixels already decoded, as a background
    // job: mapsProgressed while it runs, then mapsReady (or mapsFailed). A new request or
    // another file cancels the one in flight.
    void computeMaps(const WindowMapSettings &settings = {});
    void cancelMaps();
    bool isMapping() const;

    // A folder scan with the detectors loaded now, on the scan pipeline of `forgelens-cli scan`
    // (same rows, same report and sidecar, same --resume rules; the report must lie outside the
    // folder). One at a time. Returns at once; an error here means the scan did not start
    // (no detector, a scan already running, bad settings); the pipeline's own refusals (the
    // report exists, an interrupted run waits) come in scanFinished.
    struct FolderScanRequest {
        QString folder;
        QString reportCsv;
        bool resume = false; // continue reportCsv's interrupted run, as --resume does
        bool overwrite = false;
        ScanWalkOptions walk;
        bool readMetadata = true;
        int decodeThreads = 0; // 0: the usable cores
    };
    std::optional<Error> startFolderScan(const FolderScanRequest &request);
    // While paused, no new file starts; the files in flight finish.
    void setScanPaused(bool paused);
    bool isScanPaused() const;
    // Stops after the files in flight; the report stays resumable (scanFinished says
    // interrupted).
    void cancelScan();
    bool isScanning() const;

    // An evaluation of the detectors loaded now on a labelled folder (`forgelens-cli evaluate`'s
    // pipeline: same scan, figures and files in request.outputDir). One at a time; an error here
    // means it did not start, the pipeline's own refusals come in evaluationFinished.
    struct EvaluationRequest {
        QString folder; // the labelled images; empty with existingReport
        QString labelsCsv; // empty: the folders label the files
        QString existingReport; // evaluate this report instead of scanning
        QString outputDir;
        QStringList classFolders;
        QStringList excludeLists;
        double targetFpr = 0.05;
        bool resume = false;
        bool overwrite = false;
    };
    std::optional<Error> startEvaluation(const EvaluationRequest &request);
    void cancelEvaluation(); // stops after the files in flight; resumable
    bool isEvaluating() const;

    // The open case: while one is open, every analysis (with its exemplars and, once computed,
    // its maps), every finished folder scan and every evaluation is recorded in it, and each
    // file analysed is taken in as evidence.
    CaseSession *caseSession() const { return m_case; }

Q_SIGNALS:
    void detectorsChanged();
    void detectorLoadStarted(const QString &bundlePath);
    void detectorLoaded(const QString &bundlePath);
    void detectorLoadFailed(const QString &bundlePath, const forgelens::Error &error);
    void filesChanged();
    void currentChanged(int index, const QString &path);
    void analysisStarted(const QString &path);
    // The pixels of the current file, before any model has scored them (image.truncated: a
    // truncated file's salvaged part, shown but never scored).
    void imageDecoded(const QString &path, const forgelens::DecodedImage &image);
    void recordReady(const QString &path, const forgelens::AnalysisRecord &record);
    void busyChanged(bool busy);
    // A folder scan: its plan (once the folder is listed), progress, rows in batches, and end.
    void scanPlanned(const forgelens::ScanPlan &plan, const QStringList &header);
    void scanProgressed(const forgelens::ScanProgress &progress);
    void scanRowsAdded(const QVector<forgelens::ScanResultRow> &rows);
    void scanFinished(const forgelens::ScanFolderOutcome &outcome);
    void evaluationPlanned(const forgelens::ScanPlan &plan);
    void evaluationProgressed(const forgelens::ScanProgress &progress);
    void evaluationFinished(const forgelens::EvaluationOutcome &outcome);
    void banksChanged();
    void bankAttachFailed(const QString &bankPath, const forgelens::Error &error);
    void bankBuildProgressed(qint64 done, qint64 total);
    // `error` empty: built (and attached). `summary` says what the build did, in a sentence.
    void bankBuildFinished(const QString &bankPath, const QString &summary, const QString &error);
    // After each record, for the detectors with banks (none without any bank).
    void exemplarsReady(
        const QString &path, const QVector<forgelens::DetectorExemplars> &exemplars);
    void mapsProgressed(const QString &path, int done, int total);
    void mapsReady(const QString &path, const QVector<forgelens::DetectorMaps> &maps);
    void mapsFailed(const QString &path, const forgelens::Error &error);

private:
    struct Impl;
    void startAnalysis();
    void startLoad(const QString &bundlePath, std::optional<int> replacing);
    void detectorsEdited();
    void jobStarted();
    void jobEnded();
    void findExemplars(const QString &path, const AnalysisRecord &record);
    void recordCaseOnSignals();
    void recordInCase(const QString &path);
    std::unique_ptr<Impl> m_impl;
    CaseSession *m_case;
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::DetectorMaps)
Q_DECLARE_METATYPE(forgelens::DetectorExemplars)
