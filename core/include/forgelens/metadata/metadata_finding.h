#pragma once

#include <QString>

namespace forgelens {

// Something the file itself says about its origin. Findings are evidence, not a verdict: the
// message says what was seen, and metadata can be removed or forged.
struct MetadataFinding {
    enum class Severity { Info, Notice, Warning };
    Severity severity = Severity::Info;
    QString code; // stable: ai-generator-metadata, c2pa-manifest, digital-source-type, ...
    QString message; // what was seen, in plain words
    QString evidence; // where: the chunk, tag or segment, and its value

    static QString severityName(Severity severity);
};

} // namespace forgelens
