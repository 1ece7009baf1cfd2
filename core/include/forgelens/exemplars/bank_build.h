#pragma once

#include "forgelens/exemplars/exemplar_bank.h"
#include "forgelens/scan/scan_pipeline.h"
#include "forgelens/scan/scan_settings.h"

#include <QHash>
#include <QString>

#include <atomic>

namespace forgelens {

// What one exemplar's file is, as the analyst labelled it.
struct ExemplarLabel {
    QString label; // "real" or "synthetic"
    QString generator;
    QString source;
    QString licence;
    QString attribution;
    QString group; // an evaluation's grouping (camera, source, …); a bank does not keep it
};

struct BankBuildSettings {
    QString root; // the folder of images; never written
    // Empty: the folder names label the files. A file's first folder under the root says what it
    // is: "real" is real, "synthetic" or "fake" is synthetic of an unknown generator, and any
    // other name is synthetic made by the generator of that name ("sdxl/cat.png"). Files at the
    // top of the root have no label and are left out.
    // Otherwise a CSV with a header naming `path` and `label` columns and optionally
    // `generator`, `source`, `licence` (or `license`) and `attribution`; `path` is relative to
    // the root, '/'-separated; label "real", "synthetic" or "fake". Files it does not name are
    // left out.
    QString labelsCsv;
    QString bankPath; // the bank; the scan's report goes beside it (BANK.build.csv)
    QString modelPath;
    QString modelPin; // empty, or the SHA-256 the bundle must have
    // Said of every exemplar the labels do not describe (a labels CSV's cells win).
    QString source;
    QString licence;
    QString attribution;
    int thumbnailSide = 160; // pixels, the longer side; 0 = no thumbnails
    bool resume = false; // continue an interrupted build of the same bank
    EngineConfig engine;
    DecodeLimits limits;
    SandboxConfig sandbox;
    int decodeThreads = 0;

    QString validate() const; // empty when usable
    QString reportCsvPath() const { return bankPath + QStringLiteral(".build.csv"); }
};

struct BankBuildSummary {
    ScanSummary scan; // the build's scan: its report lists every file and how it went
    qint64 added = 0; // exemplars this run put in the bank
    qint64 unlabelled = 0; // files the labels left out
    // Files that could not be analysed (their rows say why), or whose name or labels a bank
    // cannot hold (control characters).
    qint64 failed = 0;
    BankInfo bank; // the bank as the build left it
};

// Labels from a labels CSV (see BankBuildSettings::labelsCsv; an evaluation's also reads a
// `group` column), by relative path. Hostile input: at most 64 MiB, every cell checked. Error
// codes: not-found, unreadable, bad-csv.
Result<QHash<QString, ExemplarLabel>> readExemplarLabels(const QString &csvPath);

// The label a folder-per-class layout gives `relativePath`; nullopt when it gives none. A folder
// named real, synthetic or fake (any case), or 0_real / 1_fake as CNNDetection-style sets name
// them, gives the label, and the folder above a synthetic one its generator (sd14/1_fake/a.png:
// synthetic, sd14); without such a folder, the top folder is a generator (sdxl/a.png:
// synthetic, sdxl).
std::optional<ExemplarLabel> labelFromFolders(const QString &relativePath);

// Builds (or, with settings.resume, continues) an exemplar bank on the scan pipeline: every
// file is read, hashed and decoded once in the sandbox, the detector's embedding of it (and a
// thumbnail) goes into the bank, and its row into the build's CSV report. The bank is committed
// before the report vouches for its rows, so a resumed build skips only files already in it.
// Error codes: those of runScan(), bad-settings, no-embedding (the bundle declares none),
// bank-mismatch (resuming with another bundle), bad-bank, bank-write-failed, bad-csv.
Result<BankBuildSummary> buildBank(const BankBuildSettings &settings,
    const std::atomic_bool &cancel, const ScanObserver &observer = {});

} // namespace forgelens
