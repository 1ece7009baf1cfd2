#pragma once

#include "forgelens/image/input_spec.h"
#include "forgelens/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace forgelens {

// Scores too close to the threshold to call either way: P(synthetic) in [low, high) is
// "inconclusive", at or above high "synthetic", below low "not flagged".
struct InconclusiveBand {
    double low = 0.0;
    double high = 0.0;
    QString chosenBy;
};

struct ReportedFigure {
    QString dataset;
    QString metric;
    double value = 0.0;
};

// The manifest of a model bundle (DESIGN.md, "Model bundle contract").
struct ModelManifest {
    enum class Task { Binary, Multiclass };
    enum class Head { None, Linear, Knn, Ocsvm };

    QString id;
    QString name;
    QString version;
    QString family; // code, dfd, aligned, dfx, reference, test, ...
    QString paper;
    QString license;
    QString source;
    QString sourceSha256;
    QString trainedOn;
    std::vector<ReportedFigure> reported;

    Task task = Task::Binary;
    QStringList classes; // in the order of the logits
    QStringList fakeClasses; // the classes that count as synthetic
    InputSpec input;
    Head head = Head::None;

    double threshold = 0.5; // P(synthetic) at or above this is labelled synthetic
    QString thresholdChosenBy;
    std::optional<InconclusiveBand> inconclusive; // threshold.inconclusive; none: no band
    QString calibration;
    bool hasEmbedding = false;
    bool hasPatchMap = false;
    bool experimental = false; // shown wherever the verdict appears
    // `stand_in`: the architecture of a named system with weights that are not its published
    // ones (the converters' parity cases write random weights laid out like the official
    // release). Its verdicts mean nothing; shown wherever the verdict appears.
    bool standIn = false;
    QJsonObject json; // the manifest as read, for reports and sidecars

    // Number of logits the module must return: 1 (sigmoid) or 2 for binary, one per class for
    // multiclass. The engine checks this against a real forward pass when it warms up.
    bool acceptsLogitCount(long count) const;
    // True for the untrained models the tests generate: their verdicts mean nothing.
    bool isUntrainedTestModel() const { return family == QLatin1String("test"); }

    QString validate() const;
    static Result<ModelManifest> fromJson(const QByteArray &json);
};

} // namespace forgelens
