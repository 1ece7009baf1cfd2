#include "forgelens/report/analysis_json.h"

#include <QJsonArray>

namespace forgelens {

QJsonObject modelInfoToJson(const ModelInfo &model)
{
    const ModelManifest &manifest = model.manifest;
    return QJsonObject{
        { QStringLiteral("id"), manifest.id },
        { QStringLiteral("name"), manifest.name },
        { QStringLiteral("version"), manifest.version },
        { QStringLiteral("family"), manifest.family },
        { QStringLiteral("bundle"), model.bundlePath },
        { QStringLiteral("bundle_sha256"), model.bundleSha256 },
        { QStringLiteral("manifest_sha256"), model.manifestSha256 },
        { QStringLiteral("manifest_source"), model.manifestSource },
        { QStringLiteral("calibration"), manifest.calibration },
        { QStringLiteral("intra_op_threads"), model.intraOpThreads },
        { QStringLiteral("device"), model.device },
        { QStringLiteral("threshold"), manifest.threshold },
        { QStringLiteral("threshold_chosen_by"), manifest.thresholdChosenBy },
        { QStringLiteral("inconclusive_band"),
            manifest.inconclusive
                ? QJsonValue(QJsonObject{ { QStringLiteral("low"), manifest.inconclusive->low },
                    { QStringLiteral("high"), manifest.inconclusive->high },
                    { QStringLiteral("chosen_by"), manifest.inconclusive->chosenBy } })
                : QJsonValue() },
        { QStringLiteral("trained_on"), manifest.trainedOn },
        { QStringLiteral("untrained_test_model"), manifest.isUntrainedTestModel() },
        { QStringLiteral("experimental"), manifest.experimental },
    };
}

namespace {

// The head's own scores: how far from its boundary the image lies, not only which side.
QJsonObject headScoresToJson(const HeadScores &scores)
{
    QJsonObject json;
    switch (scores.kind) {
    case HeadScores::Kind::None: return json;
    case HeadScores::Kind::Linear:
        json.insert(QStringLiteral("type"), QStringLiteral("linear"));
        json.insert(QStringLiteral("decision_log_odds_fake"), scores.decision.value_or(0.0));
        return json;
    case HeadScores::Kind::Ocsvm:
        json.insert(QStringLiteral("type"), QStringLiteral("ocsvm"));
        json.insert(QStringLiteral("decision"), scores.decision.value_or(0.0));
        json.insert(QStringLiteral("inside_real_region"), scores.decision.value_or(0.0) > 0.0);
        return json;
    case HeadScores::Kind::Knn: break;
    }
    json.insert(QStringLiteral("type"), QStringLiteral("knn"));
    QJsonArray neighbours;
    for (const Neighbour &n : scores.neighbours)
        neighbours.append(QJsonObject{ { QStringLiteral("cosine_distance"), n.distance },
            { QStringLiteral("index"), qint64(n.index) },
            { QStringLiteral("label"), qint64(n.label) }, { QStringLiteral("fake"), n.fake } });
    json.insert(QStringLiteral("neighbours"), neighbours);
    if (scores.nearestRealDistance)
        json.insert(QStringLiteral("nearest_real_distance"), *scores.nearestRealDistance);
    if (scores.nearestFakeDistance)
        json.insert(QStringLiteral("nearest_fake_distance"), *scores.nearestFakeDistance);
    return json;
}

} // namespace

QJsonObject analysisToJson(const AnalysisOutcome &outcome, const ModelInfo &model)
{
    const auto utc = [](const QDateTime &time) { return time.toUTC().toString(Qt::ISODateWithMs); };
    QJsonObject json{
        { QStringLiteral("path"), outcome.path },
        { QStringLiteral("size"), outcome.fileSize },
        { QStringLiteral("sha256"), outcome.digest.sha256 },
        { QStringLiteral("md5"), outcome.digest.md5 },
        { QStringLiteral("started_utc"), utc(outcome.startedUtc) },
        { QStringLiteral("finished_utc"), utc(outcome.finishedUtc) },
        { QStringLiteral("model"), model.manifest.id },
    };
    if (outcome.error) {
        json.insert(QStringLiteral("status"), outcome.error->code);
        json.insert(QStringLiteral("error"), outcome.error->message);
        return json;
    }
    json.insert(QStringLiteral("status"), QStringLiteral("ok"));
    json.insert(QStringLiteral("format"), imageFormatName(outcome.format));
    json.insert(QStringLiteral("width"), outcome.width);
    json.insert(QStringLiteral("height"), outcome.height);
    json.insert(QStringLiteral("exif_orientation"), outcome.orientation);
    if (const std::optional<Prediction> &p = outcome.prediction) {
        QJsonObject probabilities;
        for (int i = 0; i < model.manifest.classes.size(); ++i)
            probabilities.insert(
                model.manifest.classes.at(i), double(p->classProbabilities.at(size_t(i))));
        json.insert(QStringLiteral("p_synthetic"), double(p->pSynthetic));
        json.insert(QStringLiteral("label"), verdictCode(p->verdict));
        // Repeated with every result so that no result can be quoted without it.
        if (model.manifest.experimental)
            json.insert(QStringLiteral("experimental"), true);
        json.insert(QStringLiteral("threshold"), p->threshold);
        json.insert(QStringLiteral("top_class"), model.manifest.classes.value(p->topClass));
        json.insert(QStringLiteral("probabilities"), probabilities);
        json.insert(QStringLiteral("tiles"), p->tiles);
        if (p->head.kind != HeadScores::Kind::None)
            json.insert(QStringLiteral("head"), headScoresToJson(p->head));
        json.insert(QStringLiteral("inference_ms"), p->inferenceMillis);
    }
    return json;
}

} // namespace forgelens
