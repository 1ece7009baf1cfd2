#pragma once

#include "forgelens/models/bundle_archive.h"
#include "forgelens/result.h"

#include <QStringList>

#include <optional>

namespace forgelens {

// TorchScript runs a bundle's code when it loads it (a class's __setstate__) and when it
// scores an image, and its built-in operations include ones that open files
// (`torch.from_file(path, shared=True)` maps a file writable; `aten::save` writes one) or print
// to the terminal. So the archive's code is read before torch::jit::load and every operation it
// names must be on an allow-list of pure tensor and control-flow operations: `torch.X`,
// `torch.ops.NS.X` and `ops.NS.X` (NS: aten or prim), no custom classes (`torch.classes`), no
// `print`. Operations that are not listed are refused by name, so a bundle that needs a
// harmless new one fails loudly rather than being trusted silently.

// The operations named in TorchScript source text (`code/**/*.py` of the archive), qualified
// as written ("torch.conv2d", "ops.prim.max"), each once, in order of appearance; strings and
// comments are skipped.
QStringList torchScriptOperations(const QByteArray &source);

// True when `operation` (as torchScriptOperations() writes it) is on the allow-list.
bool isAllowedTorchScriptOperation(const QString &operation);

// Reads every code file of the verified archive and refuses the first operation that is not
// allowed, naming it and the file. Error code: bad-bundle.
std::optional<Error> checkBundleCode(const QByteArray &archiveBytes, const BundleArchive &archive,
    const BundleArchiveLimits &limits);

} // namespace forgelens
