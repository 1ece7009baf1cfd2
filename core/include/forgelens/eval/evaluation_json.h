#pragma once

#include "forgelens/eval/detector_evaluation.h"

#include <QJsonObject>

namespace forgelens {

// Where an evaluation's figures came from, for the document that carries them.
struct EvaluationProvenance {
    QString labelsOrigin; // "folders" or "labels-csv"
    QString labelsPath; // the labels CSV; empty for folders
    QStringList classFolders; // --class entries
    QString reportPath; // the scan report the figures were computed from
    QJsonObject reportSidecar; // its sidecar (models, bundle and manifest hashes, settings)
    QStringList excludedLists; // the hash lists rows were excluded by
    QString createdUtc; // ISO 8601
};

// The evaluation document (README, "forgelens-cli evaluate"): format "forgelens-evaluation"
// version 1, the tool's version, the detectors with their bundle and manifest hashes, the
// labelled set (counts, file-list SHA-256), the options, every figure overall, per generator and
// per group, the pairs, and the base-rate caveat in words. Figures that do not exist (one class,
// nothing scored) are null; non-finite numbers never appear.
QJsonObject evaluationToJson(const Evaluation &evaluation, const EvaluationOptions &options,
    const EvaluationProvenance &provenance);

// The sentence every summary of figures carries: what AUC and accuracy on a test set do and do
// not say about one image in a case.
QString baseRateCaveat();

} // namespace forgelens
