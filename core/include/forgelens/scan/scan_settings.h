#pragma once

#include "forgelens/image/image_decoder.h"
#include "forgelens/inference/engine_config.h"
#include "forgelens/sandbox/sandbox_config.h"
#include "forgelens/scan/scan_file_list.h"
#include "forgelens/scan/scan_shard.h"

#include <QSet>
#include <QString>
#include <QStringList>

namespace forgelens {

struct ScanSettings {
    QString root; // the evidence folder; never written
    QString outputCsv; // the report; must lie outside `root`
    QStringList modelPaths; // one or more bundles; each file is decoded once for all of them
    QStringList modelPins; // empty, or one SHA-256 per bundle that it must have
    EngineConfig engine; // shared by every model (device, intra-op threads, batch size, warm-up)
    DecodeLimits limits;
    SandboxConfig sandbox; // files are read and decoded in sandboxed workers (one per thread)
    ScanWalkOptions walk;
    ShardSpec shard;
    // Empty: every file of the walk. Otherwise only the walk's files with these relative paths
    // (an evaluation's labelled files); the others are counted as outside the scan.
    QSet<QString> onlyPaths;
    int decodeThreads = 0; // read, hash, decode and preprocess workers; 0 = the usable cores
    int inFlight = 0; // files between reading and the CSV at most; 0 = chosen from the above
    bool readMetadata = true; // metadata findings column (Exiv2, PNG chunks, C2PA, JPEG tables)
    // JPEGs decoded reduced where every bundle opts in (input.resize.reduced_jpeg_decode);
    // false (--full-decode): always the full decode.
    bool reducedJpegDecode = true;
    // JPEGs decoded only around the models' crops where every bundle crops at native resolution
    // (exact, native_crop_region.h); false (--full-decode): always the whole image.
    bool cropOnlyJpegDecode = true;
    bool keepEmbeddings = false; // records carry Prediction::embedding (for an exemplar bank)
    bool resume = false; // continue outputCsv's interrupted run
    bool overwrite = false; // replace an existing complete report
    int flushRows = 256; // records per write of the temporary CSV (also written every 2 s)

    // Empty when usable, else what is wrong (for a person).
    QString validate() const;

    QString temporaryCsvPath() const { return outputCsv + QStringLiteral(".partial"); }
    QString temporarySidecarPath() const { return outputCsv + QStringLiteral(".partial.json"); }
    QString sidecarPath() const { return outputCsv + QStringLiteral(".json"); }
};

} // namespace forgelens
