#pragma once

#include "forgelens/models/head_scores.h"
#include "forgelens/models/verdict.h"

#include <QString>

#include <vector>

namespace forgelens {

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
    int tiles = 1; // inputs this image was split into (crop "tiles")
    double inferenceMillis = 0.0; // this image's share of its batch's forward time
};

} // namespace forgelens
