#!/usr/bin/python3
"""Cuts the training patches: native-resolution crops of the pool's training part, degraded
alike in both classes (augment.py), written as one uint8 array for train.py.

Budget: --patches per class. Within the synthetic class each generator gets a share
proportional to the square root of its image count, so the few generators with hundreds of
images do not drown the rest; within a generator (and within the real class) every image gives
the same number of patches, cut from 1-2 independently degraded versions of it.

Output NPZ: patches uint8 [N, S, S, 3], labels uint8 [N] (1 = synthetic), image_index
int32 [N] (row of the pool index the patch came from).
"""

import argparse
import collections
import json
import math
import os
import random
import sys

import numpy as np

from augment import delivery_patch, load_rgb, with_history
from pool_split import split_of


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pool", required=True, help="folder written by build_pool.py")
    parser.add_argument("--out", required=True, help="NPZ file to write")
    parser.add_argument("--patches", type=int, default=60000, help="patches per class")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    with open(os.path.join(args.pool, "index.jsonl"), encoding="utf-8") as handle:
        pool = [json.loads(line) for line in handle if line.strip()]
    train = [(row, entry) for row, entry in enumerate(pool) if split_of(entry) == "train"]

    by_group = collections.defaultdict(list)
    for row, entry in train:
        key = "real" if entry["label"] == "real" else entry["generator"]
        by_group[key].append((row, entry))
    synthetic_groups = [key for key in by_group if key != "real"]
    weights = {key: math.sqrt(len(by_group[key])) for key in synthetic_groups}
    total_weight = sum(weights.values())
    budget = {"real": args.patches}
    for key in synthetic_groups:
        budget[key] = int(round(args.patches * weights[key] / total_weight))

    patches, labels, origins = [], [], []
    for key, members in sorted(by_group.items()):
        per_image = max(1, int(math.ceil(budget[key] / len(members))))
        print(f"make_training_patches: {key}: {len(members)} images, {per_image} patches each",
              file=sys.stderr, flush=True)
        for row, entry in members:
            try:
                image = load_rgb(os.path.join(args.pool, entry["file"]))
            except (OSError, ValueError) as error:
                print(f"make_training_patches: skipped {entry['file']}: {error}",
                      file=sys.stderr)
                continue
            versions = 2 if per_image >= 8 else 1
            for version in range(versions):
                degraded = with_history(image, entry["format"], rng)
                count = per_image // versions + (1 if version < per_image % versions else 0)
                for _ in range(count):
                    patch = delivery_patch(degraded, args.size, rng)
                    if patch is None:
                        continue
                    patches.append(patch)
                    labels.append(1 if entry["label"] == "synthetic" else 0)
                    origins.append(row)

    patches = np.stack(patches)
    labels = np.asarray(labels, dtype=np.uint8)
    np.savez(args.out + ".partial.npz", patches=patches, labels=labels,
             image_index=np.asarray(origins, dtype=np.int32))
    os.replace(args.out + ".partial.npz", args.out)
    print(f"make_training_patches: {len(labels)} patches ({int(labels.sum())} synthetic) "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
