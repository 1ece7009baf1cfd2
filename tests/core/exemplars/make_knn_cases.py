#!/usr/bin/python3
"""Writes the nearest-neighbour cases tst_nearest_exemplars checks against scikit-learn.

usage: make_knn_cases.py OUT_DIR

Each case: random embeddings (some clustered, some of very different lengths, since the search
is by cosine), queries, and what NearestNeighbors(metric="cosine", algorithm="brute") returns
for them in float64: indices and distances (1 - cosine similarity), nearest first. Also, per
query, the gap between the k-th and (k+1)-th distance, so the test can tell an order that float32
rounding may change from one it must reproduce.
"""
import json
import os
import sys

import numpy as np
from sklearn.neighbors import NearestNeighbors


def case(name, rng, rows, dimension, queries, k, clusters=0):
    if clusters:
        centres = rng.normal(size=(clusters, dimension))
        vectors = centres[rng.integers(0, clusters, rows)] + 0.3 * rng.normal(size=(rows, dimension))
    else:
        vectors = rng.normal(size=(rows, dimension))
    vectors *= rng.uniform(0.01, 100.0, size=(rows, 1))  # lengths must not matter
    asked = rng.normal(size=(queries, dimension))
    return {
        "name": name,
        "dimension": dimension,
        "k": k,
        "vectors": vectors.astype(np.float32).ravel().tolist(),
        "queries": asked.astype(np.float32).ravel().tolist(),
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261128)
    cases = [
        case("gaussian", rng, 500, 32, 25, 10),
        case("clustered", rng, 2000, 128, 25, 10, clusters=12),
        case("k larger than the bank", rng, 7, 16, 5, 10),
        case("one neighbour", rng, 300, 8, 10, 1),
    ]
    # sklearn's answer, in float64, on exactly the float32 values the C++ side reads.
    for entry in cases:
        d = entry["dimension"]
        vectors = np.array(entry["vectors"], dtype=np.float64).reshape(-1, d)
        asked = np.array(entry["queries"], dtype=np.float64).reshape(-1, d)
        k = entry["k"]
        search = NearestNeighbors(n_neighbors=min(k + 1, len(vectors)), metric="cosine",
                                  algorithm="brute").fit(vectors)
        distances, indices = search.kneighbors(asked)
        entry["indices"] = indices[:, :k].tolist()
        entry["distances"] = distances[:, :k].tolist()
        # distance of the (k+1)-th neighbour, or null when there is none
        entry["next"] = [d[k] if len(d) > k else None for d in distances.tolist()]
    with open(os.path.join(out, "knn-cases.json"), "w") as f:
        json.dump({"cases": cases}, f)


if __name__ == "__main__":
    main()
