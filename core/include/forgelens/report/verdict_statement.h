#pragma once

#include "forgelens/inference/prediction.h"
#include "forgelens/models/model_manifest.h"

#include <QString>
#include <QStringList>

namespace forgelens {

struct AnalysisRecord;

// What the analyst must know about a model before reading any of its verdicts. The strongest
// applies: an untrained test model, then stand-in weights, then an experimental detector.
enum class ModelCaveat { None, Experimental, StandIn, Untrained };

ModelCaveat modelCaveat(const ModelManifest &manifest);
// Stable code: "", "experimental", "stand_in", "untrained".
QString caveatCode(ModelCaveat caveat);
// The marker printed next to every verdict: "[EXPERIMENTAL detector]", ... ("" for None).
QString caveatMarker(ModelCaveat caveat);
// One sentence for a banner or a report's header ("" for None).
QString caveatWarning(ModelCaveat caveat);

// The one label vocabulary of every output (CLI text and JSON, CSV, the window, reports): the
// verdict code ("synthetic", "inconclusive", "not_flagged"), prefixed with the caveat code and
// "_" when the model has one ("experimental_not_flagged", "untrained_synthetic"), so that no
// label can be quoted without its caveat.
QString labelCode(Verdict verdict, const ModelManifest &manifest);

// A verdict in words, written once for every renderer. Text that came from the manifest is
// already made safe with displayText(); renderers that draw markup must still escape it.
struct VerdictStatement {
    QString label; // labelCode()
    QString caveatMarker; // "[EXPERIMENTAL detector]" or empty
    QString headline; // "Flagged as synthetic", "Inconclusive", "Not flagged"
    QString reason; // "the score is at or above the top of this model's inconclusive band, 0.904"
    QString threshold; // "Threshold 0.630 (5% false positives on …)"
    QString band; // "Inconclusive from 0.501 to 0.904 (…)"; empty without a band
    QString calibration; // a caution when the score is not a calibrated probability
    QString head; // the head's own score in words; empty without a head
};

VerdictStatement describeVerdict(const Prediction &prediction, const ModelManifest &manifest);

// The detectors that scored a file, by what they said. Untrained and stand-in detectors are
// counted apart: their verdicts mean nothing.
struct AgreementCounts {
    int scored = 0; // with meaningful weights
    int flagged = 0;
    int inconclusive = 0;
    int meaningless = 0; // untrained or stand-in weights, scored but not counted above
    int failed = 0; // could not score it
};
AgreementCounts agreementCounts(const AnalysisRecord &record);

// How the detectors that scored the file agree: "2 of 3 detectors flag it as synthetic; 1
// inconclusive." Detectors with untrained or stand-in weights are not counted (their verdicts
// mean nothing) and the sentence says how many were left out. Empty when none scored it.
QString agreementSentence(const AnalysisRecord &record);

// Cautions that concern the record as a whole, most important first: a file whose metadata
// names a generator or declares a synthetic source next to a detector that did not flag it, a
// C2PA manifest whose signature is not verified, detectors with caveats (unless a renderer has
// already stated them, e.g. in a report's header: `withModelCaveats` false), detectors that
// failed.
QStringList recordCaveats(const AnalysisRecord &record, bool withModelCaveats = true);

} // namespace forgelens
