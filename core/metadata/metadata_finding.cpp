#include "forgelens/metadata/metadata_finding.h"

namespace forgelens {

QString MetadataFinding::severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info: return QStringLiteral("info");
    case Severity::Notice: return QStringLiteral("notice");
    case Severity::Warning: return QStringLiteral("warning");
    }
    return {};
}

} // namespace forgelens
