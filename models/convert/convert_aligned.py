#!/usr/bin/env python3
"""Converts a Dataset Alignment detector (Rajan et al., ICLR 2025, arXiv:2410.11835; code
github.com/AniSundar18/AlignedForensics) into a ForgeLens model bundle.

The official checkpoints (Google Drive links in the repository's README: "Ours", "Ours-Sync"
and their "shaders" versions) are torch.save() files of a ResNet-50 "res50nodown". The seed's
evaluation code pairs each with a config.yaml (arch, norm_type, patch_size, weights_file);
pass it with --config to have it checked too.

Needs only torch and torchvision (written against torch 1.13 / torchvision 0.14). No network
access, no seed code. The file is read with torch's safe loader (weights_only); torch 1.13's
cannot read the float hyper-parameters of the optimizer state saved beside the weights, so
with that torch add --trust-pickle (full unpickling: only for a file from a trusted source).

Example:
  python3 convert_aligned.py --checkpoint weights/ours-sync/weights.pth \\
      --config weights/ours-sync/config.yaml --variant ours-sync --out aligned-ours-sync.pt
"""

import argparse
import os
import sys

import torch

import bundle_writer
import safe_checkpoint
import res50nodown

PAPER = ("Rajan, Ojha, Schloesser, Lee: Aligned Datasets Improve Detection of Latent "
         "Diffusion-Generated Images (On the Effectiveness of Dataset Alignment for Fake Image "
         "Detection), ICLR 2025, arXiv:2410.11835")

LICENSE = ("Code: Apache-2.0 (AlignedForensics test_code/LICENSE.md and training_code/LICENSE.md,"
           " Copyright 2024 GRIP-UNINA, inherited from grip-unina/DMimageDetection). The weights"
           " are shared through Google Drive links in the README with no licence of their own;"
           " check with the authors before redistributing them.")

# Real training images of every variant: the MS-COCO + LSUN training split of
# grip-unina/DMimageDetection; fakes: the same images passed through an LDM autoencoder only
# (training_code/recon/run.sh uses the VQ-VAE of CompVis/ldm-text2im-large-256), named like
# their real twin so that pairs can be formed. Training crops are 96 x 96 (--cropSize 96).
_NATURAL = ("MS-COCO + LSUN real images (grip-unina/DMimageDetection train split) vs. their "
            "reconstructions by the latent-diffusion autoencoder, no denoising "
            "(training_code/recon: CompVis/ldm-text2im-large-256 autoencoder); 96x96 random "
            "crops with blur/JPEG/resize/jitter augmentation")
_SHADERS = ("procedurally generated shader images (counted as real) vs. their reconstructions "
            "by the latent-diffusion autoencoder; 96x96 random crops")

VARIANTS = {
    "ours": ("Aligned ResNet-50 (Ours)", _NATURAL + "; batches not synchronised"),
    "ours-sync": ("Aligned ResNet-50 (Ours-Sync)", _NATURAL
                  + "; --batched_syncing: every batch holds real images and their "
                    "reconstructions augmented identically"),
    "ours-shaders": ("Aligned ResNet-50 (Ours, shaders)", _SHADERS),
    "ours-sync-shaders": ("Aligned ResNet-50 (Ours-Sync, shaders)", _SHADERS
                          + "; synchronised batches"),
    "custom": ("Aligned ResNet-50 (user-trained)", None),
}

TILE = 512


def fail(message):
    print("convert_aligned: error: " + message, file=sys.stderr)
    sys.exit(2)


def read_simple_yaml(path):
    """The seed's config.yaml is flat `key: value` lines; read it without PyYAML."""
    values = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if not line or ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            values[key] = None if value in ("null", "~", "") else value.strip("'\"")
    return values


def check_config(config):
    """The bundle reproduces only the configuration the published weights use."""
    if config.get("arch") != "res50nodown":
        fail("config.yaml says arch %r; this converter handles res50nodown only"
             % config.get("arch"))
    if config.get("norm_type") != "resnet":
        fail("config.yaml says norm_type %r; only 'resnet' (ImageNet mean/std) is supported"
             % config.get("norm_type"))
    if config.get("patch_size") is not None:
        fail("config.yaml says patch_size %r; the published models use null (whole image)"
             % config.get("patch_size"))


def load_network(checkpoint_path, trust_pickle=False):
    """Reads the checkpoint as the seed's load_weights does and loads it strictly into the
    torchvision mirror; exits with the offending keys when it does not fit."""
    try:
        checkpoint = safe_checkpoint.load_checkpoint(checkpoint_path, trust_pickle, fail)
    except Exception as error:  # a truncated download, an HTML page saved as .pth, ...
        fail("cannot read %s as a torch checkpoint: %s" % (checkpoint_path, error))
    try:
        state = res50nodown.extract_state_dict(checkpoint)
    except ValueError as error:
        fail("%s: %s" % (checkpoint_path, error))
    if any(key.startswith("proj.") for key in state):
        fail("the checkpoint has a projection layer (proj.*, trained with --use_proj); "
             "the published detectors have none and this converter does not handle it")
    net = res50nodown.build_res50nodown()
    expected = net.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        fail("the checkpoint does not fit res50nodown.\n  missing keys (%d): %s\n"
             "  unexpected keys (%d): %s" % (len(missing), ", ".join(missing[:12]),
                                              len(unexpected), ", ".join(unexpected[:12])))
    wrong = ["%s %s (expected %s)" % (key, tuple(state[key].shape), tuple(expected[key].shape))
             for key in expected if tuple(state[key].shape) != tuple(expected[key].shape)]
    if wrong:
        fail("tensor shapes differ from res50nodown: " + "; ".join(wrong[:8]))
    state = {key: value.float() if value.is_floating_point() else value
             for key, value in state.items()}
    net.load_state_dict(state, strict=True)
    return net.eval()


def build_module(net):
    """Scripts the wrapper (shape-generic: any H, W) and checks it against eager mode."""
    detector = res50nodown.AlignedDetector(net).eval()
    scripted = torch.jit.script(detector)
    with torch.no_grad():
        for shape in ((1, 3, 40, 56), (2, 3, 33, 47)):
            probe = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
            eager, script = detector(probe), scripted(probe)
            for key in ("logits", "embedding"):
                if not torch.allclose(eager[key], script[key], rtol=1e-4, atol=1e-5):
                    fail("the scripted module disagrees with eager mode on " + key)
    return scripted


def build_manifest(args, checkpoint_path, config_path):
    name, trained_on = VARIANTS[args.variant]
    if args.trained_on:
        trained_on = args.trained_on
    if trained_on is None:
        trained_on = "not stated: a res50nodown trained by the user with the seed's train.py"
    threshold_value = args.threshold
    if args.threshold_chosen_by:
        chosen_by = args.threshold_chosen_by
    else:
        chosen_by = ("the seed's own decision rule: sigmoid(logit) >= 0.5, i.e. logit >= 0 "
                     "(test_code/eval.py sets every model's threshold to 0.50)")
        if args.variant.endswith("shaders"):
            chosen_by += ("; the README says the shaders experiments used a threshold fitted "
                          "on 5000 validation images, which is not published: 0.5 is a "
                          "stand-in")
    sources = [checkpoint_path] + ([config_path] if config_path else [])
    manifest = {
        "id": args.id or "aligned-res50nodown-" + args.variant,
        "name": args.name or name,
        "version": "1.0",
        "family": "aligned",
        "paper": PAPER,
        "license": LICENSE,
        "source": ("AniSundar18/AlignedForensics README.md, 'Pretrained Models' Google Drive "
                   "link (%s)" % args.variant if args.variant != "custom"
                   else "a checkpoint trained with AlignedForensics training_code/train.py"),
        "sha256": bundle_writer.file_sha256(checkpoint_path),
        "sources": bundle_writer.source_entries(sources),
        "trained_on": trained_on,
        # The seed's paper reports its figures in tables this converter could not read; none
        # are copied here rather than guessed (see the converter's research notes).
        "reported": [],
        "task": "binary",
        "classes": ["real", "fake"],
        "fake_classes": ["fake"],
        "input": {
            "value_range": [0, 1],
            "channel_order": "rgb",
            "exif_orientation": "ignore",
            "mean": bundle_writer.IMAGENET_MEAN,
            "std": bundle_writer.IMAGENET_STD,
            "resize": {"policy": "none"},
            "crop": {"policy": "tiles", "size": [TILE, TILE], "max_tiles": args.max_tiles,
                     "pad": False},
            "order": ["resize", "crop", "normalize"],
        },
        "head": {"type": "none"},
        "threshold": {"value": threshold_value, "chosen_by": chosen_by},
        "calibration": {"method": "none"},
        "embedding": True,
        "patch_map": False,
        "architecture": {
            "name": "res50nodown: ResNet-50 with stride-1 stem (7x7 conv and 3x3 max-pool both "
                    "stride 1), global average pool, Linear(2048, 1)",
            "mirrors": "AlignedForensics test_code/networks/resnet_mod.py resnet50(stride0=1, "
                       "dropout=0.5) as torchvision 0.14 resnet50(num_classes=1) with "
                       "conv1.stride = maxpool.stride = 1",
            "state_dict_keys": "strict",
        },
        "preprocessing_note": (
            "The seed feeds the whole image at its own size (config.yaml patch_size: null; "
            "PIL -> ToTensor -> ImageNet Normalize, no resize, no crop), batch size 1. The "
            "network is fully convolutional with global average pooling, so any size works, "
            "but its stem does not downsample: compute and memory grow with the pixel count "
            "(about 16x a standard ResNet-50 at the same size). ForgeLens therefore bounds the "
            "work with tiles: an image no larger than 512x512 is fed whole, exactly as the "
            "seed does, and its score matches the seed's. A larger image is cut into 512x512 "
            "tiles without padding (a side shorter than 512 keeps its own length), at most "
            f"{args.max_tiles} tiles spread evenly over the image (overlapping where needed, "
            "thinned when more would be needed), and the tiles' probabilities sigmoid(logit) are averaged. For "
            "such images the score is NOT the seed's whole-image logit: the average of "
            "per-tile probabilities differs from the sigmoid of one global average pool over "
            f"the full feature map, and with more than {args.max_tiles} tiles' worth of pixels "
            "part of the image is not seen. (The model was trained on 96x96 crops; the paper tests it on "
            "whole images.) No resampling "
            "happens anywhere, so the C++ pipeline matches the seed's pixels exactly."),
        "converter": bundle_writer.converter_entry(__file__),
    }
    return manifest


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Python packages needed: torch, torchvision (pip install torch torchvision).")
    parser.add_argument("--checkpoint", required=True,
                        help="the official .pth file (torch.save of {'model': state_dict, ...}"
                             " or a bare state dict)")
    parser.add_argument("--config", help="the seed's config.yaml for this checkpoint "
                                         "(optional; checked: arch res50nodown, norm_type "
                                         "resnet, patch_size null)")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=None,
                        help="which published detector this is (sets name and trained_on); "
                             "default: config.yaml's model_name when it names one, else custom")
    parser.add_argument("--id", help="bundle id (default aligned-res50nodown-VARIANT)")
    parser.add_argument("--name", help="display name (default from --variant)")
    parser.add_argument("--trained-on", dest="trained_on",
                        help="training data description (recommended with --variant custom)")
    parser.add_argument("--threshold", type=float, default=0.5,
                        help="decision threshold on P(fake) (default 0.5, the seed's)")
    parser.add_argument("--threshold-chosen-by", dest="threshold_chosen_by",
                        help="how a non-default --threshold was chosen")
    parser.add_argument("--trust-pickle", dest="trust_pickle", action="store_true",
                        help="allow full unpickling when the safe loader (weights_only) "
                             "cannot read the file; only for files from a trusted source")
    parser.add_argument("--max-tiles", dest="max_tiles", type=int, default=4,
                        help="tiles of 512x512 a large image is sampled with (default 4: one tile "
                             "costs about 16 ResNet-50 passes at 512x512, seconds on a CPU)")
    parser.add_argument("--out", required=True, help="bundle file to write (.pt)")
    bundle_writer.add_stand_in_option(parser)
    return parser.parse_args(argv)


def main(argv=None):
    torch.set_grad_enabled(False)
    args = parse_args(argv)
    if not os.path.isfile(args.checkpoint):
        fail("checkpoint %s does not exist (download it from the README's Google Drive link)"
             % args.checkpoint)
    config = None
    if args.config:
        if not os.path.isfile(args.config):
            fail("config %s does not exist" % args.config)
        config = read_simple_yaml(args.config)
        check_config(config)
    if args.variant is None:
        model_name = (config or {}).get("model_name")
        args.variant = model_name if model_name in VARIANTS else "custom"
    if not 0.0 < args.threshold < 1.0:
        fail("--threshold must lie strictly between 0 and 1")
    if args.threshold != 0.5 and not args.threshold_chosen_by:
        fail("--threshold differs from the seed's 0.5: say how it was chosen with "
             "--threshold-chosen-by")

    net = load_network(args.checkpoint, args.trust_pickle)
    module = build_module(net)
    manifest = build_manifest(args, args.checkpoint, args.config)
    bundle_writer.write_bundle(module, manifest, args.out, stand_in=args.stand_in)
    print("wrote %s (%.1f MB): %s, %s, threshold %.3f on P(fake), input whole image / %dx%d "
          "tiles" % (args.out, os.path.getsize(args.out) / 1e6, manifest["id"],
                     manifest["name"], args.threshold, TILE, TILE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
