"""Writes a ForgeLens model bundle: one TorchScript file with the manifest inside.

The bundle contract is DESIGN.md's "Model bundle contract": the manifest is the extra file
`forgelens/manifest.json` of the TorchScript archive, and `forward(x[B,3,H,W])` returns a
Dict[str, Tensor] with at least `logits` [B, C].
"""

import hashlib
import json
import os

import torch

MANIFEST_ENTRY = "forgelens/manifest.json"

# torchvision's ImageNet statistics, the normalisation every seed system uses.
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

REQUIRED_KEYS = ("id", "name", "version", "family", "paper", "license", "source", "sha256",
                 "sources", "trained_on", "reported", "task", "classes", "fake_classes",
                 "input", "head", "threshold", "embedding", "patch_map", "converter")


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_entries(paths, root=None):
    """One entry per source file: its name (relative to root when given), SHA-256 and size,
    so an analyst can tell which official files a bundle was made from."""
    entries = []
    for path in paths:
        name = os.path.relpath(path, root) if root else os.path.basename(path)
        entries.append({"file": name, "sha256": file_sha256(path),
                        "bytes": os.path.getsize(path)})
    return entries


def check_manifest(manifest):
    missing = [key for key in REQUIRED_KEYS if key not in manifest]
    if missing:
        raise ValueError("the manifest lacks " + ", ".join(missing))
    if manifest["task"] not in ("binary", "multiclass"):
        raise ValueError("task must be binary or multiclass")
    for fake in manifest["fake_classes"]:
        if fake not in manifest["classes"]:
            raise ValueError(f"fake class {fake!r} is not in classes")
    if not 0.0 < manifest["threshold"]["value"] < 1.0:
        raise ValueError("threshold.value must lie strictly between 0 and 1")


def add_stand_in_option(parser):
    """--stand-in: every converter's flag for weights that are not the system's published
    ones (the parity cases' random weights laid out like the release)."""
    parser.add_argument("--stand-in", action="store_true",
                        help="the weights are a stand-in, not the published ones: the manifest "
                             "says so (stand_in: true) and ForgeLens marks every verdict "
                             "STAND-IN WEIGHTS")


def write_bundle(module, manifest, out_path, stand_in=False):
    """Checks the manifest and saves the bundle atomically (temp file + rename). Each converter
    runs its module against the eager reference before it calls this. `stand_in` marks a
    bundle whose weights are not the system's published ones."""
    manifest = dict(manifest, stand_in=bool(stand_in))
    check_manifest(manifest)
    if not isinstance(module, torch.jit.ScriptModule):
        raise TypeError("write_bundle takes a scripted or traced module")
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    temp_path = out_path + ".partial"
    torch.jit.save(module, temp_path,
                   _extra_files={MANIFEST_ENTRY: json.dumps(manifest, indent=1)})
    os.replace(temp_path, out_path)
    return out_path


def converter_entry(script_path):
    """Names the converter and its own SHA-256, so a bundle says which code made it."""
    return {"script": os.path.basename(script_path), "sha256": file_sha256(script_path)}
