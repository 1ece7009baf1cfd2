#pragma once

#include "forgelens/image/image_format.h"
#include "forgelens/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace forgelens {

struct C2paAction {
    QString action; // e.g. "c2pa.created", "c2pa.edited"
    QString digitalSourceType; // IPTC NewsCodes URI, when given
    QString softwareAgent;
};

// What a C2PA manifest store says, read WITHOUT any cryptography: the signature is never
// verified, so everything here is a claim, not a proof (signatureVerified is always false).
struct C2paSummary {
    QString container; // where the store was found: c2paContainerName()
    QStringList manifests; // manifest labels in the store; the last one is the active one
    QString claimGenerator;
    QString title;
    std::vector<C2paAction> actions;
    QStringList ingredients; // ingredient titles
    QString signatureIssuer; // names found in the signing certificate, as text
    bool signatureVerified = false;
};

// The JUMBF bytes of a C2PA manifest store embedded in `bytes`: JPEG APP11 segments (joined
// in sequence order), a WebP C2PA chunk, a HEIF/AVIF C2PA uuid box, a JPEG XL jumb box, a TIFF
// or DNG tag 52545, a GIF C2PA_GIF extension (PNG's caBX chunk: scanPngChunks); std::nullopt
// when there is none.
// Error code "malformed-c2pa" when segments are inconsistent.
Result<std::optional<QByteArray>> extractC2paJumbf(
    std::span<const std::uint8_t> bytes, ImageFormat format);

// Where `format` keeps its store, for reports: "JPEG APP11", "HEIF uuid box", "TIFF tag 52545".
QString c2paContainerName(ImageFormat format);

// Parses a JUMBF manifest store (boxes, CBOR claims and assertions). Error code
// "malformed-c2pa" for a truncated or inconsistent box structure.
Result<C2paSummary> parseC2paJumbf(const QByteArray &jumbf, const QString &container);

} // namespace forgelens
