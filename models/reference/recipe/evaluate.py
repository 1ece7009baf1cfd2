#!/usr/bin/python3
"""Scores the calibration and test parts of the pool, chooses the threshold and the
inconclusive band on the calibration part, and reports the test part: the model card's table.

Protocol (the same for both classes, so nothing but pixels can tell them apart):
  - every image is decoded upright and cut to its central 256x256 pixels at its own
    resolution (never resized); that is one tile of the shipped bundle;
  - conditions: "native" (the pixels as decoded, kept lossless), "jpeg90" and "jpeg75" (that
    crop saved as JPEG at quality 90 / 75 by PIL, 4:2:0 chroma, and decoded);
  - P(synthetic) = sigmoid(logit) of the crop.
Threshold: the score that 5 % of the calibration photographs reach (their 95th percentile,
native condition). Inconclusive band: from their 90th to their 99th percentile. Neither looks at
a test image or at a synthetic one.

Shortcut test: a gradient-boosted classifier and a logistic regression on file size, width,
height and format alone, 5-fold cross-validated AUC, (a) on the pool's files as gathered and
(b) on the test part as the detector sees it (the crops as PNG and as JPEG q90 files).

Writes --out (JSON) and, with --card, replaces the table between the markers
<!-- evaluation:begin --> and <!-- evaluation:end --> in the model card.
"""

import argparse
import collections
import io
import json
import math
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

from augment import load_rgb
from card_section import replace_card_section
from pool_split import group_of, split_of
from reference_net import ReferenceNet

CROP = 256
CONDITIONS = ("native", "jpeg90", "jpeg75")
THRESHOLD_FPR = 0.05
BAND_FPR = (0.10, 0.01)
UNSEEN_AUC_FOR_STABLE = 0.85


def center_crop(image):
    width, height = image.size
    w, h = min(CROP, width), min(CROP, height)
    left, top = (width - w) // 2, (height - h) // 2
    return image.crop((left, top, left + w, top + h))


def encoded(image, condition):
    """(pixels as the model sees them, the bytes of that test file)."""
    buffer = io.BytesIO()
    if condition == "native":
        image.save(buffer, format="PNG")
        return image, buffer.getvalue()
    image.save(buffer, format="JPEG", quality=int(condition[4:]))
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as decoded:
        return decoded.convert("RGB"), data


def auc(negatives, positives):
    """Area under the ROC curve, ties counted half (the Mann-Whitney statistic)."""
    negatives, positives = np.asarray(negatives), np.asarray(positives)
    if len(negatives) == 0 or len(positives) == 0:
        return float("nan")
    scores = np.concatenate([negatives, positives])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = 0.5 * (i + j) + 1.0
        i = j + 1
    positive_ranks = ranks[len(negatives):].sum()
    return float((positive_ranks - len(positives) * (len(positives) + 1) / 2)
                 / (len(negatives) * len(positives)))


def auc_interval(negatives, positives, rng, resamples=1000):
    """95 % percentile bootstrap interval, resampling each class."""
    negatives, positives = np.asarray(negatives), np.asarray(positives)
    if len(negatives) < 2 or len(positives) < 2:
        return [float("nan"), float("nan")]
    values = [auc(rng.choice(negatives, len(negatives)), rng.choice(positives, len(positives)))
              for _ in range(resamples)]
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def score_images(model, entries, pool):
    """{condition: [P per entry]}, the per-entry test-file features, and the seconds per crop
    (decoding, re-encoding and scoring together)."""
    scores = {condition: [] for condition in CONDITIONS}
    files = {condition: [] for condition in CONDITIONS}
    started = time.time()
    crops = [center_crop(load_rgb(os.path.join(pool, entry["file"]))) for entry in entries]
    with torch.no_grad():
        for condition in CONDITIONS:
            # One crop at a time: crops of images under 256 px differ in size.
            for crop in crops:
                seen, data = encoded(crop, condition)
                files[condition].append({"bytes": len(data), "width": seen.size[0],
                                         "height": seen.size[1],
                                         "format": "png" if condition == "native" else "jpeg"})
                x = torch.from_numpy(np.asarray(seen, dtype=np.uint8).copy())
                x = x.permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
                logit = model(x.contiguous(memory_format=torch.channels_last))["logits"]
                scores[condition].append(float(torch.sigmoid(logit.double())[0, 0]))
    seconds = (time.time() - started) / max(1, len(entries) * len(CONDITIONS))
    return scores, files, seconds


def shortcut_auc(features, labels, seed, with_bytes=True):
    """5-fold cross-validated AUC of classifiers that see only file size, dimensions, format
    (without the file size when with_bytes is False)."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    formats = sorted({f["format"] for f in features})
    matrix = np.array([[math.log(f["bytes"]), f["width"], f["height"],
                        f["width"] / f["height"], math.log(f["bytes"] / (f["width"] * f["height"]))]
                       + [1.0 if f["format"] == name else 0.0 for name in formats]
                       for f in features])
    if not with_bytes:
        matrix = matrix[:, [1, 2, 3] + list(range(5, matrix.shape[1]))]
    labels = np.asarray(labels)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    result = {}
    for name, classifier in (
            ("gradient_boosting", GradientBoostingClassifier(random_state=seed)),
            ("logistic", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)))):
        p = cross_val_predict(classifier, matrix, labels, cv=folds, method="predict_proba")[:, 1]
        result[name] = auc(p[labels == 0], p[labels == 1])
    return result


def fmt(value, digits=3):
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.{digits}f}"


def card_table(report):
    lines = []
    t = report["threshold"]
    lines.append(f"Threshold **{t['value']:.4f}** ({t['chosen_by']}); inconclusive band "
                 f"[{report['band']['low']:.4f}, {report['band']['high']:.4f}) "
                 f"({report['band']['chosen_by']}).")
    lines.append("")
    lines.append("| unseen generator | images | AUC native [95 % CI] | AUC JPEG q90 | AUC JPEG q75 "
                 "| flagged native | flagged q90 | flagged q75 | inconclusive native |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for row in report["synthetic"]:
        c = row["conditions"]
        lines.append(
            f"| {row['group']} | {row['images']} | {fmt(c['native']['auc'])} "
            f"[{fmt(c['native']['auc_ci'][0], 2)}, {fmt(c['native']['auc_ci'][1], 2)}] "
            f"| {fmt(c['jpeg90']['auc'])} | {fmt(c['jpeg75']['auc'])} "
            f"| {fmt(c['native']['flagged'], 2)} | {fmt(c['jpeg90']['flagged'], 2)} "
            f"| {fmt(c['jpeg75']['flagged'], 2)} | {fmt(c['native']['inconclusive'], 2)} |")
    lines.append("")
    lines.append("| held-out real photographs | images | false positives native | q90 | q75 "
                 "| called synthetic (≥ band) native | inconclusive native |")
    lines.append("|---|---|---|---|---|---|---|")
    for row in report["real"]:
        c = row["conditions"]
        lines.append(
            f"| {row['group']} | {row['images']} | {fmt(c['native']['flagged'], 3)} "
            f"| {fmt(c['jpeg90']['flagged'], 3)} | {fmt(c['jpeg75']['flagged'], 3)} "
            f"| {fmt(c['native']['above_band'], 3)} | {fmt(c['native']['inconclusive'], 3)} |")
    lines.append("")
    o = report["overall"]
    lines.append("| all unseen generators vs all held-out real | native | JPEG q90 | JPEG q75 |")
    lines.append("|---|---|---|---|")
    lines.append("| AUC [95 % CI] | " + " | ".join(
        f"{fmt(o[c]['auc'])} [{fmt(o[c]['auc_ci'][0], 2)}, {fmt(o[c]['auc_ci'][1], 2)}]"
        for c in CONDITIONS) + " |")
    lines.append("| balanced accuracy at the threshold | " + " | ".join(
        fmt(o[c]["balanced_accuracy"]) for c in CONDITIONS) + " |")
    lines.append("| false-positive rate on held-out real | " + " | ".join(
        fmt(o[c]["fpr"]) for c in CONDITIONS) + " |")
    lines.append("| synthetic flagged (true-positive rate) | " + " | ".join(
        fmt(o[c]["tpr"]) for c in CONDITIONS) + " |")
    lines.append("")
    s = report["shortcut"]
    lines.append("Shortcut test (5-fold cross-validated AUC of classifiers that see only file "
                 "size, width, height, aspect and format; 0.5 = no information):")
    lines.append("")
    lines.append("| files | gradient boosting | logistic regression |")
    lines.append("|---|---|---|")
    for key, label in (("pool_as_gathered", "the whole pool as gathered (why crops are needed)"),
                       ("test_native_png", "test part as the detector sees it, PNG crops"),
                       ("test_jpeg90", "test part as JPEG q90 crops"),
                       ("test_native_png_no_size",
                        "test part, PNG crops, dimensions and format only (no file size)")):
        lines.append(f"| {label} | {fmt(s[key]['gradient_boosting'])} "
                     f"| {fmt(s[key]['logistic'])} |")
    lines.append("")
    lines.append(f"Python time: {report['seconds_per_crop']:.3f} s per 256x256 crop, decoding "
                 f"and re-encoding included "
                 f"({report['threads']} threads). Status: **{report['status']}**.")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pool", required=True)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--out", required=True, help="evaluation JSON to write")
    parser.add_argument("--card", help="model card whose table to replace")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)

    model = ReferenceNet()
    model.load_state_dict(torch.load(args.checkpoint, map_location="cpu")["state_dict"])
    model = model.eval().to(memory_format=torch.channels_last)

    with open(os.path.join(args.pool, "index.jsonl"), encoding="utf-8") as handle:
        pool = [json.loads(line) for line in handle if line.strip()]
    calibration = [e for e in pool if split_of(e) == "calibration"]
    test = [e for e in pool if split_of(e) == "test"]
    if any(e["label"] != "real" for e in calibration):
        sys.exit("evaluate: the calibration part must hold real photographs only")

    calibration_scores, _, _ = score_images(model, calibration, args.pool)
    real_calibration = np.asarray(calibration_scores["native"])
    threshold = float(np.quantile(real_calibration, 1.0 - THRESHOLD_FPR))
    band = [float(np.quantile(real_calibration, 1.0 - BAND_FPR[0])),
            float(np.quantile(real_calibration, 1.0 - BAND_FPR[1]))]
    print(f"evaluate: threshold {threshold:.4f}, band {band}", file=sys.stderr, flush=True)

    scores, files, seconds = score_images(model, test, args.pool)
    groups = collections.defaultdict(list)
    for index, entry in enumerate(test):
        groups[(entry["label"], group_of(entry))].append(index)
    real_index = [i for i, e in enumerate(test) if e["label"] == "real"]
    fake_index = [i for i, e in enumerate(test) if e["label"] == "synthetic"]

    def rates(values):
        values = np.asarray(values)
        return {"flagged": float((values >= threshold).mean()),
                "above_band": float((values >= band[1]).mean()),
                "inconclusive": float(((values >= band[0]) & (values < band[1])).mean())}

    report = {"threshold": {"value": threshold, "fpr": THRESHOLD_FPR,
                            "chosen_by": f"{THRESHOLD_FPR:.0%} false positives on "
                                         f"{len(calibration)} calibration photographs"},
              "band": {"low": band[0], "high": band[1],
                       "chosen_by": f"{BAND_FPR[0]:.0%} to {BAND_FPR[1]:.0%} false positives "
                                    "on the calibration photographs"},
              "synthetic": [], "real": [], "overall": {}, "threads": args.threads,
              "seconds_per_crop": seconds, "calibration_images": len(calibration)}
    for (label, group), members in sorted(groups.items()):
        row = {"group": group, "images": len(members), "conditions": {}}
        for condition in CONDITIONS:
            values = [scores[condition][i] for i in members]
            entry = rates(values)
            if label == "synthetic":
                reals = [scores[condition][i] for i in real_index]
                entry["auc"] = auc(reals, values)
                entry["auc_ci"] = auc_interval(reals, values, rng)
            row["conditions"][condition] = entry
        report["synthetic" if label == "synthetic" else "real"].append(row)
    for condition in CONDITIONS:
        reals = np.asarray([scores[condition][i] for i in real_index])
        fakes = np.asarray([scores[condition][i] for i in fake_index])
        fpr, tpr = float((reals >= threshold).mean()), float((fakes >= threshold).mean())
        report["overall"][condition] = {
            "auc": auc(reals, fakes), "auc_ci": auc_interval(reals, fakes, rng),
            "fpr": fpr, "tpr": tpr, "balanced_accuracy": 0.5 * (tpr + 1.0 - fpr),
            "real_images": len(reals), "synthetic_images": len(fakes)}

    labels = [1 if e["label"] == "synthetic" else 0 for e in test]
    everything = [1 if e["label"] == "synthetic" else 0 for e in pool]
    report["shortcut"] = {
        "pool_as_gathered": shortcut_auc(pool, everything, args.seed),
        "test_native_png": shortcut_auc(files["native"], labels, args.seed),
        "test_jpeg90": shortcut_auc(files["jpeg90"], labels, args.seed),
        "test_native_png_no_size": shortcut_auc(files["native"], labels, args.seed,
                                                with_bytes=False)}
    unseen = report["overall"]["native"]["auc"]
    report["status"] = "stable" if unseen >= UNSEEN_AUC_FOR_STABLE else "experimental"
    report["scores"] = [{"sha256": e["sha256"], "label": e["label"], "group": group_of(e),
                         **{c: scores[c][i] for c in CONDITIONS}} for i, e in enumerate(test)]

    with open(args.out + ".partial", "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=1)
    os.replace(args.out + ".partial", args.out)
    table = card_table(report)
    print(table)
    if args.card:
        replace_card_section(args.card, "evaluation", table)


if __name__ == "__main__":
    main()
