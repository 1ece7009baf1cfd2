"""Fits the three scikit-learn heads the CoDE system uses with Debian's python3-sklearn, exports
each through the converter's own code (models/convert/sklearn_heads.py), and writes one
TorchScript case per head for tst_sklearn_heads: the head as submodule `head`, the held-out
queries, and what scikit-learn itself says about them.

usage: make_head_cases.py REPO_ROOT OUT_DIR
"""

import os
import sys

import numpy as np
import torch
from torch import Tensor, nn

REPO_ROOT, OUT_DIR = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(REPO_ROOT, "models", "convert"))
import sklearn_heads  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics.pairwise import cosine_distances  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.svm import OneClassSVM  # noqa: E402

torch.set_num_threads(1)
DIM = 192  # CoDE's ViT-Tiny CLS embedding


class HeadCase(nn.Module):
    """A head with the data to check it against; forward runs the head alone."""

    def __init__(self, head, tensors):
        super().__init__()
        self.head = head
        for name, value in tensors.items():
            self.register_buffer(name, value)

    def forward(self, embedding: Tensor):
        return self.head(embedding)


def embeddings(rng, count, fake_share):
    """Two overlapping clouds, so that some held-out points lie near each boundary. float32, as
    CoDE's features are when they reach scikit-learn."""
    labels = (rng.random(count) < fake_share).astype(np.int64)
    points = rng.normal(size=(count, DIM)) + 0.6
    points[labels == 1, : DIM // 4] += 0.35
    points *= rng.uniform(0.5, 3.0, size=(count, 1))  # norms vary; the cosine heads ignore them
    return points.astype(np.float32), labels


def save(name, estimator, queries, expected):
    head = sklearn_heads.head_from_estimator(estimator)
    tensors = {"queries": torch.from_numpy(queries)}
    for key, value in expected.items():
        tensors[key] = torch.from_numpy(np.ascontiguousarray(value))
    case = torch.jit.script(HeadCase(head, tensors).eval())
    torch.jit.save(case, os.path.join(OUT_DIR, name + ".pt"))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    rng = np.random.default_rng(20241123)
    train, train_labels = embeddings(rng, 800, 0.5)
    queries, _ = embeddings(rng, 300, 0.5)
    fake = lambda predicted: (predicted == 1).astype(np.int64)  # noqa: E731

    # The seed's hyperparameters (CoDE: LogisticRegression C=0.316, class_weight balanced).
    linear = LogisticRegression(C=0.316, class_weight="balanced", max_iter=5000)
    linear.fit(train, train_labels)
    save("linear", linear, queries, {
        "expected_fake": fake(linear.predict(queries)),
        "expected_decision": linear.decision_function(queries).astype(np.float64),
        "expected_probability": linear.predict_proba(queries)[:, 1].astype(np.float64),
    })

    knn = KNeighborsClassifier(n_neighbors=1, metric="cosine").fit(train, train_labels)
    distances, indices = knn.kneighbors(queries, n_neighbors=1)
    # The distances to the nearest real and nearest fake point, computed here independently of
    # the head, in float64.
    all_distances = cosine_distances(queries.astype(np.float64), train.astype(np.float64))
    nearest_real = all_distances[:, train_labels == 0].min(axis=1)
    nearest_fake = all_distances[:, train_labels == 1].min(axis=1)
    save("knn", knn, queries, {
        "expected_fake": fake(knn.predict(queries)),
        "expected_distances": distances.astype(np.float64),
        "expected_indices": indices.astype(np.int64),
        "expected_nearest_real": nearest_real,
        "expected_nearest_fake": nearest_fake,
    })

    # Fitted on real embeddings only, as the seed does: +1 inlier (real), -1 outlier (fake).
    ocsvm = OneClassSVM(nu=0.1, kernel="poly", gamma="auto").fit(train[train_labels == 0])
    save("ocsvm", ocsvm, queries, {
        "expected_fake": (ocsvm.predict(queries) == -1).astype(np.int64),
        "expected_decision": ocsvm.decision_function(queries).astype(np.float64),
    })
    print(f"head cases written to {OUT_DIR}")


main()
