#pragma once

#include "forgelens/result.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

namespace forgelens {

// Bounds on a model bundle's ZIP archive, checked before TorchScript reads a byte of it
// (a bundle is untrusted input: DESIGN.md, "Trust boundaries").
struct BundleArchiveLimits {
    qint64 maxEntries = 20'000; // a ViT-L with every tensor its own entry has ~1,000
    qint64 maxEntryBytes = qint64(4) << 30;
    qint64 maxManifestBytes = 1 << 20; // the manifest, inside the archive or as a sidecar
    qint64 maxCodeBytes = 64 << 20; // all TorchScript source files together
    // Deflated entries (LibTorch's C++ writer compresses the code files): all of them together
    // may inflate to this much, and none by more than this ratio (the probe's manifest went
    // from 2.3 MB to 1 GiB, a ratio of 460).
    qint64 maxInflatedBytes = qint64(256) << 20;
    qint64 maxCompressionRatio = 100;
};

// One entry of the archive, as its central directory and local header agree it is.
struct BundleArchiveEntry {
    QString name; // e.g. "reference.pt/code/__torch__/reference_net.py"
    qint64 dataOffset = 0; // of the stored bytes within the archive
    qint64 size = 0; // uncompressed
    std::uint32_t crc32 = 0;
    QByteArray inflated; // the contents of a deflated entry; empty for a stored one
};

// What the checks found: every entry, with its bytes verified.
struct BundleArchive {
    QString root; // the archive's top folder ("reference.pt")
    std::vector<BundleArchiveEntry> entries;

    const BundleArchiveEntry *find(const QString &relativeName) const; // below `root`/
};

// Reads the ZIP structure of a TorchScript bundle (ZIP64 included) and refuses, with a message
// that says which entry and why: a damaged or inconsistent directory, more entries than
// `limits` allow, an entry over its size limit, a duplicate or escaping name ("..", absolute),
// encryption, a method other than stored or deflate, a deflated entry over the ratio or the
// inflated-bytes limit (it is inflated with that bound, never further), and an entry whose
// CRC-32 does not match its contents (flipped weights). Error code: bad-bundle.
Result<BundleArchive> readBundleArchive(const QByteArray &bytes, const BundleArchiveLimits &limits);

// The contents of one entry (already verified by readBundleArchive); a stored one without a copy.
QByteArray bundleEntryBytes(const QByteArray &archiveBytes, const BundleArchiveEntry &entry);

} // namespace forgelens
