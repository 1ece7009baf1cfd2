"""scikit-learn heads as TorchScript modules whose tensors are buffers.

The app never unpickles anything: a converter calls load_estimator() once, on the machine that
has the official files, and head_from_estimator() turns the fitted estimator into plain tensors.
The C++ heads (core/models/*_head.cpp) read the same buffers by name from the bundle's `head`
submodule, so the names below are part of the bundle format:

    linear: coef [D] f64, intercept [] f64, fake_sign [] f64 (+1 when classes_[1] is fake)
    knn:    train_embeddings [N, D] f64 (rows scaled to unit length), train_is_fake [N] i64 (1 fake, 0
            real), train_labels [N] i64 (sklearn's label, as given), k [] i64
    ocsvm:  support_vectors [S, D] f64, dual_coef [S] f64, intercept [] f64, gamma [] f64,
            coef0 [] f64, degree [] i64

Every head computes in float64, as scikit-learn does, so `predict` is reproduced exactly away
from exact ties. forward(embedding [B, D] float32) returns "logits" [B, 1] (sigmoid = the score
the manifest calls P(synthetic)) and the head's own scores, in float64.
"""

import joblib
import numpy as np
import torch
from torch import Tensor, nn
from typing import Dict

def load_estimator(path):
    """Unpickles one official head file. This executes code from the file: only ever call it
    on files from a source you trust, and only at conversion time."""
    return joblib.load(path)

def _as_f64(array):
    return torch.from_numpy(np.ascontiguousarray(np.asarray(array, dtype=np.float64)))

def _is_fake_label(label, fake_label):
    return bool(label == fake_label)

class LinearHead(nn.Module):
    """Binary logistic regression: decision = x . coef + intercept, P(class 1) = sigmoid(decision),
    as LogisticRegression.decision_function / predict_proba."""

    def __init__(self, coef, intercept, fake_sign):
        super().__init__()
        self.register_buffer("coef", _as_f64(coef).reshape(-1))
        self.register_buffer("intercept", _as_f64(intercept).reshape(()))
        self.register_buffer("fake_sign", torch.tensor(float(fake_sign), dtype=torch.float64))

    def forward(self, embedding: Tensor) -> Dict[str, Tensor]:
        decision = embedding.to(torch.float64).matmul(self.coef) + self.intercept  # [B]
        logits = (decision * self.fake_sign).unsqueeze(1).to(torch.float32)  # [B, 1]
        return {"logits": logits, "decision": decision}

class KnnHead(nn.Module):
    """k nearest neighbours under cosine distance (1 - cosine similarity), as
    KNeighborsClassifier(metric="cosine") with uniform weights.

    The score: with k = 1, P = d_real / (d_real + d_fake), where d_real and d_fake are the
    distances to the nearest real and the nearest fake training embedding. It is >= 0.5 exactly
    when the nearest neighbour is fake (sklearn's predict), and it says how close the call was.
    With k > 1 it is the fraction of fake neighbours, as predict_proba."""

    def __init__(self, train, train_is_fake, train_labels, k):
        super().__init__()
        train = np.asarray(train, dtype=np.float64)
        norms = np.linalg.norm(train, axis=1, keepdims=True)
        # sklearn's normalize() leaves an all-zero row at zero rather than dividing by zero.
        norms[norms == 0.0] = 1.0
        self.register_buffer("train_embeddings", _as_f64(train / norms))
        self.register_buffer("train_is_fake", torch.as_tensor(train_is_fake, dtype=torch.int64))
        self.register_buffer("train_labels", torch.as_tensor(train_labels, dtype=torch.int64))
        self.register_buffer("k", torch.tensor(int(k), dtype=torch.int64))

    def forward(self, embedding: Tensor) -> Dict[str, Tensor]:
        query = embedding.to(torch.float64)
        norms = query.mul(query).sum(dim=1, keepdim=True).sqrt()
        query = query / torch.where(norms == 0.0, torch.ones_like(norms), norms)
        # [B, N]; sklearn clips cosine distances to [0, 2] against rounding.
        distances = (1.0 - query.matmul(self.train_embeddings.t())).clamp(0.0, 2.0)
        k = int(self.k.item())
        nearest, indices = torch.topk(distances, k, dim=1, largest=False, sorted=True)  # [B, k]
        is_fake = self.train_is_fake[indices]  # [B, k]
        if k == 1:
            # 1e-12 keeps log() finite for a query that sits exactly on a training embedding.
            fake_mask = self.train_is_fake.unsqueeze(0) == 1  # [1, N]
            inf = torch.full_like(distances, float("inf"))
            d_fake = torch.where(fake_mask, distances, inf).min(dim=1).values.clamp_min(1e-12)
            d_real = torch.where(fake_mask, inf, distances).min(dim=1).values.clamp_min(1e-12)
            logit = d_real.log() - d_fake.log()
        else:
            share = is_fake.to(torch.float64).mean(dim=1).clamp(1e-12, 1.0 - 1e-12)
            logit = share.log() - (1.0 - share).log()
        return {
            "logits": logit.unsqueeze(1).to(torch.float32),
            "neighbour_distances": nearest,
            "neighbour_indices": indices,
            "neighbour_labels": self.train_labels[indices],
        }

class OcsvmHead(nn.Module):
    """One-class SVM with a polynomial kernel, as OneClassSVM.decision_function:
    decision = sum_i dual_i * (gamma * <x, sv_i> + coef0) ** degree + intercept.
    Positive means inlier. The seed fits it on real images only, so an inlier is real:
    the logit is -decision (sigmoid(-decision) >= 0.5 exactly when sklearn predicts -1)."""

    def __init__(self, support_vectors, dual_coef, intercept, gamma, coef0, degree):
        super().__init__()
        self.register_buffer("support_vectors", _as_f64(support_vectors))
        self.register_buffer("dual_coef", _as_f64(dual_coef).reshape(-1))
        self.register_buffer("intercept", _as_f64(intercept).reshape(()))
        self.register_buffer("gamma", torch.tensor(float(gamma), dtype=torch.float64))
        self.register_buffer("coef0", torch.tensor(float(coef0), dtype=torch.float64))
        self.register_buffer("degree", torch.tensor(int(degree), dtype=torch.int64))

    def forward(self, embedding: Tensor) -> Dict[str, Tensor]:
        query = embedding.to(torch.float64)
        kernel = (self.gamma * query.matmul(self.support_vectors.t()) + self.coef0).pow(
            self.degree.item())  # [B, S]
        decision = kernel.matmul(self.dual_coef) + self.intercept  # [B]
        return {"logits": (-decision).unsqueeze(1).to(torch.float32), "decision": decision}

def _kind(estimator):
    name = type(estimator).__name__
    kinds = {"LogisticRegression": "linear", "KNeighborsClassifier": "knn",
             "OneClassSVM": "ocsvm"}
    if name not in kinds:
        raise ValueError(f"unsupported head {name}: ForgeLens converts LogisticRegression, "
                         "KNeighborsClassifier and OneClassSVM")
    return kinds[name]

def head_from_estimator(estimator, fake_label=1):
    """The fitted estimator as a scriptable head. fake_label is the training label that means
    synthetic (CoDE: 1); a one-class SVM has no such label, its inliers are real."""
    kind = _kind(estimator)
    if kind == "linear":
        classes = list(estimator.classes_)
        if len(classes) != 2 or fake_label not in classes:
            raise ValueError(f"the logistic head must have two classes including {fake_label!r}; "
                             f"it has {classes}")
        fake_sign = 1.0 if _is_fake_label(classes[1], fake_label) else -1.0
        return LinearHead(estimator.coef_.reshape(-1), estimator.intercept_.reshape(()),
                          fake_sign)
    if kind == "knn":
        metric = estimator.effective_metric_
        if metric != "cosine":
            raise ValueError(f"the kNN head uses metric {metric!r}; ForgeLens reproduces cosine")
        if estimator.weights != "uniform":
            raise ValueError("the kNN head must use uniform weights")
        classes = estimator.classes_
        labels = classes[estimator._y]  # sklearn stores indices into classes_
        if not any(_is_fake_label(label, fake_label) for label in classes):
            raise ValueError(f"the kNN head has no training label {fake_label!r}")
        is_fake = np.array([1 if _is_fake_label(label, fake_label) else 0 for label in labels])
        return KnnHead(estimator._fit_X, is_fake, labels.astype(np.int64),
                       estimator.n_neighbors)
    if estimator.kernel != "poly":
        raise ValueError(f"the one-class SVM uses kernel {estimator.kernel!r}; ForgeLens "
                         "reproduces the polynomial kernel")
    return OcsvmHead(estimator.support_vectors_, estimator.dual_coef_.reshape(-1),
                     estimator.intercept_.reshape(()), estimator._gamma, estimator.coef0,
                     estimator.degree)

def head_manifest(estimator):
    """The manifest's "head" entry: the head's type and parameters, and what its score means."""
    kind = _kind(estimator)
    if kind == "linear":
        return {"type": "linear", "sklearn": "LogisticRegression", "C": float(estimator.C),
                "score": "sigmoid(decision_function): the logistic probability of fake"}
    if kind == "knn":
        return {"type": "knn", "sklearn": "KNeighborsClassifier", "metric": "cosine",
                "k": int(estimator.n_neighbors), "train_size": int(estimator.n_samples_fit_),
                "score": ("d_real / (d_real + d_fake), the cosine distances to the nearest real "
                          "and nearest fake training embedding; 0.5 is the boundary. Not a "
                          "calibrated probability")
                if estimator.n_neighbors == 1 else "fraction of fake neighbours"}
    return {"type": "ocsvm", "sklearn": "OneClassSVM", "kernel": "poly",
            "degree": int(estimator.degree), "gamma": float(estimator._gamma),
            "coef0": float(estimator.coef0), "nu": float(estimator.nu),
            "support_vectors": int(estimator.support_vectors_.shape[0]),
            "score": ("sigmoid(-decision_function): above 0.5 outside the real-image region "
                      "learnt from real images only. Not a calibrated probability")}
