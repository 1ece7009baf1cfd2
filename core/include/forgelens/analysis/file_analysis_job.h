#pragma once

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/analysis/detector_set.h"
#include "forgelens/analysis/file_analysis.h"
#include "forgelens/image/decoded_image.h"

#include <QObject>
#include <QRunnable>
#include <QString>

#include <atomic>
#include <memory>

namespace forgelens {

// analyzeFile() on a pool thread, reporting by queued signals: `decoded` as soon as the pixels
// are ready (a truncated file's salvaged pixels too, marked truncated), then `finished` with the
// record. Its parameters are values: the detector set it was given stays loaded until it ends,
// whatever the window does meanwhile. Deletes itself after run(); cancel through the shared
// flag, never through the job.
class FileAnalysisJob : public QObject, public QRunnable {
    Q_OBJECT
public:
    FileAnalysisJob(quint64 requestId, QString path, DetectorSet detectors, AnalysisRequest request,
        std::shared_ptr<std::atomic_bool> cancel);
    void run() override;

Q_SIGNALS:
    void decoded(quint64 requestId, forgelens::DecodedImage image);
    void finished(quint64 requestId, forgelens::AnalysisRecord record);

private:
    const quint64 m_requestId;
    const QString m_path;
    const DetectorSet m_detectors;
    const AnalysisRequest m_request;
    const std::shared_ptr<std::atomic_bool> m_cancel;
};

} // namespace forgelens
