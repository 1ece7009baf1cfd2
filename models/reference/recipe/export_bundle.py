#!/usr/bin/python3
"""Writes the reference detector's bundle (DESIGN.md's bundle contract) from the trained
checkpoint and the evaluation: the threshold and inconclusive band evaluate.py chose on the
calibration photographs, the held-out figures it measured, and "experimental" when the AUC
on unseen generators is under 0.85.

The scripted module is checked against the eager network on inputs of several sizes before it
is written.
"""

import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "convert"))

import bundle_writer  # noqa: E402
from reference_net import EMBEDDING_DIM, ReferenceNet  # noqa: E402

TILE = 256
MAX_TILES = 9


def reported_figures(evaluation):
    figures = []
    for condition, label in (("native", "as generated"), ("jpeg90", "after JPEG q90"),
                             ("jpeg75", "after JPEG q75")):
        o = evaluation["overall"][condition]
        dataset = (f"ForgeLens held-out pool, {label}: {o['synthetic_images']} images of "
                   f"generators never seen in training vs {o['real_images']} held-out "
                   "photographs, central 256x256 crop")
        figures.append({"dataset": dataset, "metric": "AUC", "value": round(o["auc"], 4)})
        figures.append({"dataset": dataset, "metric": "false-positive rate at the threshold",
                        "value": round(o["fpr"], 4)})
        figures.append({"dataset": dataset, "metric": "true-positive rate at the threshold",
                        "value": round(o["tpr"], 4)})
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--evaluation", required=True, help="JSON written by evaluate.py")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "reference.pt"))
    parser.add_argument("--pool-manifest", default=os.path.join(HERE, "..",
                                                                "pool-manifest.jsonl"))
    args = parser.parse_args()

    with open(args.evaluation, encoding="utf-8") as handle:
        evaluation = json.load(handle)
    checkpoint = torch.load(args.checkpoint, map_location="cpu")
    model = ReferenceNet()
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    scripted = torch.jit.script(model)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for height, width in ((256, 256), (200, 256), (97, 131)):
            x = torch.rand(2, 3, height, width, generator=generator)
            eager, traced = model(x), scripted(x)
            for key in ("logits", "embedding", "patch_embeddings"):
                error = float((eager[key] - traced[key]).abs().max())
                if error > 1e-5:
                    sys.exit(f"export_bundle: scripted {key} differs from eager by {error}")

    experimental = evaluation["status"] == "experimental"
    meta = checkpoint["meta"]
    unseen = evaluation["overall"]["native"]
    manifest = {
        "id": "forgelens-reference",
        "name": "ForgeLens reference detector (residual CNN)"
                + (" [EXPERIMENTAL]" if experimental else ""),
        "version": "1",
        "family": "reference",
        "experimental": experimental,
        "paper": "none: the ForgeLens project's own detector (models/reference/README.md); its "
                 "residual front follows NPR (Tan et al., CVPR 2024) and its training the "
                 "augmentation of CNNDetection (Wang et al., CVPR 2020)",
        "license": "ForgeLens project weights, distributed with ForgeLens under its terms; the "
                   "training images keep their own licences (models/reference/"
                   "pool-manifest.jsonl), some of them non-commercial",
        "source": "trained by the ForgeLens project with models/reference/recipe (no download)",
        "sha256": bundle_writer.file_sha256(args.checkpoint),
        "sources": bundle_writer.source_entries([args.pool_manifest, args.checkpoint,
                                                 args.evaluation]),
        "trained_on": (
            "ForgeLens training pool (models/reference/pool-manifest.jsonl): real photographs "
            "(ImageNet samples of 600 classes, BSD100, Urban100) against latent diffusion, "
            "GLID-3, Disco and Majesty Diffusion, Stable Diffusion 1.x and StyleGAN2 (FFHQ) "
            f"outputs; {meta['steps']} steps of {meta['batch']} native-resolution 64x64 "
            "patches, JPEG/blur/resize applied alike to both classes. Held-out AUC on "
            f"generators it never saw: {unseen['auc']:.3f} as generated, "
            f"{evaluation['overall']['jpeg90']['auc']:.3f} after JPEG q90 (model card)."),
        "reported": reported_figures(evaluation),
        "task": "binary",
        "classes": ["real", "synthetic"],
        "fake_classes": ["synthetic"],
        "input": {
            "value_range": [0, 1],
            "channel_order": "rgb",
            "mean": [0.0, 0.0, 0.0],
            "std": [1.0, 1.0, 1.0],
            "resize": {"policy": "none"},
            "crop": {"policy": "tiles", "size": [TILE, TILE], "max_tiles": MAX_TILES,
                     "pad": False},
            "order": ["resize", "crop", "normalize"],
        },
        "head": {"type": "none"},
        "threshold": {
            "value": evaluation["threshold"]["value"],
            "chosen_by": evaluation["threshold"]["chosen_by"],
            "inconclusive": {"low": evaluation["band"]["low"],
                             "high": evaluation["band"]["high"],
                             "chosen_by": evaluation["band"]["chosen_by"]},
        },
        "calibration": {"method": "none"},
        "embedding": True,
        "patch_map": True,
        "outputs": {"logits": "[B,1] log-odds of synthetic",
                    "embedding": f"[B,{EMBEDDING_DIM}] mean of the last feature map",
                    "patch_embeddings": f"[B,h,w,{EMBEDDING_DIM}] last feature map, one cell "
                                        "per 8x8 pixels"},
        "architecture": {
            "name": "ReferenceNet: NPR and Laplacian residual front, 8 3x3 conv layers "
                    "(2 at full resolution, 3 stride-2), global average pool, Linear(128, 1)",
            "parameters": sum(p.numel() for p in model.parameters()),
            "mirrors": "models/reference/recipe/reference_net.py",
        },
        "preprocessing_note": (
            "No resize anywhere: the network reads pixels at the image's own resolution. An "
            f"image is cut into {TILE}x{TILE} tiles without padding (a smaller image is fed "
            f"whole), at most {MAX_TILES} spread evenly over it; the tiles' probabilities are "
            "averaged."),
        "converter": bundle_writer.converter_entry(__file__),
    }
    bundle_writer.write_bundle(scripted, manifest, args.out)
    print(f"export_bundle: {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB), "
          f"{'EXPERIMENTAL' if experimental else 'stable'}, threshold "
          f"{manifest['threshold']['value']:.4f}")


if __name__ == "__main__":
    main()
