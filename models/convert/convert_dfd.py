#!/usr/bin/env python3
"""Converts the DeepFakeDefenders (JTGroup, 1st place of the Inclusion 2024 Global Multimedia
Deepfake Detection challenge, image track) release into ONE ForgeLens bundle.

The release (github.com/HighwayWu/DeepFakeDefenders, weights on Baidu Pan / Google Drive) is
a folder `weights/` with two torch.save files:
  weight.pth  the state_dict of an nn.ModuleList of seven experts, keys
              "<expert index>.baseline_extractor.<timm key>"; raw (non-averaged) weights plus
              the BatchNorm running statistics.
  ema.state   {expert index: torch_ema ExponentialMovingAverage.state_dict()}, i.e.
              {"decay", "num_updates", "shadow_params": [tensor, ...], "collected_params"},
              where shadow_params is positional over that expert's model.parameters().
At inference the seed swaps every expert's parameters for its EMA shadow parameters (the
BatchNorm buffers stay those of weight.pth), takes softmax(logits)[:, 1] per expert and
averages the seven probabilities. This script bakes the EMA into the weights once and writes a
TorchScript module whose forward returns
  "logits"               [B, 2]  log([1 - p, p]) so that softmax gives back exactly [1 - p, p]
  "expert_probabilities" [B, E]  each expert's P(fake)
Preprocessing (done by ForgeLens in C++, per the manifest): RGB in [0, 1], ImageNet
normalisation, THEN an antialiased bilinear resize to 512x512 (the seed normalises first).

Needs only torch (the architecture is re-implemented in timm_convnextv2.py and
timm_efficientnet.py; no timm, no torch_ema). Runs offline on CPU.
"""

import argparse
import os
import sys
import time
from collections import OrderedDict
from typing import Dict, List

import torch
import torch.nn as nn

import bundle_writer
import safe_checkpoint
import timm_convnextv2
import timm_efficientnet

# The seed's expert list (network.py, MFF_MoE.expert_details), in index order.
OFFICIAL_EXPERTS = [
    "convnextv2_tiny", "convnextv2_tiny",
    "tf_efficientnet_b4", "tf_efficientnet_b4",
    "tf_efficientnet_b5", "tf_efficientnet_b5",
    "tf_efficientnet_b6",
]
# The timm model names the seed passes to timm.create_model(..., num_classes=2).
TIMM_NAMES = {
    "convnextv2_tiny": "convnextv2_tiny.fcmae_ft_in1k",
    "tf_efficientnet_b4": "tf_efficientnet_b4_ns",
    "tf_efficientnet_b5": "tf_efficientnet_b5_ns",
    "tf_efficientnet_b6": "tf_efficientnet_b6_ns",
}
_ALIASES = {
    "convnext": "convnextv2_tiny", "convnextv2": "convnextv2_tiny",
    "convnextv2_tiny.fcmae_ft_in1k": "convnextv2_tiny",
    "b4": "tf_efficientnet_b4", "b5": "tf_efficientnet_b5", "b6": "tf_efficientnet_b6",
    "tf_efficientnet_b4_ns": "tf_efficientnet_b4", "tf_efficientnet_b5_ns": "tf_efficientnet_b5",
    "tf_efficientnet_b6_ns": "tf_efficientnet_b6",
}
# Every expert is wrapped by an MFF_Expert_* module holding the timm model as this attribute.
WRAPPER_ATTRIBUTE = "baseline_extractor"
NUM_CLASSES = 2
INPUT_SIZE = 512
WEIGHTS_FILE = "weight.pth"
EMA_FILE = "ema.state"


class ConversionError(Exception):
    """A problem with the user's files; main() prints it and exits with status 2."""


# ----------------------------------------------------------------------------- experts

def canonical_expert(name):
    name = name.strip()
    name = _ALIASES.get(name, name)
    if name not in TIMM_NAMES:
        raise ConversionError(f"unknown expert {name!r}; known: {', '.join(sorted(TIMM_NAMES))}")
    return name


def parse_experts(text):
    experts = [canonical_expert(part) for part in text.split(",") if part.strip()]
    if not experts:
        raise ConversionError("--experts names no expert")
    return experts


def build_expert(kind):
    """A fresh, eval-mode module with the timm key layout of expert `kind`, 2 classes."""
    if kind == "convnextv2_tiny":
        module = timm_convnextv2.convnextv2_tiny(num_classes=NUM_CLASSES)
    else:
        module = timm_efficientnet.tf_efficientnet(kind, num_classes=NUM_CLASSES)
    return module.eval()


class ExpertWrapper(nn.Module):
    """The seed's MFF_Expert_* wrapper: only the `baseline_extractor.` key prefix matters."""

    def __init__(self, model):
        super().__init__()
        self.baseline_extractor = model

    def forward(self, x):
        return self.baseline_extractor(x)


# ----------------------------------------------------------------------------- loading

def torch_load(path, trust_pickle=False):
    """Loads a torch.save file onto the CPU. The release was saved from CUDA tensors, so
    map_location is required on a CPU-only machine. Unless trust_pickle, the restricted
    unpickler (safe_checkpoint.py) reads it, so a tampered download cannot run code."""
    if not os.path.isfile(path):
        raise ConversionError(f"missing file: {path}")

    def refuse(message):
        raise ConversionError(message)

    try:
        return safe_checkpoint.load_checkpoint(path, trust_pickle, refuse)
    except ConversionError:
        raise
    except Exception as error:  # pickle, zip or storage errors: name the file
        raise ConversionError(f"cannot read {path}: {error}") from error


def split_experts(state, experts):
    """weight.pth keys "<i>.baseline_extractor.<key>" -> one OrderedDict per expert, keeping
    the file's key order. Fails on keys for experts that --experts does not list."""
    if not isinstance(state, dict):
        raise ConversionError(f"{WEIGHTS_FILE} holds a {type(state).__name__}, expected the "
                              "state_dict (a dict) of the experts' nn.ModuleList")
    per_expert = [OrderedDict() for _ in experts]
    stray = []
    for key, value in state.items():
        index, _, rest = str(key).partition(".")
        prefix = WRAPPER_ATTRIBUTE + "."
        if not index.isdigit() or not rest.startswith(prefix):
            stray.append(key)
            continue
        if int(index) >= len(experts):
            stray.append(key)
            continue
        if not isinstance(value, torch.Tensor):
            raise ConversionError(f"{WEIGHTS_FILE}: {key} is not a tensor")
        per_expert[int(index)][rest[len(prefix):]] = value
    if stray:
        raise ConversionError(
            f"{WEIGHTS_FILE} has {len(stray)} keys outside the {len(experts)} experts named by "
            f"--experts (first: {stray[0]!r}); the official release has "
            f"{len(OFFICIAL_EXPERTS)} experts: {','.join(OFFICIAL_EXPERTS)}")
    for index, expert_state in enumerate(per_expert):
        if not expert_state:
            raise ConversionError(f"{WEIGHTS_FILE} has no weights for expert {index} "
                                  f"({experts[index]}); check --experts")
    return per_expert


def ema_entry(ema_state, index):
    """The torch_ema state of expert `index`: validates it and returns (shadow list, info)."""
    if not isinstance(ema_state, dict):
        raise ConversionError(f"{EMA_FILE} holds a {type(ema_state).__name__}, expected "
                              "{expert index: ExponentialMovingAverage.state_dict()}")
    entry = ema_state.get(index, ema_state.get(str(index)))
    if entry is None:
        raise ConversionError(f"{EMA_FILE} has no entry for expert {index} "
                              f"(keys: {sorted(ema_state, key=str)})")
    shadow = entry.get("shadow_params") if isinstance(entry, dict) else None
    if not isinstance(shadow, (list, tuple)) or not all(
            isinstance(t, torch.Tensor) for t in shadow):
        raise ConversionError(f"{EMA_FILE}[{index}] lacks a shadow_params list of tensors")
    info = {"decay": entry.get("decay"), "num_updates": entry.get("num_updates")}
    return list(shadow), info


def bake_ema(kind, expert_state, shadow, index):
    """Returns expert_state with every parameter replaced by its EMA shadow.

    torch_ema pairs shadow_params positionally with model.parameters(). The checkpoint's own
    key order gives that order without relying on our module: a state_dict lists, module by
    module in the same pre-order walk as parameters(), each module's parameters before its
    buffers, so dropping the buffer keys (BatchNorm running stats) leaves the keys in
    parameters() order. Our module's named_parameters() order is checked against it."""
    module = build_expert(kind)
    buffer_names = {name for name, _ in module.named_buffers()}
    param_keys = [key for key in expert_state if key not in buffer_names]
    own_order = [name for name, _ in module.named_parameters()]
    if sorted(param_keys) != sorted(own_order):
        missing = sorted(set(own_order) - set(param_keys))
        unexpected = sorted(set(param_keys) - set(own_order))
        raise ConversionError(
            f"expert {index}: its weights are not a {TIMM_NAMES[kind]} (check --experts); "
            f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, unexpected "
            f"{unexpected[:5]}{'...' if len(unexpected) > 5 else ''}")
    if param_keys != own_order:
        print(f"warning: expert {index}: the checkpoint lists parameters in another order than "
              "this converter's module; applying the EMA in the checkpoint's order",
              file=sys.stderr)
    if len(shadow) != len(param_keys):
        raise ConversionError(
            f"expert {index} ({TIMM_NAMES[kind]}): {EMA_FILE} has {len(shadow)} shadow "
            f"parameters, the model has {len(param_keys)}")
    baked = OrderedDict(expert_state)
    for position, (key, average) in enumerate(zip(param_keys, shadow)):
        if tuple(average.shape) != tuple(expert_state[key].shape):
            raise ConversionError(
                f"expert {index}: shadow parameter {position} has shape "
                f"{tuple(average.shape)}, but {key} is {tuple(expert_state[key].shape)}")
        baked[key] = average.detach().to(torch.float32).clone()
    return baked


def load_expert(kind, state, index):
    module = build_expert(kind)
    state = OrderedDict((key, value.to(torch.float32) if value.is_floating_point() else value)
                        for key, value in state.items())
    result = module.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise ConversionError(
            f"expert {index} ({TIMM_NAMES[kind]}): missing keys {result.missing_keys[:5]}, "
            f"unexpected keys {result.unexpected_keys[:5]}")
    return module.eval()


# ----------------------------------------------------------------------------- bundle

class DfdEnsemble(nn.Module):
    """Mean of the experts' P(fake), returned as two-class log-probabilities."""

    def __init__(self, experts: List[nn.Module]):
        super().__init__()
        self.experts = nn.ModuleList(experts)
        # Smallest normal float32: keeps log() finite while changing nothing a user can see.
        self.tiny = float(torch.finfo(torch.float32).tiny)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        fake = []
        for expert in self.experts:
            logits = expert(x)                                        # [B, 2]
            fake.append(torch.softmax(logits, dim=1)[:, 1])           # [B]
        per_expert = torch.stack(fake, dim=1)                         # [B, E]
        p_fake = torch.mean(per_expert, dim=1)                        # [B]
        probabilities = torch.stack([1.0 - p_fake, p_fake], dim=1)    # [B, 2]
        return {"logits": torch.log(probabilities.clamp_min(self.tiny)),
                "expert_probabilities": per_expert}


def convert(weights_path, ema_path, experts, trust_pickle=False):
    """Reads the release and returns (eval-mode DfdEnsemble, per-expert EMA info)."""
    state = torch_load(weights_path, trust_pickle)
    ema_state = torch_load(ema_path, trust_pickle)
    per_expert = split_experts(state, experts)
    modules, ema_info = [], []
    for index, (kind, expert_state) in enumerate(zip(experts, per_expert)):
        shadow, info = ema_entry(ema_state, index)
        baked = bake_ema(kind, expert_state, shadow, index)
        modules.append(load_expert(kind, baked, index))
        ema_info.append(info)
    return DfdEnsemble(modules).eval(), ema_info


def build_manifest(experts, weights_path, ema_path, ema_info, root):
    official = list(experts) == OFFICIAL_EXPERTS
    expert_text = ", ".join(TIMM_NAMES[kind] for kind in experts)
    return {
        "id": "dfd-ensemble" if official else "dfd-ensemble-custom",
        "name": "DeepFakeDefenders (JTGroup) MFF-MoE, 7-expert ensemble" if official else
                f"DeepFakeDefenders (JTGroup) MFF-MoE, {len(experts)} experts (non-standard)",
        "version": "1.0",
        "family": "dfd",
        "paper": "JTGroup (Haiwei Wu et al.), 1st place, Inclusion 2024 Global Multimedia "
                 "Deepfake Detection, image track (code: github.com/HighwayWu/DeepFakeDefenders;"
                 " challenge report: Zhang et al., arXiv:2412.20833)",
        "license": "CC BY-NC 4.0 (DeepFakeDefenders repository); the ConvNeXt-V2 ImageNet "
                   "weights two experts start from are CC BY-NC 4.0 as well",
        "source": "github.com/HighwayWu/DeepFakeDefenders release weights, linked from its "
                  "README (Google Drive folder 1OQkkBn-Wv9PTHaxhXs_JF1IdkIES64pm or Baidu Pan "
                  "https://pan.baidu.com/s/1hh6Rub60T7UXok5rqACffQ): weights/weight.pth + "
                  "weights/ema.state",
        "sha256": bundle_writer.file_sha256(weights_path),
        "sources": bundle_writer.source_entries([weights_path, ema_path], root=root),
        "trained_on": "Face forgeries: the MultiFFDI image set of the Inclusion 2024 Global "
                      "Multimedia Deepfake Detection challenge (face swap, reenactment, attribute "
                      "editing, full-face synthesis, AIGC faces vs real faces), augmented by the "
                      "team with image editing and Stable Diffusion images. Face crops/portraits,"
                      " not general scenes.",
        "reported": [{
            "dataset": "Inclusion 2024 Global Multimedia Deepfake Detection, image track, "
                       "final-phase hidden test set (MultiFFDI)",
            "metric": "challenge score",
            "value": 0.97038,
            "note": "winning score announced by the organisers (PR Newswire, 2024-09-06), who "
                    "call it an 'accuracy rate of 97.038%'; the challenge ranked by AUC "
                    "(arXiv:2412.20833), so this is most likely the AUC. The README itself "
                    "reports no figure.",
        }],
        "task": "binary",
        "classes": ["real", "fake"],
        "fake_classes": ["fake"],
        "input": {
            "value_range": [0, 1],
            "channel_order": "rgb",
            # The seed decodes with cv2.imread, which applies the EXIF orientation.
            "exif_orientation": "apply",
            "mean": bundle_writer.IMAGENET_MEAN,
            "std": bundle_writer.IMAGENET_STD,
            # No reduced JPEG decode (README, "Reduced JPEG decode"): on the stand-in it moved
            # P by up to 1.3e-3 on real photographs, over the 1e-3 allowed (model card).
            "resize": {"policy": "exact", "size": [INPUT_SIZE, INPUT_SIZE],
                       "interpolation": "bilinear", "antialias": True,
                       "reduced_jpeg_decode": False},
            "crop": {"policy": "none"},
            "order": ["normalize", "resize", "crop"],
        },
        "head": {"type": "none",
                 "ensemble": "mean over experts of softmax(expert logits)[:, 1]; the bundle "
                             "returns log([1 - mean, mean]) as logits",
                 "outputs": {"expert_probabilities": "[B, E] each expert's P(fake), order: "
                                                     + expert_text}},
        "threshold": {"value": 0.5,
                      "chosen_by": "the seed's own decision rule: infer.py prints P(fake) with no"
                                   " threshold (the challenge scored AUC); 0.5 is the argmax of "
                                   "the averaged two-class probabilities"},
        "calibration": {"method": "none"},
        "embedding": False,
        "patch_map": False,
        "architecture": {
            "name": f"MFF_MoE: mean of {len(experts)} two-class experts ({expert_text})",
            "mirrors": "timm 1.0.8 convnextv2_tiny and tf_efficientnet_b4/b5/b6 (the _ns "
                       "weights' architecture, TensorFlow 'SAME' padding, BN eps 1e-3), "
                       "wrapped as in DeepFakeDefenders network.py",
            "state_dict_keys": "strict",
            "experts": [TIMM_NAMES[kind] for kind in experts],
            "ema": {"baked": True,
                    "order": "checkpoint key order without BatchNorm buffers "
                             "(= model.parameters() order)",
                    "per_expert": ema_info},
        },
        "preprocessing_note": "The seed reads images with cv2.imread (EXIF orientation applied, "
                              "OpenCV's JPEG decoder), converts BGR to RGB, then ToTensor, "
                              "Normalize and Resize((512, 512), antialias=True) on the "
                              "normalised tensor. ForgeLens decodes with its own decoder, so JPEG"
                              " pixels can differ by a level or so; the seed also ran on a GPU "
                              "(TF32 convolutions on Ampere), which moves its outputs by ~1e-4.",
        "converter": bundle_writer.converter_entry(__file__),
    }


def script_module(model):
    """torch.jit.script keeps the batch size and input size free."""
    with torch.no_grad():
        return torch.jit.script(model)


def build_parser():
    parser = argparse.ArgumentParser(
        description="Convert the DeepFakeDefenders (JTGroup) release into one ForgeLens bundle.",
        epilog="Needs only torch (no timm, no torch_ema, no GPU): pip install torch. Download "
               "the release folder 'weights/' (weight.pth and ema.state) from the Google Drive "
               "or Baidu Pan link in github.com/HighwayWu/DeepFakeDefenders, then run e.g.\n"
               "  python convert_dfd.py --release weights/ --out dfd-ensemble.pt",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", metavar="DIR",
                        help="the release folder holding weight.pth and ema.state "
                             "(infer.py's --local_weight)")
    parser.add_argument("--weights", metavar="FILE", help="weight.pth (overrides --release)")
    parser.add_argument("--ema", metavar="FILE", help="ema.state (overrides --release)")
    parser.add_argument("--experts", default=",".join(OFFICIAL_EXPERTS),
                        help="comma-separated expert architectures in index order "
                             "(default: the official seven: %(default)s)")
    parser.add_argument("--out", default="dfd-ensemble.pt", help="bundle to write")
    bundle_writer.add_stand_in_option(parser)
    parser.add_argument("--trust-pickle", action="store_true",
                        help="skip the check that the files' pickles import only containers "
                             "and tensors (trusted files only)")
    return parser


def resolve_paths(args):
    """(weight.pth, ema.state, root for the manifest's file names)."""
    if args.release:
        weights = args.weights or os.path.join(args.release, WEIGHTS_FILE)
        ema = args.ema or os.path.join(args.release, EMA_FILE)
        root = os.path.dirname(os.path.abspath(args.release.rstrip("/\\")))
    elif args.weights and args.ema:
        weights, ema, root = args.weights, args.ema, None
    else:
        raise ConversionError("give --release DIR, or both --weights and --ema")
    for path in (weights, ema):
        if not os.path.isfile(path):
            raise ConversionError(f"missing file: {path} (the release folder must hold "
                                  f"{WEIGHTS_FILE} and {EMA_FILE})")
    return weights, ema, root


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        experts = parse_experts(args.experts)
        weights_path, ema_path, root = resolve_paths(args)
        started = time.time()
        model, ema_info = convert(weights_path, ema_path, experts, args.trust_pickle)
        scripted = script_module(model)
        manifest = build_manifest(experts, weights_path, ema_path, ema_info, root)
        bundle_writer.write_bundle(scripted, manifest, args.out, stand_in=args.stand_in)
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = os.path.getsize(args.out)
    print(f"wrote {args.out} ({size / 2**20:.1f} MiB, {len(experts)} experts, "
          f"{time.time() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
