#!/usr/bin/python3
"""Writes a parity case for the shipped reference bundle: fixture images and what the bundle
says about them when the engine's tiling is reproduced in Python. tests/models/
tst_seed_parity.cpp (ctest tst_reference_parity) then runs the C++ engine on the same files and
must agree within 1e-4: decoding, tiling, the module and the averaging of the tiles together.

usage: /usr/bin/python3 parity_case.py BUNDLE WORKDIR
"""

import argparse
import importlib.util
import json
import math
import os

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PARITY_RUNNER = os.path.join(HERE, "..", "..", "convert", "parity", "run_parity_case.py")

# One tile exactly; one smaller than a tile (fed whole); one of 2x2 tiles that overlap; one
# whose 4x3 grid is thinned to the manifest's maximum (odd origins included).
IMAGE_SIZES = [(256, 256), (180, 201), (300, 400), (1030, 700)]


def load_runner():
    spec = importlib.util.spec_from_file_location("run_parity_case", PARITY_RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tile_origins(length, tile, count):
    """The engine's tileOrigins: one centred tile, or `count` spread evenly end to end."""
    if count <= 1:
        return [(length - tile) // 2]
    return [(i * (length - tile)) // (count - 1) for i in range(count)]


def tile_boxes(height, width, size, max_tiles):
    """The engine's unpadded tiles: (top, left, tile height, tile width) for each tile."""
    tile_h, tile_w = min(size[0], height), min(size[1], width)
    rows, cols = math.ceil(height / tile_h), math.ceil(width / tile_w)
    if rows * cols > max_tiles:
        fit = math.floor(math.sqrt(max_tiles * height / width))
        rows = max(1, min(rows, fit))
        cols = max(1, min(cols, max_tiles // rows))
    return [(top, left, tile_h, tile_w) for top in tile_origins(height, tile_h, rows)
            for left in tile_origins(width, tile_w, cols)]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle")
    parser.add_argument("workdir")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)

    extra = {"forgelens/manifest.json": ""}
    module = torch.jit.load(args.bundle, map_location="cpu", _extra_files=extra).eval()
    manifest = json.loads(extra["forgelens/manifest.json"])
    crop = manifest["input"]["crop"]
    assert crop["policy"] == "tiles" and crop["pad"] is False
    assert manifest["input"]["resize"]["policy"] == "none"

    images = load_runner().write_images(os.path.join(workdir, "images"), IMAGE_SIZES, seed=11)
    results = []
    with torch.no_grad():
        for path in images:
            pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)
            x = torch.from_numpy(pixels.copy()).permute(2, 0, 1).float().div(255.0)
            tiles = [x[:, t:t + h, l:l + w] for t, l, h, w in
                     tile_boxes(x.shape[1], x.shape[2], crop["size"], crop["max_tiles"])]
            output = module(torch.stack(tiles))
            fake = torch.sigmoid(output["logits"][:, 0]).mean().item()
            results.append({"path": path, "probabilities": [1.0 - fake, fake],
                            "embedding": output["embedding"].mean(0).tolist(),
                            "tiles": len(tiles)})
    expected = {"system": "reference", "tolerance": 1e-4,
                "cases": [{"bundle": os.path.abspath(args.bundle), "head": None,
                           "images": results}]}
    with open(os.path.join(workdir, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(expected, handle, indent=1)
    print("reference parity case: " + ", ".join(
        f"{os.path.basename(r['path'])} P {r['probabilities'][1]:.4f} ({r['tiles']} tiles)"
        for r in results))


if __name__ == "__main__":
    main()
