#!/usr/bin/python3
"""Writes the cases tst_binary_metrics checks against scikit-learn (and a small reference here).

usage: make_metric_cases.py OUT_DIR

Each case: scores and labels (ties, heavy imbalance, a class of one sample, rounded scores) and
what scikit-learn gives on them: roc_curve(drop_intermediate=False), roc_auc_score,
average_precision_score, precision_recall_curve, confusion_matrix at 0.5, and
cohen_kappa_score of two detectors' calls at 0.5. The operating point at an FPR bound and the
expected calibration error, DeLong's AUC variance and paired test are computed by the plain
references below (scikit-learn has none of them), from their definitions.
"""
import json
import math
import os
import sys

import numpy as np
from sklearn.metrics import (average_precision_score, cohen_kappa_score, confusion_matrix,
                             precision_recall_curve, roc_auc_score, roc_curve)


def operating_point(scores, labels, max_fpr):
    """Highest TPR with FPR <= max_fpr over thresholds at the distinct scores."""
    real, synth = scores[labels == 0], scores[labels == 1]
    best = (0.0, 0.0, None)
    for t in sorted(set(scores.tolist()), reverse=True):
        fpr, tpr = float(np.mean(real >= t)), float(np.mean(synth >= t))
        if fpr <= max_fpr and tpr >= best[1]:
            best = (fpr, tpr, t)
    return best


def ece(scores, labels, bins):
    index = np.minimum((scores * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            total += members.mean() * abs(labels[members].mean() - scores[members].mean())
    return total


def reliability(scores, labels, bins):
    """Per bin: count, mean score, synthetic share (0 and 0 when empty)."""
    index = np.minimum((scores * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        out.append({"count": count,
                    "mean_score": float(scores[members].mean()) if count else 0.0,
                    "synthetic_share": float(labels[members].mean()) if count else 0.0})
    return out


def delong(scores, labels):
    """V10, V01, AUC and its variance, straight from the definition (O(m n))."""
    x, y = scores[labels == 1], scores[labels == 0]
    psi = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    variance = (np.var(v10, ddof=1) if len(x) > 1 else 0.0) / len(x) \
        + (np.var(v01, ddof=1) if len(y) > 1 else 0.0) / len(y)
    return v10, v01, float(v10.mean()), float(variance)


def delong_test(scores_a, scores_b, labels):
    v10a, v01a, auc_a, var_a = delong(scores_a, labels)
    v10b, v01b, auc_b, var_b = delong(scores_b, labels)
    m, n = len(v10a), len(v01a)
    cov = (np.cov(v10a, v10b)[0, 1] if m > 1 else 0.0) / m \
        + (np.cov(v01a, v01b)[0, 1] if n > 1 else 0.0) / n
    variance = var_a + var_b - 2 * cov
    z = (auc_a - auc_b) / math.sqrt(variance) if variance > 0 else 0.0
    return {"difference": auc_a - auc_b, "z": z, "p": math.erfc(abs(z) / math.sqrt(2))}


def case(name, scores, labels):
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    fpr, tpr, thresholds = roc_curve(labels, scores, drop_intermediate=False)
    tn, fp, fn, tp = confusion_matrix(labels, scores >= 0.5, labels=[0, 1]).ravel()
    points = {}
    for bound in (0.0, 0.01, 0.05, 0.1, 0.5):
        f, t, threshold = operating_point(scores, labels, bound)
        points[str(bound)] = {"fpr": f, "tpr": t, "threshold": threshold}
    _, _, auc, variance = delong(scores, labels)
    rng = np.random.default_rng(len(scores))
    other = scores + rng.normal(0, 0.15, len(scores))  # a second, noisier detector
    precision, recall, pr_thresholds = precision_recall_curve(labels, scores)
    with np.errstate(invalid="ignore"):
        kappa = cohen_kappa_score(scores >= 0.5, other >= 0.5)
    return {
        "name": name, "scores": scores.tolist(), "labels": labels.tolist(),
        # highest threshold first, without the (recall 0, precision 1) end point it appends
        "pr": {"precision": precision[-2::-1].tolist(), "recall": recall[-2::-1].tolist(),
               "thresholds": pr_thresholds[::-1].tolist()},
        "kappa_at_half": None if math.isnan(kappa) else float(kappa),
        "reliability15": reliability(scores, labels, 15),
        "delong": {"auc": auc, "variance": variance},
        "other": other.tolist(), "delong_test": delong_test(scores, other, labels),
        "fpr": fpr.tolist(), "tpr": tpr.tolist(),
        "thresholds": thresholds[1:].tolist(),  # the first is above every score (version-dependent)
        "auc": roc_auc_score(labels, scores),
        "ap": average_precision_score(labels, scores),
        "confusion": {"tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn)},
        "points": points,
        "ece15": ece(scores, labels, 15),
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261128)
    cases = []
    n = 400
    labels = rng.integers(0, 2, n)
    cases.append(case("separated", np.clip(0.3 * labels + rng.uniform(0, 0.7, n), 0, 1), labels))
    rounded = np.round(rng.beta(2, 2, n) * 0.6 + 0.4 * labels, 1)  # many ties
    cases.append(case("ties", np.clip(rounded, 0, 1), labels))
    imbalanced = (rng.uniform(size=1000) < 0.03).astype(int)
    cases.append(case("imbalanced", rng.beta(2 + 3 * imbalanced, 5, 1000), imbalanced))
    one = np.zeros(60, dtype=int)
    one[17] = 1
    cases.append(case("one synthetic", rng.uniform(size=60), one))
    cases.append(case("all tied", np.full(30, 0.5), np.arange(30) % 2))
    cases.append(case("inverted", 1 - np.clip(0.4 * labels + rng.uniform(0, 0.6, n), 0, 1), labels))
    with open(os.path.join(out, "metric-cases.json"), "w", encoding="utf-8") as handle:
        json.dump(cases, handle)
    print(f"make_metric_cases: {len(cases)} cases in {out}")


if __name__ == "__main__":
    main()
