#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace forgelens {

// One training embedding close to the image, as a kNN head sees it.
struct Neighbour {
    double distance = 0.0; // cosine distance, 1 - cos(angle), in [0, 2]
    int64_t index = 0; // row of the head's training matrix
    int64_t label = 0; // the training label as the seed system gave it (CoDE: 0 real, 1 fake)
    bool fake = false;
};

// What a head says beyond its probability, so an analyst sees how far from the boundary an
// image lies rather than only which side it fell on.
struct HeadScores {
    enum class Kind { None, Linear, Knn, Ocsvm };
    Kind kind = Kind::None;
    // Linear: the logistic decision value, log-odds of "fake" (0 is the boundary).
    // Ocsvm: decision_function, positive inside the region learnt from real images.
    std::optional<double> decision;
    // Knn: the head's k nearest training embeddings, nearest first, and the nearest of each
    // class (its score is nearestReal / (nearestReal + nearestFake) for k = 1).
    std::vector<Neighbour> neighbours;
    std::optional<double> nearestRealDistance;
    std::optional<double> nearestFakeDistance;
};

} // namespace forgelens
