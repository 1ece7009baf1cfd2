#pragma once

#include "forgelens/metadata/metadata_report.h"

#include <QJsonObject>

namespace forgelens {

// The whole metadata report: findings, errors, C2PA summary (with "signature_verified": false),
// JPEG structure, PNG text chunks and every EXIF/IPTC/XMP property.
QJsonObject metadataReportToJson(const MetadataReport &report);

} // namespace forgelens
