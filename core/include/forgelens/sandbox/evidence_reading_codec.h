#pragma once

#include "forgelens/sandbox/evidence_reading.h"

#include <QByteArray>

#include <optional>

namespace forgelens {

// The sandbox's wire format for an EvidenceReading: everything but the pixels, which travel
// through shared memory. `pixelBytes` receives the sizes the pixels take there (the image's,
// else the salvaged image's); decodeEvidenceReading leaves the DecodedImage::rgb arrays empty
// for the caller to fill. The parent reads what a (possibly compromised) worker wrote, so
// decoding checks every count and returns nullopt on anything inconsistent.
QByteArray encodeEvidenceReading(const EvidenceReading &reading);
std::optional<EvidenceReading> decodeEvidenceReading(const QByteArray &bytes, qint64 &pixelBytes);

} // namespace forgelens
