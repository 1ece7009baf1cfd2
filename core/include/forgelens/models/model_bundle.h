#pragma once

#include "forgelens/models/model_manifest.h"
#include "forgelens/result.h"

#include <QString>

#include <torch/script.h>

namespace forgelens {

// Where the manifest lives inside a bundle: an extra file of the TorchScript archive
// (torch::jit::load's extra-files map; Python: torch.jit.save(..., _extra_files=...)).
inline constexpr const char *kManifestExtraFile = "forgelens/manifest.json";

struct BundleLoadOptions {
    // Lower-case hex SHA-256 the bundle file must have; empty = not pinned.
    QString expectedSha256;
    c10::Device device = c10::Device(c10::kCPU);
};

// A loaded detector: the TorchScript module (in eval mode, on `options.device`), its manifest
// and the identity of the file it came from.
struct ModelBundle {
    QString path;
    QString sha256; // of the bundle file's bytes, as loaded
    ModelManifest manifest;
    // The manifest's own hash: a sidecar manifest is not covered by the bundle's hash, and its
    // threshold and classes decide the verdict just as much as the weights do.
    QString manifestSha256;
    QString manifestSource; // "inside the bundle" or the sidecar's path
    torch::jit::Module module;
};

// Reads the bundle once, hashes those bytes, checks the pin, then deserialises the same bytes
// (so the module that runs is the one that was hashed). The manifest comes from the archive's
// extra file, else from a sidecar `<path>.json`.
// Error codes: not-found, unreadable, hash-mismatch, bad-bundle, bad-manifest.
Result<ModelBundle> loadModelBundle(const QString &path, const BundleLoadOptions &options);

} // namespace forgelens
