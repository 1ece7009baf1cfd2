#include "forgelens/report/analysis_json.h"

#include "forgelens/report/verdict_statement.h"

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
        { QStringLiteral("threshold_override"),
            model.thresholdOverridePath.isEmpty()
                ? QJsonValue()
                : QJsonValue(QJsonObject{ { QStringLiteral("path"), model.thresholdOverridePath },
                    { QStringLiteral("sha256"), model.thresholdOverrideSha256 } }) },
        { QStringLiteral("inconclusive_band"),
            manifest.inconclusive
                ? QJsonValue(QJsonObject{ { QStringLiteral("low"), manifest.inconclusive->low },
                    { QStringLiteral("high"), manifest.inconclusive->high },
                    { QStringLiteral("chosen_by"), manifest.inconclusive->chosenBy } })
                : QJsonValue() },
        { QStringLiteral("trained_on"), manifest.trainedOn },
        { QStringLiteral("untrained_test_model"), manifest.isUntrainedTestModel() },
        { QStringLiteral("stand_in"), manifest.standIn },
        { QStringLiteral("experimental"), manifest.experimental },
        { QStringLiteral("caveat"), caveatCode(modelCaveat(manifest)) },
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

namespace {

QJsonObject detectorToJson(const DetectorResult &result)
{
    const ModelManifest &manifest = result.model->manifest;
    QJsonObject json{ { QStringLiteral("model"), manifest.id } };
    QJsonArray regions;
    for (const QRect &r : result.regions)
        regions.append(QJsonArray{ r.x(), r.y(), r.width(), r.height() });
    if (!result.ok()) {
        json.insert(QStringLiteral("status"),
            result.error ? result.error->codeName() : QStringLiteral("not-run"));
        if (result.error)
            json.insert(QStringLiteral("error"), result.error->message);
        return json;
    }
    const Prediction &p = *result.prediction;
    QJsonObject probabilities;
    for (int i = 0; i < manifest.classes.size(); ++i)
        probabilities.insert(manifest.classes.at(i), double(p.classProbabilities.at(size_t(i))));
    json.insert(QStringLiteral("status"), QStringLiteral("ok"));
    json.insert(QStringLiteral("p_synthetic"), double(p.pSynthetic));
    json.insert(QStringLiteral("label"), labelCode(p.verdict, manifest));
    json.insert(QStringLiteral("verdict"), verdictCode(p.verdict));
    // Repeated with every result so that no result can be quoted without it.
    const ModelCaveat caveat = modelCaveat(manifest);
    json.insert(QStringLiteral("caveat"),
        caveat == ModelCaveat::None ? QJsonValue() : QJsonValue(caveatCode(caveat)));
    json.insert(QStringLiteral("experimental"), manifest.experimental);
    json.insert(QStringLiteral("threshold"), p.threshold);
    json.insert(QStringLiteral("top_class"), manifest.classes.value(p.topClass));
    json.insert(QStringLiteral("probabilities"), probabilities);
    json.insert(QStringLiteral("tiles"), p.tiles);
    json.insert(QStringLiteral("regions"), regions);
    if (p.head.kind != HeadScores::Kind::None)
        json.insert(QStringLiteral("head"), headScoresToJson(p.head));
    json.insert(QStringLiteral("inference_ms"), p.inferenceMillis);
    return json;
}

} // namespace

QJsonObject analysisRecordToJson(const AnalysisRecord &record)
{
    const auto utc = [](const QDateTime &time) { return time.toUTC().toString(Qt::ISODateWithMs); };
    QJsonObject json{
        { QStringLiteral("path"), record.path },
        { QStringLiteral("size"), record.fileSize },
        { QStringLiteral("sha256"), record.digest.sha256 },
        { QStringLiteral("md5"), record.digest.md5 },
        { QStringLiteral("started_utc"), utc(record.startedUtc) },
        { QStringLiteral("finished_utc"), utc(record.finishedUtc) },
    };
    const std::optional<Error> error = record.firstError();
    json.insert(QStringLiteral("status"), error ? error->codeName() : QStringLiteral("ok"));
    if (error)
        json.insert(QStringLiteral("error"), error->message);
    if (record.decoded()) {
        json.insert(QStringLiteral("format"), imageFormatName(record.format));
        json.insert(QStringLiteral("width"), record.width);
        json.insert(QStringLiteral("height"), record.height);
        json.insert(QStringLiteral("exif_orientation"), record.orientation);
    }
    if (record.metadataRead)
        json.insert(
            QStringLiteral("metadata_findings"), QJsonArray::fromStringList(record.findingCodes));
    if (record.fileError)
        return json;
    QJsonArray detectors;
    for (const DetectorResult &result : record.detectors)
        detectors.append(detectorToJson(result));
    json.insert(QStringLiteral("detectors"), detectors);
    json.insert(QStringLiteral("agreement"), agreementSentence(record));
    json.insert(QStringLiteral("caveats"), QJsonArray::fromStringList(recordCaveats(record)));
    return json;
}

} // namespace forgelens
