"""Proves a converter on stand-in weights, end to end.

For one seed system it writes random weights laid out exactly like the official release
(parity/<system>.py: make_standin), runs the converter on them as a user would (a separate
process), and runs the seed's own inference path in eager PyTorch on fixture images
(parity/<system>.py: reference_forward). It writes WORKDIR/expected.json, which
tests/models/tst_seed_parity.cpp compares with what the C++ engine makes of the same images
through the converted bundle.

usage: /usr/bin/python3 run_parity_case.py SYSTEM WORKDIR     (SYSTEM: code, dfd, aligned, dfx)
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
CONVERT_DIR = os.path.dirname(HERE)
sys.path.insert(0, CONVERT_DIR)

# Per system: the converter, how it is told where to write, and the bundles it writes (with
# the keyword arguments reference_forward needs for each).
SYSTEMS = {
    "code": {
        "converter": "convert_code.py",
        "out": ("--out-dir", None),
        # The stand-in heads are scikit-learn pickles this harness wrote itself a moment ago.
        "trust": ["--trust-pickle"],
        "bundles": [("code-vit-tiny-linear.pt", {"head": "linear"}),
                    ("code-vit-tiny-knn.pt", {"head": "knn"}),
                    ("code-vit-tiny-ocsvm.pt", {"head": "ocsvm"})],
    },
    "dfd": {
        "converter": "convert_dfd.py",
        "out": ("--out", "dfd-ensemble.pt"),
        "bundles": [("dfd-ensemble.pt", {})],
        # The release holds seven experts, 188 M parameters (1.5 GB of stand-in files). By
        # default one expert of each architecture (ConvNeXt-V2-T, EfficientNet-B4, -B5, -B6)
        # keeps every key layout at a third of the cost; --full writes all seven.
        "standin": {"reduced": "families"},
        "full_standin": {"reduced": False},
    },
    "aligned": {
        "converter": "convert_aligned.py",
        "out": ("--out", "aligned-res50nodown.pt"),
        # Its stem does not downsample: a 256-pixel image costs ~20 s per forward on this
        # machine's two cores, so its fixtures are the size of its training crops (96).
        "images": [(96, 96), (120, 88)],
        "bundles": [("aligned-res50nodown.pt", {})],
    },
    "dfx": {
        "converter": "convert_dfx.py",
        "out": ("--out", "dfx.pt"),
        "bundles": [("dfx.pt", {})],
    },
}

# Fixture images (width, height): one wider than tall and larger than a 224 crop in width
# only, one smaller than 224 both ways (CoDE's CenterCrop pads it with zeros), one square.
IMAGE_SIZES = [(256, 200), (180, 201), (232, 232)]


def parity_module(system):
    """parity/<system>.py, loaded by path: `code` would otherwise be Python's own module."""
    spec = importlib.util.spec_from_file_location(f"parity_{system}",
                                                  os.path.join(HERE, system + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_images(folder, sizes, seed=7):
    """Smooth colour fields with edges and sensor-like noise, saved as 8-bit RGB PNG, which PIL
    and OpenCV decode to the same pixels."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index, (width, height) in enumerate(sizes):
        y, x = np.mgrid[0:height, 0:width].astype(np.float64)
        image = np.empty((height, width, 3))
        for channel in range(3):
            fx, fy, phase = rng.uniform(0.01, 0.08), rng.uniform(0.01, 0.08), rng.uniform(0, 6)
            image[..., channel] = 128 + 80 * np.sin(fx * x + phase) * np.cos(fy * y)
        image[(x - width / 2) ** 2 + (y - height / 2) ** 2 < (min(width, height) / 4) ** 2] *= 0.5
        image += rng.normal(0, 6, size=image.shape)
        pixels = np.clip(np.rint(image), 0, 255).astype(np.uint8)
        path = os.path.join(folder, f"parity_{index}_{width}x{height}.png")
        Image.fromarray(pixels, "RGB").save(path)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("system", choices=sorted(SYSTEMS))
    parser.add_argument("workdir")
    parser.add_argument("--full", action="store_true",
                        help="the whole official release where the default is reduced (dfd)")
    args = parser.parse_args()
    system = SYSTEMS[args.system]
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    module = parity_module(args.system)
    timings = {}

    started = time.monotonic()
    images = write_images(os.path.join(workdir, "images"), system.get("images", IMAGE_SIZES))
    standin = system.get("full_standin" if args.full else "standin", {})
    official_args = module.make_standin(os.path.join(workdir, "official"), seed=0, **standin)
    timings["stand-in"] = time.monotonic() - started

    started = time.monotonic()
    bundle_dir = os.path.join(workdir, "bundles")
    flag, name = system["out"]
    destination = bundle_dir if name is None else os.path.join(bundle_dir, name)
    command = [sys.executable, os.path.join(CONVERT_DIR, system["converter"]), *official_args,
               flag, destination, "--stand-in", *system.get("trust", [])]
    print("running", " ".join(command), flush=True)
    subprocess.run(command, check=True)
    timings["converter"] = time.monotonic() - started

    started = time.monotonic()
    cases = []
    for bundle, keywords in system["bundles"]:
        outputs = module.reference_forward(official_args, images, **keywords)
        cases.append({
            "bundle": os.path.join(bundle_dir, bundle),
            "head": keywords.get("head"),
            "images": [dict(output, path=path) for path, output in zip(images, outputs)],
        })
    timings["reference"] = time.monotonic() - started

    expected = {"system": args.system, "tolerance": 1e-4, "cases": cases,
                "seconds": {key: round(value, 2) for key, value in timings.items()}}
    with open(os.path.join(workdir, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(expected, handle, indent=1)
    print(f"{args.system}: " + ", ".join(f"{key} {value:.1f} s" for key, value in timings.items()))


if __name__ == "__main__":
    main()
