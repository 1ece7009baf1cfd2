#pragma once

#include "forgelens/models/head_scores.h"
#include "forgelens/models/verdict.h"

#include <QString>

#include <vector>

namespace forgelens {

// A detector's local embeddings of one input: its `patch_embeddings` output, one D-vector per
// cell of an h x w grid laid evenly over the input (ViT tokens, a CNN's last feature map).
struct PatchEmbeddings {
    int rows = 0; // h
    int cols = 0; // w
    int dimension = 0; // D
    std::vector<float> values; // [h, w, D] row-major float32

    bool isEmpty() const { return values.empty(); }
    const float *cell(int row, int col) const
    {
        return values.data() + (size_t(row) * size_t(cols) + size_t(col)) * size_t(dimension);
    }
};

// One image's result from one model.
struct Prediction {
    std::vector<float> classProbabilities; // one per manifest class, in manifest order
    float pSynthetic = 0.0f; // sum of the probabilities of the fake classes
    bool synthetic = false; // pSynthetic >= the manifest's threshold (the operating point the
                            // model card's error rates are measured at)
    double threshold = 0.5;
    // What is shown as the label: the threshold alone, or the manifest's inconclusive band
    // around it (then "synthetic" needs pSynthetic at or above the band's top).
    Verdict verdict = Verdict::NotFlagged;
    int topClass = 0; // index of the most probable class
    std::vector<float> embedding; // [D] when the model has one (tiles: their mean)
    HeadScores head; // the manifest's head on that embedding; kind None without a head
    // Only when asked for (InferenceWorker::submit), the manifest declares `patch_map`, and the
    // image was one input (tiles have no single grid).
    PatchEmbeddings patches;
    int tiles = 1; // inputs this image was split into (crop "tiles")
    double inferenceMillis = 0.0; // this image's share of its batch's forward time
};

} // namespace forgelens
