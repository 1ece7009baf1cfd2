#include "forgelens/models/verdict.h"

#include "forgelens/models/model_manifest.h"

namespace forgelens {

Verdict verdictFor(double pSynthetic, const ModelManifest &manifest)
{
    if (manifest.inconclusive) {
        if (pSynthetic >= manifest.inconclusive->high)
            return Verdict::Synthetic;
        return pSynthetic >= manifest.inconclusive->low ? Verdict::Inconclusive
                                                        : Verdict::NotFlagged;
    }
    return pSynthetic >= manifest.threshold ? Verdict::Synthetic : Verdict::NotFlagged;
}

QString verdictCode(Verdict verdict)
{
    switch (verdict) {
    case Verdict::NotFlagged: return QStringLiteral("not_flagged");
    case Verdict::Inconclusive: return QStringLiteral("inconclusive");
    case Verdict::Synthetic: return QStringLiteral("synthetic");
    }
    return {};
}

} // namespace forgelens
