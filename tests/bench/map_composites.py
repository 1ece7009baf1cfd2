#!/usr/bin/python3
"""How well each map of `forgelens-cli explain` finds a generated region pasted into a photograph.

Composites: a real photograph (host) with one generated image pasted into it at a random place,
hard-edged or with a feathered edge (a 16-pixel linear ramp of opacity), saved as PNG so no
compression touches the seam. Each composite goes through `forgelens-cli explain` (with a
bank for the patch-similarity map); each map's grid is drawn back onto the pixels as the window
draws it (every cell over the part of its window nearest its centre, as ImageMap::drawRect
does), and the pasted pixels are ranked by the map's value: pixel AUC (1.0: every pasted pixel
above every host pixel; 0.5: chance). Scores: tile score and patch similarity as they are (high
= synthetic); self-consistency negated (low = unlike the rest of the image).

Reported per map kind and edge: the AUC over all composites' pixels pooled, and the median,
lowest and highest AUC of single composites.

  /usr/bin/python3 tests/bench/map_composites.py --hosts HOSTS.txt --synthetic DIR \\
      --bank BANK --out /tmp/composites

HOSTS.txt lists one host photograph per line. Run it a second time with --synthetic pointing at
real photographs: that control says how much of the first figure is "a foreign region stands
out" rather than "a generated region stands out". Rules of the data: no file of
reserved-sha256.txt; hosts the detector never trained on; neither the hosts nor the pasted images
in the bank (the script refuses a host or a pasted image whose SHA-256 the bank holds).
"""

import argparse
import glob
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys

import numpy as np
from PIL import Image
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KINDS = ("tile-score", "self-consistency", "patch-similarity")


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def feather_mask(size, edge):
    """[size, size] float opacity: 1 inside, a linear ramp over `edge` pixels at the border."""
    ramp = np.minimum(np.arange(size) + 1, np.arange(size)[::-1] + 1) / float(edge)
    ramp = np.clip(ramp, 0.0, 1.0)
    return np.minimum.outer(ramp, ramp)


def make_composite(host_path, pasted_path, feathered, rng, long_side, crop):
    host = Image.open(host_path).convert("RGB")
    scale = min(1.0, long_side / max(host.size))
    if scale < 1.0:  # every host is downscaled alike, before anything is pasted
        host = host.resize((round(host.width * scale), round(host.height * scale)), Image.LANCZOS)
    pasted = Image.open(pasted_path).convert("RGB")
    side = min(crop, pasted.width, pasted.height)
    px, py = rng.randrange(pasted.width - side + 1), rng.randrange(pasted.height - side + 1)
    region = np.asarray(pasted.crop((px, py, px + side, py + side)), dtype=np.float64)
    x, y = rng.randrange(host.width - side + 1), rng.randrange(host.height - side + 1)
    out = np.asarray(host, dtype=np.float64).copy()
    alpha = feather_mask(side, 16) if feathered else np.ones((side, side))
    window = out[y:y + side, x:x + side]
    out[y:y + side, x:x + side] = alpha[..., None] * region + (1 - alpha[..., None]) * window
    mask = np.zeros((host.height, host.width), dtype=bool)
    mask[y:y + side, x:x + side] = alpha >= 0.5  # the pixels that are more pasted than host
    return Image.fromarray(np.round(out).astype(np.uint8)), mask


def centre(rect):
    x, y, w, h = rect
    return x + (w - 1) // 2, y + (h - 1) // 2


def rasterise(grid):
    """Per-pixel values (NaN where no cell is drawn) from a forgelens.image-map JSON."""
    values = np.full((grid["image_height"], grid["image_width"]), np.nan)
    rows, cols, windows = grid["rows"], grid["cols"], grid["windows"]
    for r in range(rows):
        for c in range(cols):
            x, y, w, h = windows[r][c]
            cx, cy = centre(windows[r][c])
            left, right, top, bottom = x, x + w, y, y + h
            if c > 0:
                left = max(left, (centre(windows[r][c - 1])[0] + cx + 1) // 2)
            if c + 1 < cols:
                right = min(right, (centre(windows[r][c + 1])[0] + cx + 1) // 2)
            if r > 0:
                top = max(top, (centre(windows[r - 1][c])[1] + cy + 1) // 2)
            if r + 1 < rows:
                bottom = min(bottom, (centre(windows[r + 1][c])[1] + cy + 1) // 2)
            values[top:bottom, left:right] = grid["values"][r][c]
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "forgelens-cli"))
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "reference", "reference.pt"))
    parser.add_argument("--bank", required=True)
    parser.add_argument("--hosts", required=True, help="a file listing host photographs")
    parser.add_argument("--synthetic", required=True, help="a folder of generated images")
    parser.add_argument("--out", required=True)
    parser.add_argument("--reserved", default=os.path.join(ROOT, "..", "shared", "data",
                                                           "reserved-sha256.txt"))
    parser.add_argument("--long-side", type=int, default=1600)
    parser.add_argument("--crop", type=int, default=320, help="side of the pasted square")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    with open(args.reserved, encoding="ascii") as handle:
        reserved = {line.strip() for line in handle if line.strip()}
    banked = {row[0] for row in sqlite3.connect(f"file:{args.bank}?immutable=1", uri=True)
              .execute("SELECT sha256 FROM exemplars")}
    with open(args.hosts, encoding="utf-8") as handle:
        hosts = [line.strip() for line in handle if line.strip()]
    pasted = sorted(p for p in glob.glob(os.path.join(args.synthetic, "**", "*"), recursive=True)
                    if p.lower().endswith((".png", ".jpg", ".jpeg", ".webp")))
    for path in hosts + pasted:
        digest = sha256(path)
        if digest in reserved or digest in banked:
            sys.exit(f"map_composites: {path} is reserved or in the bank; refused")
    rng = random.Random(args.seed)
    rng.shuffle(pasted)
    os.makedirs(os.path.join(args.out, "maps"), exist_ok=True)
    made = []
    for i, host in enumerate(hosts):
        for feathered in (False, True):
            source = pasted[(2 * i + feathered) % len(pasted)]
            image, mask = make_composite(host, source, feathered, rng, args.long_side, args.crop)
            name = f"composite-{i:02d}-{'feathered' if feathered else 'hard'}"
            image.save(os.path.join(args.out, name + ".png"))
            np.save(os.path.join(args.out, name + ".mask.npy"), mask)
            made.append((name, feathered, host, source))
    command = [args.cli, "explain", "--model", args.model, "--bank", args.bank, "-o",
               os.path.join(args.out, "maps")] + [os.path.join(args.out, m[0] + ".png") for m in made]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"map_composites: explain failed: {result.stderr[-2000:]}")
    seconds = [float(line.split(" batches, ")[1].split(" s;")[0]) for line in
               result.stdout.splitlines() if "tile-score:" in line]

    results = {}
    for feathered in (False, True):
        edge = "feathered" if feathered else "hard"
        for kind in KINDS:
            pooled_scores, pooled_labels, singles = [], [], []
            for name, is_feathered, _, _ in made:
                if is_feathered != feathered:
                    continue
                paths = glob.glob(os.path.join(args.out, "maps", f"{name}.*.{kind}.json"))
                if not paths:
                    continue
                with open(paths[0], encoding="utf-8") as handle:
                    values = rasterise(json.load(handle))
                mask = np.load(os.path.join(args.out, name + ".mask.npy"))
                drawn = ~np.isnan(values)
                score = values[drawn] * (-1.0 if kind == "self-consistency" else 1.0)
                label = mask[drawn]
                singles.append(roc_auc_score(label, score) if 0 < label.sum() < label.size
                               else float("nan"))
                pooled_scores.append(score)
                pooled_labels.append(label)
            if not singles:
                continue
            pooled = roc_auc_score(np.concatenate(pooled_labels), np.concatenate(pooled_scores))
            results[f"{kind}/{edge}"] = {"pooled": pooled, "median": float(np.nanmedian(singles)),
                                         "lowest": float(np.nanmin(singles)),
                                         "highest": float(np.nanmax(singles)),
                                         "composites": len(singles)}
    print(f"{len(made)} composites from {len(hosts)} hosts and {len(set(m[3] for m in made))} "
          f"pasted images; explain took {np.median(seconds):.1f} s per image (median)")
    print("| map | edge | pixel AUC, pooled | per composite: median (lowest–highest) |")
    print("|---|---|---|---|")
    for key, value in results.items():
        kind, edge = key.split("/")
        print(f"| {kind} | {edge} | {value['pooled']:.3f} | {value['median']:.3f} "
              f"({value['lowest']:.3f}–{value['highest']:.3f}) |")
    with open(os.path.join(args.out, "map-auc.json"), "w", encoding="utf-8") as handle:
        json.dump({"composites": [{"name": m[0], "host": m[2], "pasted": m[3]} for m in made],
                   "results": results}, handle, indent=1)


if __name__ == "__main__":
    main()
