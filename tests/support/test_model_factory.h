#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <torch/script.h>

namespace forgelens::testing {

// A tiny TorchScript detector with random weights, built with Module::define (no Python):
// conv 3->8, 3x3, stride 2 + ReLU -> global mean -> embedding [B, 8] -> linear -> logits
// [B, logitCount]; also `patch_embeddings` [B, h, w, 8]. Its verdicts mean nothing.
torch::jit::Module makeTestModule(int logitCount, std::uint64_t seed = 1);

// A module whose forward() returns a bare tensor instead of the contract's dict.
torch::jit::Module makeContractBreakingModule();

// A complete manifest for the test module (family "test"): binary real/fake, exact 64x64
// bilinear antialiased resize, ImageNet mean/std, threshold 0.5. `overrides` replaces
// top-level keys.
QJsonObject testManifest(const QJsonObject &overrides = {});
// `manifest` with input.resize.reduced_jpeg_decode set: a bundle that allows a scan's reduced
// JPEG decode.
QJsonObject allowingReducedJpegDecode(QJsonObject manifest);

// Saves `module` with `manifest` inside the archive (`embedManifest`) or as a sidecar
// `<path>.json`. Returns false on failure.
bool saveTestBundle(const QString &path, torch::jit::Module module, const QJsonObject &manifest,
    bool embedManifest = true);

} // namespace forgelens::testing
