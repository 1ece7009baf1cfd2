#include "forgelens/report/verdict_statement.h"

#include "forgelens/analysis/analysis_record.h"
#include "forgelens/report/display_text.h"

#include <QCoreApplication>

namespace forgelens {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("forgelens::VerdictStatement", text);
}

QString number(double value)
{
    return QString::number(value, 'f', 3);
}

// Findings that say the file itself declares a generated origin.
bool declaresGenerator(const MetadataFinding &finding)
{
    return finding.severity == MetadataFinding::Severity::Warning
        && (finding.code == QLatin1String("ai-generator-metadata")
            || finding.code == QLatin1String("digital-source-type"));
}

QString headSentence(const HeadScores &head)
{
    const auto distance = [](const std::optional<double> &value) {
        return value ? QString::number(*value, 'f', 4) : QStringLiteral("–");
    };
    switch (head.kind) {
    case HeadScores::Kind::None: return {};
    case HeadScores::Kind::Linear:
        return tr("Linear head: log-odds of synthetic %1 (0 is the boundary).")
            .arg(head.decision.value_or(0.0), 0, 'f', 3);
    case HeadScores::Kind::Ocsvm:
        return (head.decision.value_or(0.0) > 0.0
                ? tr("One-class SVM: %1 inside the region learnt from real images (0 is the "
                     "boundary).")
                : tr("One-class SVM: %1 outside the region learnt from real images (0 is the "
                     "boundary)."))
            .arg(head.decision.value_or(0.0), 0, 'g', 4);
    case HeadScores::Kind::Knn: break;
    }
    return tr("kNN head: cosine distance to the nearest real training image %1, to the nearest "
              "synthetic one %2.")
        .arg(distance(head.nearestRealDistance), distance(head.nearestFakeDistance));
}

} // namespace

ModelCaveat modelCaveat(const ModelManifest &manifest)
{
    if (manifest.isUntrainedTestModel())
        return ModelCaveat::Untrained;
    if (manifest.standIn)
        return ModelCaveat::StandIn;
    if (manifest.experimental)
        return ModelCaveat::Experimental;
    return ModelCaveat::None;
}

QString caveatCode(ModelCaveat caveat)
{
    switch (caveat) {
    case ModelCaveat::None: return {};
    case ModelCaveat::Experimental: return QStringLiteral("experimental");
    case ModelCaveat::StandIn: return QStringLiteral("stand_in");
    case ModelCaveat::Untrained: return QStringLiteral("untrained");
    }
    return {};
}

QString caveatMarker(ModelCaveat caveat)
{
    switch (caveat) {
    case ModelCaveat::None: return {};
    case ModelCaveat::Experimental: return tr("[EXPERIMENTAL detector]");
    case ModelCaveat::StandIn: return tr("[STAND-IN WEIGHTS]");
    case ModelCaveat::Untrained: return tr("[UNTRAINED TEST MODEL]");
    }
    return {};
}

QString caveatWarning(ModelCaveat caveat)
{
    switch (caveat) {
    case ModelCaveat::None: return {};
    case ModelCaveat::Experimental:
        return tr("EXPERIMENTAL detector: read its model card before relying on a verdict.");
    case ModelCaveat::StandIn:
        return tr("STAND-IN WEIGHTS: this bundle has the architecture of the system it names but "
                  "not its published weights. Its verdicts mean nothing.");
    case ModelCaveat::Untrained:
        return tr("UNTRAINED TEST MODEL: its weights are random. Its verdicts mean nothing and "
                  "must not be used as evidence.");
    }
    return {};
}

QString labelCode(Verdict verdict, const ModelManifest &manifest)
{
    const QString caveat = caveatCode(modelCaveat(manifest));
    return caveat.isEmpty() ? verdictCode(verdict) : caveat + u'_' + verdictCode(verdict);
}

VerdictStatement describeVerdict(const Prediction &p, const ModelManifest &manifest)
{
    VerdictStatement s;
    s.label = labelCode(p.verdict, manifest);
    s.caveatMarker = caveatMarker(modelCaveat(manifest));
    // "Not flagged" never says the image is a camera photograph: only what the score says.
    switch (p.verdict) {
    case Verdict::Synthetic:
        s.headline = tr("Flagged as synthetic");
        s.reason = manifest.inconclusive
            ? tr("the score is at or above the top of this model's inconclusive band, %1")
                  .arg(number(manifest.inconclusive->high))
            : tr("the score is at or above this model's threshold, %1").arg(number(p.threshold));
        break;
    case Verdict::Inconclusive:
        s.headline = tr("Inconclusive");
        s.reason = tr("the score lies within this model's inconclusive band, %1 to %2; it makes "
                      "no call")
                       .arg(number(manifest.inconclusive ? manifest.inconclusive->low : 0.0),
                           number(manifest.inconclusive ? manifest.inconclusive->high : 0.0));
        break;
    case Verdict::NotFlagged:
        s.headline = tr("Not flagged");
        s.reason = manifest.inconclusive
            ? tr("the score is below this model's inconclusive band, %1; not flagged as "
                 "synthetic, which is not proof of a camera")
                  .arg(number(manifest.inconclusive->low))
            : tr("the score is below this model's threshold, %1; not flagged as synthetic, "
                 "which is not proof of a camera")
                  .arg(number(p.threshold));
        break;
    }
    s.threshold
        = tr("Threshold %1 (%2)").arg(number(p.threshold), displayText(manifest.thresholdChosenBy));
    if (manifest.inconclusive)
        s.band = tr("Inconclusive from %1 to %2 (%3)")
                     .arg(number(manifest.inconclusive->low), number(manifest.inconclusive->high),
                         displayText(manifest.inconclusive->chosenBy));
    if (manifest.calibration == QLatin1String("none"))
        s.calibration = tr("The score is the model's output, not a calibrated probability.");
    s.head = headSentence(p.head);
    return s;
}

AgreementCounts agreementCounts(const AnalysisRecord &record)
{
    AgreementCounts counts;
    for (const DetectorResult &result : record.detectors) {
        if (!result.ok()) {
            counts.failed += record.fileError ? 0 : 1;
            continue;
        }
        const ModelCaveat caveat = modelCaveat(result.model->manifest);
        if (caveat == ModelCaveat::Untrained || caveat == ModelCaveat::StandIn) {
            ++counts.meaningless;
            continue;
        }
        ++counts.scored;
        counts.flagged += result.prediction->verdict == Verdict::Synthetic ? 1 : 0;
        counts.inconclusive += result.prediction->verdict == Verdict::Inconclusive ? 1 : 0;
    }
    return counts;
}

QString agreementSentence(const AnalysisRecord &record)
{
    const AgreementCounts counts = agreementCounts(record);
    const int scored = counts.scored;
    const int flagged = counts.flagged;
    const int inconclusive = counts.inconclusive;
    const int meaningless = counts.meaningless;
    if (scored + meaningless == 0)
        return {};
    QString sentence;
    if (scored == 0)
        sentence = tr("No detector with meaningful weights scored it.");
    else if (scored == 1)
        sentence = flagged ? tr("The detector flags it as synthetic.")
            : inconclusive ? tr("The detector makes no call (inconclusive).")
                           : tr("The detector does not flag it.");
    else
        sentence = tr("%1 of %2 detectors flag it as synthetic").arg(flagged).arg(scored)
            + (inconclusive ? tr("; %1 inconclusive.").arg(inconclusive) : QStringLiteral("."));
    if (meaningless > 0)
        sentence += tr(" Not counted: %1 with untrained or stand-in weights.").arg(meaningless);
    if (counts.failed > 0)
        sentence += tr(" %1 could not score it.").arg(counts.failed);
    return sentence;
}

QStringList recordCaveats(const AnalysisRecord &record, bool withModelCaveats)
{
    QStringList caveats;
    bool anyNotFlagged = false;
    for (const DetectorResult &result : record.detectors)
        anyNotFlagged |= result.ok() && result.prediction->verdict != Verdict::Synthetic;

    // The file's own word about its origin comes first: a bare "not flagged" beside a file that
    // names its generator would mislead.
    QStringList declared;
    if (record.metadata) {
        for (const MetadataFinding &finding : record.metadata->findings) {
            if (declaresGenerator(finding))
                declared << QStringLiteral("%1 (%2)").arg(
                    displayText(finding.message), finding.code);
        }
    } else {
        for (const QString &code : record.findingCodes) {
            if (code == QLatin1String("ai-generator-metadata"))
                declared << code;
        }
    }
    if (!declared.isEmpty()) {
        caveats << (anyNotFlagged
                ? tr("The file's own metadata points to a generator: %1. A detector that does not "
                     "flag the image does not outweigh that; metadata can also be forged.")
                : tr("The file's own metadata points to a generator: %1. Metadata can be forged "
                     "or removed."))
                       .arg(declared.join(QStringLiteral("; ")));
    }
    if (record.findingCodes.contains(QStringLiteral("c2pa-manifest")))
        caveats << tr("The file carries a C2PA manifest; ForgeLens does not verify its signature.");

    for (const DetectorResult &result : record.detectors) {
        if (!result.model)
            continue;
        const ModelCaveat caveat = modelCaveat(result.model->manifest);
        if (withModelCaveats && caveat != ModelCaveat::None)
            caveats << QStringLiteral("%1: %2").arg(
                displayText(result.model->manifest.id), caveatWarning(caveat));
        if (result.error)
            caveats << tr("%1 could not score the file [%2]: %3")
                           .arg(displayText(result.model->manifest.id), result.error->codeName(),
                               displayText(result.error->message));
    }
    return caveats;
}

} // namespace forgelens
