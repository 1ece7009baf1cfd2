#include "forgelens/analysis/analysis_record.h"

namespace forgelens {

bool AnalysisRecord::ok() const
{
    if (fileError)
        return false;
    for (const DetectorResult &result : detectors) {
        if (!result.ok())
            return false;
    }
    return true;
}

std::optional<Error> AnalysisRecord::firstError() const
{
    if (fileError)
        return fileError;
    for (const DetectorResult &result : detectors) {
        if (result.error)
            return Error{ result.error->code,
                QStringLiteral("%1: %2").arg(
                    result.model ? result.model->manifest.id : QStringLiteral("?"),
                    result.error->message) };
    }
    return std::nullopt;
}

int AnalysisRecord::scoredCount() const
{
    int count = 0;
    for (const DetectorResult &result : detectors)
        count += result.ok() ? 1 : 0;
    return count;
}

} // namespace forgelens
