#!/usr/bin/env python3
"""Converts a DeepFeatureX Net (Pontorno, Guarnera, Battiato, arXiv:2404.15697; code
github.com/opontorno/block-based_deepfake-detection) into a ForgeLens model bundle.

The authors publish no weights: train them with the seed's scripts, then convert the file its
scripts/training/training-complete-model.py writes,
  <models_dir>/grid_complete_models/<stem>-b<batch>-lr<lr>-wd<wd>-step<s>-gamma<g>.pt
(e.g. res50-b32-lr0.0001-wd0.001-step10-gamma0.1.pt), which its testing script reads back
(as <models_dir>/complete/<stem>.pt or --model_path). That file is torch.save(model.state_dict())
of the whole complete model, the three base models included; it is all this converter needs.
The base-model files (bm-dm/, bm-gan/, bm-real/<stem>.pt) are NOT needed: their weights are in
the complete model, whose copy is the one the seed tests with (complete-model training runs
the frozen backbones in training mode, so their BatchNorm statistics move on from the
base-model files).

If you saved a whole pickled module instead (torch.save(model)), reading it needs the seed's
`dfx` package; export its state dict first, in the seed's environment:
  python -c "import torch; m = torch.load('complete.pt'); torch.save(m.state_dict(), 'sd.pt')"

Needs only torch and torchvision (pip install torch torchvision); no network, no seed code.

Example:
  python3 convert_dfx.py --backbone resnet50 \\
      --weights models/unbalancing-approach/grid_complete_models/res50-b32-lr0.0001-wd0.001-step10-gamma0.1.pt \\
      --out dfx-resnet50.pt
"""

import argparse
import os
import sys

import torch

import bundle_writer
import safe_checkpoint
import dfx_net

PAPER = ("Pontorno, Guarnera, Battiato: DeepFeatureX Net: Deep Features eXtractors based "
         "Network for discriminating synthetic from real images, arXiv:2404.15697 (Springer "
         "chapter doi:10.1007/978-3-031-78305-0_12)")

LICENSE = ("Code: MIT (opontorno/block-based_deepfake-detection LICENSE, Copyright (c) 2024 "
           "Orazio Pontorno). No weights are published: these are the user's own, trained with "
           "the seed's scripts; ImageNet-pretrained starting points come from torchvision "
           "(BSD-3-Clause code; see torchvision's notes on its pretrained weights).")

SIZE = 256  # T.Resize((256, 256)) in the seed's get_trans
VIT_CROP = 224  # T.CenterCrop((224, 224)) for ViT backbones


def fail(message):
    print("convert_dfx: error: " + message, file=sys.stderr)
    sys.exit(2)


HINT = (" A whole module saved with torch.save(model) needs the seed's dfx package in any "
        "case: export its state dict instead (see --help).")


def read_state_dict(path, trust_pickle=False):
    """torch.load the seed's file and return its state dict: a bare state dict (what the seed
    saves), a {'state_dict'|'model': ...} wrapper, or a whole pickled nn.Module."""
    try:
        loaded = safe_checkpoint.load_checkpoint(path, trust_pickle, fail, HINT)
    except ModuleNotFoundError as error:
        fail("%s is a pickled whole module that needs the seed's package to read (%s). In the "
             "seed's environment run:\n  python -c \"import torch; m = torch.load('%s'); "
             "torch.save(m.state_dict(), 'complete_state_dict.pt')\"\nand convert "
             "complete_state_dict.pt" % (path, error, path))
    except Exception as error:
        fail("cannot read %s as a torch checkpoint: %s" % (path, error))
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    if not isinstance(loaded, dict):
        fail("%s holds a %s, not a state dict" % (path, type(loaded).__name__))
    for container in ("state_dict", "model"):
        if isinstance(loaded.get(container), dict):
            loaded = loaded[container]
            break
    if loaded and all(key.startswith("module.") for key in loaded):
        loaded = {key[len("module."):]: value for key, value in loaded.items()}
    return dict(loaded)


def load_network(backbone, path, trust_pickle=False):
    """Strict load into DfxNet, with messages that name what does not fit."""
    state = read_state_dict(path, trust_pickle)
    if not any(key.startswith("model1.") for key in state):
        fail("%s has no model1.* keys, so it is not a saved complete model (a single base "
             "model from bm-dm/, bm-gan/ or bm-real/?); convert the file "
             "training-complete-model.py saved" % path)
    net = dfx_net.DfxNet(backbone)
    expected = net.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        fail("%s does not fit DeepFeatureX Net with backbone %s (is --backbone the one it was "
             "trained with?)\n  missing keys (%d): %s\n  unexpected keys (%d): %s"
             % (path, backbone, len(missing), ", ".join(missing[:10]), len(unexpected),
                ", ".join(unexpected[:10])))
    wrong = ["%s %s (expected %s)" % (key, tuple(state[key].shape), tuple(expected[key].shape))
             for key in expected if tuple(state[key].shape) != tuple(expected[key].shape)]
    if wrong:
        fail("tensor shapes differ from DeepFeatureX Net with backbone %s: %s"
             % (backbone, "; ".join(wrong[:8])))
    state = {key: value.float() if value.is_floating_point() else value
             for key, value in state.items()}
    net.load_state_dict(state, strict=True)
    return net.eval()


def build_module(net, backbone):
    """Scripts the bundle wrapper and checks it against eager mode on the model's input size."""
    bundle = dfx_net.DfxBundle(net).eval()
    scripted = torch.jit.script(bundle)
    side = VIT_CROP if dfx_net.is_vit(backbone) else SIZE
    probe = torch.randn(2, 3, side, side, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        eager, script = bundle(probe), scripted(probe)
    for key in ("logits", "embedding"):
        if not torch.allclose(eager[key], script[key], rtol=1e-4, atol=1e-5):
            fail("the scripted module disagrees with eager mode on " + key)
    return scripted


def build_manifest(args, backbone):
    vit = dfx_net.is_vit(backbone)
    constructor = dfx_net.BACKBONES[backbone][0]
    crop = {"policy": "center", "size": [VIT_CROP, VIT_CROP]} if vit else {"policy": "none"}
    note = (
        "The seed resizes the PIL image with torchvision T.Resize((256, 256)) (both sides to "
        "256, aspect ratio not kept; PIL bilinear, which widens its filter when shrinking and "
        "rounds the result to 8-bit)%s, then ToTensor and ImageNet Normalize. ForgeLens "
        "resizes the float tensor with antialiased bilinear interpolation (torchvision's "
        "tensor Resize, antialias=True): the same filter, without PIL's rounding to 8 bits, "
        "so pixels differ from the seed's by up to about 1/255 (more near hard edges when "
        "shrinking a lot), and the probabilities by a correspondingly small amount. Images "
        "already 256x256 are not resampled and match exactly." % (
            ", then T.CenterCrop((224, 224))" if vit else ""))
    return {
        "id": args.id or "dfx-" + backbone.replace("_", ""),
        "name": args.name or "DeepFeatureX Net (%s backbones)" % backbone,
        "version": "1.0",
        "family": "dfx",
        "paper": PAPER,
        "license": LICENSE,
        "source": ("user-trained with opontorno/block-based_deepfake-detection "
                   "scripts/training/training-base_model.py (x3) and "
                   "training-complete-model.py; file " + os.path.basename(args.weights)),
        "sha256": bundle_writer.file_sha256(args.weights),
        "sources": bundle_writer.source_entries([args.weights]),
        "trained_on": args.trained_on or (
            "not stated by the user; the seed's recipe: its own 72,334-image dataset (real: "
            "CelebA, FFHQ, others; GAN: AttGAN, BigGAN, CycleGAN, GauGAN, GDWCT, ProGAN, "
            "StarGAN, StyleGAN 1-3; DM: DALL-E 2, DALL-E Mini, Glide, Latent Diffusion, "
            "Stable Diffusion), base models on deliberately unbalanced subsets"),
        # The paper's figures are for the authors' own (unpublished) weights; none are copied
        # onto a user-trained model.
        "reported": [],
        "task": "multiclass",
        "classes": list(dfx_net.CLASSES),
        "fake_classes": list(dfx_net.FAKE_CLASSES),
        "input": {
            "value_range": [0, 1],
            "channel_order": "rgb",
            "exif_orientation": "ignore",
            "mean": bundle_writer.IMAGENET_MEAN,
            "std": bundle_writer.IMAGENET_STD,
            # No reduced JPEG decode (README, "Reduced JPEG decode"): on the stand-in it moved
            # P by up to 8e-3 on real photographs, over the 1e-3 allowed (model card).
            "resize": {"policy": "exact", "size": [SIZE, SIZE], "interpolation": "bilinear",
                       "antialias": True, "reduced_jpeg_decode": False},
            "crop": crop,
            "order": ["resize", "crop", "normalize"],
        },
        "head": {"type": "none"},
        "threshold": {
            "value": 0.5,
            "chosen_by": (
                "the seed decides by argmax over (dm_generated, gan_generated, real) and counts "
                "dm_generated and gan_generated as fake (training_procedure.testing, "
                "convert_to_binary). P(dm_generated) + P(gan_generated) >= 0.5 gives the same "
                "verdict except when real is the top class with a probability between 1/3 and "
                "1/2, where this rule says fake and the seed's argmax says real; the top class "
                "is reported too"),
        },
        "calibration": {"method": "none"},
        "embedding": True,
        "patch_map": False,
        "architecture": {
            "name": "DeepFeatureX Net: 3 x torchvision %s (heads removed: dm, gan, real "
                    "specialists) -> stack [B, 3, D=%d] -> Conv1d/ReLU/BatchNorm1d stack -> "
                    "AdaptiveAvgPool1d -> Linear(1024, 3)"
                    % (constructor, dfx_net.BACKBONES[backbone][2]),
            "mirrors": "opontorno/block-based_deepfake-detection src/dfx/architecture.py "
                       "completenn + get_complete_model, with torchvision 0.14 %s (same keys "
                       "as the torch.hub pytorch/vision:v0.10.0 / torchvision 0.18 models the "
                       "seed uses)" % constructor,
            "state_dict_keys": "strict",
        },
        "preprocessing_note": note,
        "converter": bundle_writer.converter_entry(__file__),
    }


def parse_args(argv=None):
    names = ", ".join(sorted(dfx_net.BACKBONES))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Supported backbones: %s. Not supported: %s. Python packages needed: torch, "
               "torchvision." % (names, ", ".join(sorted(dfx_net.UNSUPPORTED))))
    parser.add_argument("--backbone", required=True,
                        help="the seed's --backbone name the model was trained with")
    parser.add_argument("--weights", required=True,
                        help="the complete model's state dict (training-complete-model.py's "
                             ".pt file)")
    parser.add_argument("--id", help="bundle id (default dfx-<backbone>)")
    parser.add_argument("--name", help="display name")
    parser.add_argument("--trained-on", dest="trained_on",
                        help="what the model was trained on (recorded in the manifest)")
    parser.add_argument("--trust-pickle", dest="trust_pickle", action="store_true",
                        help="allow full unpickling when the safe loader (weights_only) "
                             "cannot read the file; only for files from a trusted source")
    parser.add_argument("--out", required=True, help="bundle file to write (.pt)")
    bundle_writer.add_stand_in_option(parser)
    return parser.parse_args(argv)


def main(argv=None):
    torch.set_grad_enabled(False)
    args = parse_args(argv)
    if args.backbone in dfx_net.UNSUPPORTED:
        fail("backbone %s is not supported: %s" % (args.backbone,
                                                   dfx_net.UNSUPPORTED[args.backbone]))
    if args.backbone not in dfx_net.BACKBONES:
        fail("unknown backbone %r; supported: %s"
             % (args.backbone, ", ".join(sorted(dfx_net.BACKBONES))))
    if not os.path.isfile(args.weights):
        fail("weights file %s does not exist" % args.weights)
    net = load_network(args.backbone, args.weights, args.trust_pickle)
    module = build_module(net, args.backbone)
    manifest = build_manifest(args, args.backbone)
    bundle_writer.write_bundle(module, manifest, args.out, stand_in=args.stand_in)
    print("wrote %s (%.1f MB): %s, classes %s, input %dx%d%s" % (
        args.out, os.path.getsize(args.out) / 1e6, manifest["id"],
        "/".join(manifest["classes"]), SIZE, SIZE,
        " -> center %d" % VIT_CROP if dfx_net.is_vit(args.backbone) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
