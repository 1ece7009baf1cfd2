#pragma once

#include "forgelens/result.h"

#include <QString>
#include <QStringList>

namespace forgelens {

// Where ForgeLens looks for a detector when none is named, in order:
//   1. $FORGELENS_MODELS: a bundle file, or a folder of bundles;
//   2. the build tree's model folder (when run from a build);
//   3. the install prefix's share/forgelens/models, beside the executable and as configured.
QStringList modelSearchFolders();

// The bundle to use when none is named: in the first folder (or file) of modelSearchFolders()
// that has one, the project's reference detector (reference/reference.pt), else the first
// *.pt in name order. Error no-model lists the places searched.
Result<QString> findDefaultBundle();

} // namespace forgelens
