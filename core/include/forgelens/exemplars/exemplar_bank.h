#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace forgelens {

// Known real and generated images as one detector sees them: the nearest exemplars of an
// evidence image, and the synthetic and real references of its patch-similarity map.
//
// A bank is one SQLite file (format 1):
//   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
//     format "1", bundle_sha256 (64 hex), bundle_id, dimension (D), created_utc, tool
//   exemplars(id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, label TEXT NOT NULL,
//             generator, source, licence, attribution, sha256 TEXT NOT NULL,
//             width INTEGER, height INTEGER,
//             thumb_width INTEGER, thumb_height INTEGER, thumbnail BLOB,
//             embedding BLOB NOT NULL)
// `embedding` is D float32 values, little-endian, of unit length. `thumbnail` is zlib-deflated
// RGB888 pixels, thumb_width x thumb_height (each at most kMaxThumbnailSide): raw pixels, so
// that showing a bank's thumbnail needs no image decoder. A bank from elsewhere is hostile
// input, as evidence is: it is opened read-only and immutable (SQLite writes nothing beside
// it), in SQLite's defensive mode with schema code untrusted, checked with `PRAGMA
// quick_check`, and every object, column and value is checked before it is used.
struct Exemplar {
    qint64 id = 0; // SQLite's rowid; 0 before insertion
    QString path; // the key: a path relative to the folder the bank was built from
    QString label; // "real" or "synthetic"
    QString generator; // e.g. "sdxl"; empty when not known
    QString source; // where it came from: repository@commit, a data set, the analyst's folder
    QString licence; // SPDX identifier or the licence's words; empty when not known
    QString attribution; // who made it, as its licence asks to be credited
    QString sha256; // of the image file, 64 lowercase hex
    int width = 0; // of the image, after orientation
    int height = 0;
    int thumbWidth = 0;
    int thumbHeight = 0;
    QByteArray thumbnailRgb; // thumbWidth * thumbHeight * 3 bytes, or empty
    std::vector<float> embedding; // [D]
};

struct BankIdentity {
    QString bundleSha256; // the detector bundle whose embeddings the bank holds
    QString bundleId;
    int dimension = 0; // D
};

struct BankInfo {
    BankIdentity identity;
    int format = 0;
    qint64 count = 0;
    std::map<QString, qint64> labelCounts; // "real", "synthetic"
    std::map<QString, qint64> generatorCounts; // synthetic exemplars per generator ("" unknown)
    std::map<QString, qint64> licenceCounts; // "" not known
    QDateTime createdUtc;
    QString tool; // "ForgeLens 0.1.0"
};

// Every embedding of a bank, for search: rows in id order.
struct BankEmbeddings {
    std::vector<qint64> ids; // [N]
    std::vector<bool> synthetic; // [N]
    int dimension = 0; // D
    std::vector<float> vectors; // [N, D] row-major float32, unit rows
};

class ExemplarBank {
public:
    static constexpr int kFormat = 1;
    static constexpr int kMaxDimension = 8192;
    static constexpr int kMaxThumbnailSide = 256;
    static constexpr qint64 kMaxTextBytes = 4096; // path, source, licence, attribution...

    // A new, empty bank at `path` (refused when a file is there). Error codes: bad-settings
    // (identity incomplete), output-exists, bank-write-failed.
    static Result<std::unique_ptr<ExemplarBank>> create(
        const QString &path, const BankIdentity &identity);
    // An existing bank, read-only, checked as described above. Error code: bad-bank (with what
    // is wrong), not-found.
    static Result<std::unique_ptr<ExemplarBank>> open(const QString &path);
    // An existing bank to add to (its own earlier build: resumed). Same checks. Error codes:
    // bad-bank, not-found, bank-write-failed.
    static Result<std::unique_ptr<ExemplarBank>> openForWriting(const QString &path);
    ~ExemplarBank();
    ExemplarBank(const ExemplarBank &) = delete;
    ExemplarBank &operator=(const ExemplarBank &) = delete;

    const BankIdentity &identity() const;
    // Refuses a bank made with another bundle. Error code: bank-mismatch.
    std::optional<Error> checkBundle(const QString &bundleSha256, int dimension) const;

    // Error code: bad-bank.
    Result<BankInfo> info() const;
    // Every embedding (a 1M-row bank of 192-d vectors is 768 MB). Error code: bad-bank.
    Result<BankEmbeddings> embeddings() const;
    // One exemplar with its thumbnail. Error codes: bad-bank, not-found.
    Result<Exemplar> exemplar(qint64 id) const;
    // Whether an exemplar with this path is in the bank (a resumed build skips it).
    bool contains(const QString &path) const;

    // Adds or replaces (same path) one exemplar; checked as a read checks it. Writes go in a
    // transaction that commit() ends (and begins the next). Error codes: bad-settings (a value
    // out of range), bank-write-failed.
    std::optional<Error> insert(const Exemplar &exemplar);
    std::optional<Error> commit();

    // Shrinks an RGB image (rows of width * 3 bytes) to fit kMaxThumbnailSide, keeping its
    // aspect ratio (area averaging), into `exemplar`'s thumbnail fields.
    static void setThumbnail(
        Exemplar &exemplar, const unsigned char *rgb, int width, int height, int side = 160);

private:
    struct Impl;
    explicit ExemplarBank(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace forgelens
