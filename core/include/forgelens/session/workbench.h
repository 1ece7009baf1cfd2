#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/image/decoded_image.h"
#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/engine_config.h"
#include "forgelens/inference/model_info.h"
#include "forgelens/result.h"
#include "forgelens/sandbox/decoder_pool.h"
#include "forgelens/sandbox/sandbox_config.h"
#include "forgelens/scan/scan_file_list.h"
#include "forgelens/scan/scan_folder_job.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace forgelens {

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

private:
    struct Impl;
    void startAnalysis();
    void startLoad(const QString &bundlePath, std::optional<int> replacing);
    void detectorsEdited();
    void jobStarted();
    void jobEnded();
    std::unique_ptr<Impl> m_impl;
};

} // namespace forgelens
