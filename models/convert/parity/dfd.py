"""Parity helpers for DeepFakeDefenders (JTGroup MFF-MoE).

make_standin(out_dir, seed, reduced)  writes random weights laid out like the release:
    <out_dir>/weights/weight.pth   state_dict of nn.ModuleList of the experts, keys
                                   "<i>.baseline_extractor.<timm key>", float32 parameters,
                                   BatchNorm running stats and int64 num_batches_tracked
    <out_dir>/weights/ema.state    {i: {"decay", "num_updates", "shadow_params",
                                        "collected_params"}}  (torch_ema state per expert)
  Storages are tagged "cuda:0" like the release (saved from GPU training), so a loader that
  forgets map_location fails here as it would on the real files with a CPU-only torch.
reference_forward(args, images)  what the seed's infer.py does, without timm or a GPU.
"""

import contextlib
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageOps
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

_CONVERT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _CONVERT_DIR not in sys.path:
    sys.path.insert(0, _CONVERT_DIR)

import convert_dfd  # noqa: E402
import timm_convnextv2  # noqa: E402
import timm_efficientnet  # noqa: E402

# One expert of each architecture family: same per-expert key layout as the release, 4 of 7
# experts. "minimal" keeps one ConvNeXt and one EfficientNet (B5/B6 share B4's code).
REDUCED_EXPERTS = {
    "families": ["convnextv2_tiny", "tf_efficientnet_b4", "tf_efficientnet_b5",
                 "tf_efficientnet_b6"],
    "minimal": ["convnextv2_tiny", "tf_efficientnet_b4"],
}
EMA_DECAY = 0.995            # network.py: ExponentialMovingAverage(..., decay=0.995)
_CALIBRATION_SIZE = 128      # stand-in calibration resolution (96 proved unstable)
_CALIBRATION_BATCH = 4
_RAW_VS_EMA_NOISE = 0.1      # relative gap between raw weights and their EMA
_HEAD_GAIN = 0.5             # logit spread over the calibration images
_VAR_FLOOR = 0.5             # BatchNorm running_var floor, relative to the layer median


# ----------------------------------------------------------------------------- stand-in

@contextlib.contextmanager
def _at_least_two_threads():
    """Debian's torch runs 1x1 convolutions through oneDNN only with 2+ intra-op threads; with
    one (this machine's default) they fall back to a reference BLAS and the seven experts take
    ~45 s per image instead of ~5. Float results differ only in summation order. The previous
    setting is restored on exit."""
    previous = torch.get_num_threads()
    wanted = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                 else os.cpu_count() or 1)
    torch.set_num_threads(max(previous, wanted))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _expert_list(reduced):
    if not reduced:
        return list(convert_dfd.OFFICIAL_EXPERTS)
    key = "families" if reduced is True else reduced
    if key not in REDUCED_EXPERTS:
        raise ValueError(f"reduced must be False, True, or one of {sorted(REDUCED_EXPERTS)}")
    return list(REDUCED_EXPERTS[key])


def _calibration_images(generator):
    """Normalised image-like inputs [N, 3, S, S]: smooth colour fields, a gradient with
    noise and pure noise, so the head is scaled for flat and busy images alike."""
    size = _CALIBRATION_SIZE
    coarse = torch.rand(_CALIBRATION_BATCH, 3, 8, 8, generator=generator)
    images = F.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    ramp = torch.linspace(0, 1, size)
    images[-2] = torch.stack([ramp.view(1, -1).expand(size, size),
                              ramp.view(-1, 1).expand(size, size),
                              1 - ramp.view(1, -1).expand(size, size)])
    images[:-1] += 0.05 * torch.randn(images[:-1].shape, generator=generator)
    images[-1] = torch.rand(3, size, size, generator=generator)
    images = images.clamp(0, 1)
    mean = torch.tensor(convert_dfd.bundle_writer.IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(convert_dfd.bundle_writer.IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


def _randomise(module, generator):
    """Random weights at a sensible scale, with every affine norm, GRN and bias non-trivial
    so that each tensor influences the output. Convolutions use N(0, 1/fan_in); the last
    BatchNorm of each residual block gets a small scale, as in trained EfficientNets, so the
    residual stream does not grow geometrically with depth. BatchNorm running statistics are
    set afterwards from data (_calibrate_batchnorm)."""
    def normal(shape, std):
        return torch.randn(shape, generator=generator) * std

    def uniform(shape, low, high):
        return low + (high - low) * torch.rand(shape, generator=generator)

    residual_bns = set()
    for sub in module.modules():
        if isinstance(sub, (timm_efficientnet.InvertedResidual,
                            timm_efficientnet.DepthwiseSeparableConv)) and sub.has_skip:
            residual_bns.add(sub.bn3 if hasattr(sub, "bn3") else sub.bn2)
    for sub in module.modules():
        if isinstance(sub, nn.Conv2d):
            if isinstance(module, timm_efficientnet.EfficientNet):
                fan_in = sub.in_channels // sub.groups * sub.kernel_size[0] * sub.kernel_size[1]
                sub.weight.data = normal(sub.weight.shape, fan_in ** -0.5)
            else:  # ConvNeXt's own init: truncated N(0, 0.02)
                sub.weight.data = normal(sub.weight.shape, 0.02).clamp(-0.04, 0.04)
            if sub.bias is not None:
                sub.bias.data = normal(sub.bias.shape, 0.02)
        elif isinstance(sub, nn.Linear):
            sub.weight.data = normal(sub.weight.shape, 0.02).clamp(-0.04, 0.04)
            sub.bias.data = normal(sub.bias.shape, 0.02)
        elif isinstance(sub, nn.BatchNorm2d):
            low, high = (0.1, 0.3) if sub in residual_bns else (0.8, 1.2)
            sub.weight.data = uniform(sub.weight.shape, low, high)
            sub.bias.data = normal(sub.bias.shape, 0.1)
        elif isinstance(sub, nn.LayerNorm):
            sub.weight.data = 1.0 + normal(sub.weight.shape, 0.1)
            sub.bias.data = normal(sub.bias.shape, 0.05)
        elif isinstance(sub, timm_convnextv2.GlobalResponseNorm):
            sub.weight.data = normal(sub.weight.shape, 0.1)
            sub.bias.data = normal(sub.bias.shape, 0.05)


@torch.no_grad()
def _calibrate_batchnorm(module, images, generator):
    """Running stats = statistics of `images` (one train-mode pass with momentum 1), as a
    trained network's would be for its data, so every BatchNorm re-centres and re-scales its
    input and the image signal survives the depth of the network. A floor at half the
    layer's median variance keeps channels that were nearly constant on the calibration
    images from exploding on other inputs."""
    batch_norms = [m for m in module.modules() if isinstance(m, nn.BatchNorm2d)]
    if not batch_norms:
        return
    module.train()
    for bn in batch_norms:
        bn.momentum = 1.0
    module(images)
    for bn in batch_norms:
        bn.momentum = 0.01  # timm's TF default (1 - 0.99); only matters for training
        bn.running_var.clamp_(min=_VAR_FLOOR * float(bn.running_var.median()))
        bn.num_batches_tracked.fill_(int(torch.randint(1000, 100000, (1,),
                                                        generator=generator)))
    module.eval()


@torch.no_grad()
def _calibrate_head(module, images, generator):
    """Scales the classifier so that the stand-in's probabilities stay away from 0 and 1."""
    module.eval()
    if isinstance(module, timm_convnextv2.ConvNeXtV2):
        head = module.head.fc
        features = module.head.pre_logits(module.forward_features(images))    # [N, 768]
    else:
        head = module.classifier
        features = module.pooled(images)                                    # [N, F]
    # Pooled features of a random network are dominated by a common offset; what carries the
    # image is their deviation from the calibration mean. Scale that deviation to O(1) logits
    # and centre the calibration images near p = 0.5.
    mean = features.mean(dim=0, keepdim=True)                               # [1, F]
    direction = torch.randn(head.weight.shape, generator=generator)        # [2, F]
    spread = ((features - mean) @ direction.t()).std().clamp_min(1e-12)
    head.weight.data = direction * (_HEAD_GAIN / spread)
    head.bias.data = -(mean[0] @ head.weight.data.t()) + torch.randn(2, generator=generator) * 0.3


def _make_expert(kind, generator, images):
    """(raw state_dict, EMA shadow list) of one expert. The shadow parameters are the
    calibrated weights the seed would use at inference; the raw weights differ by ~10 %."""
    module = convert_dfd.build_expert(kind)
    _randomise(module, generator)
    _calibrate_batchnorm(module, images, generator)
    _calibrate_head(module, images, generator)
    shadow = [p.detach().clone() for p in module.parameters()]
    for param in module.parameters():
        scale = param.detach().abs().mean().clamp_min(1e-3)
        param.data += _RAW_VS_EMA_NOISE * scale * torch.randn(param.shape, generator=generator)
    return module.state_dict(), shadow


_TAG_AS_CUDA = [False]


def _cuda_tagger(storage):
    if _TAG_AS_CUDA[0] and storage.device.type == "cpu":
        return "cuda:0"
    return None


def _pass_through(storage, location):
    return None  # let torch's own cpu/cuda deserialisers handle the storage


torch.serialization.register_package(1, _cuda_tagger, _pass_through)


def _save_as_cuda(obj, path):
    """torch.save with every storage recorded as living on "cuda:0", like the release."""
    _TAG_AS_CUDA[0] = True
    try:
        torch.save(obj, path)
    finally:
        _TAG_AS_CUDA[0] = False


def make_standin(out_dir, seed=0, reduced=False):
    """Writes <out_dir>/weights/{weight.pth, ema.state}; returns the converter's arguments.

    reduced=False: all seven experts (~188 M parameters, ~1.5 GB on disk).
    reduced=True or "families": one expert per architecture (convnextv2_tiny, b4, b5, b6).
    reduced="minimal": convnextv2_tiny and b4 only."""
    experts = _expert_list(reduced)
    generator = torch.Generator().manual_seed(seed)
    images = _calibration_images(generator)
    weights = OrderedDict()
    ema_state = {}
    for index, kind in enumerate(experts):
        with _at_least_two_threads():   # the calibration forwards are 1x1-conv heavy
            raw, shadow = _make_expert(kind, generator, images)
        for key, value in raw.items():
            weights[f"{index}.{convert_dfd.WRAPPER_ATTRIBUTE}.{key}"] = value
        ema_state[index] = {"decay": EMA_DECAY, "num_updates": 20000 + index,
                            "shadow_params": shadow, "collected_params": None}
    release = os.path.join(out_dir, "weights")
    os.makedirs(release, exist_ok=True)
    _save_as_cuda(weights, os.path.join(release, convert_dfd.WEIGHTS_FILE))
    _save_as_cuda(ema_state, os.path.join(release, convert_dfd.EMA_FILE))
    args = ["--release", release]
    if experts != convert_dfd.OFFICIAL_EXPERTS:
        args += ["--experts", ",".join(experts)]
    return args


# ----------------------------------------------------------------------------- reference

def _seed_transform(path):
    """infer.py: cv2.imread (EXIF orientation applied) -> BGR->RGB -> PIL -> ToTensor ->
    Normalize(ImageNet) -> Resize((512, 512), antialias=True) on the normalised TENSOR.
    PIL + exif_transpose stands in for cv2.imread (same pixels for PNG; JPEG decoders may
    differ slightly)."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    x = TF.to_tensor(image)                                            # [3, H, W] in [0, 1]
    x = TF.normalize(x, convert_dfd.bundle_writer.IMAGENET_MEAN,
                     convert_dfd.bundle_writer.IMAGENET_STD)
    x = TF.resize(x, [convert_dfd.INPUT_SIZE, convert_dfd.INPUT_SIZE],
                  interpolation=InterpolationMode.BILINEAR, antialias=True)
    return x.unsqueeze(0)                                               # [1, 3, 512, 512]


def _seed_model(official_args):
    """MFF_MoE.load as the seed does it: ModuleList.load_state_dict(strict) of weight.pth, then
    each expert's EMA copied over model.parameters() positionally (torch_ema's copy_to)."""
    args = convert_dfd.build_parser().parse_args(list(official_args))
    experts = convert_dfd.parse_experts(args.experts)
    weights_path, ema_path, _ = convert_dfd.resolve_paths(args)
    model = nn.ModuleList([convert_dfd.ExpertWrapper(convert_dfd.build_expert(kind))
                           for kind in experts])
    model.load_state_dict(torch.load(weights_path, map_location="cpu"), strict=True)
    ema_state = torch.load(ema_path, map_location="cpu")
    with torch.no_grad():
        for index, expert in enumerate(model):
            params = list(expert.parameters())
            shadow = ema_state[index]["shadow_params"]
            if len(shadow) != len(params):
                raise ValueError(f"expert {index}: {len(shadow)} shadow params for "
                                 f"{len(params)} parameters")
            for average, param in zip(shadow, params):
                param.data.copy_(average.to(dtype=param.dtype))
    return model.eval()


@torch.no_grad()
def reference_forward(official_args, image_paths):
    """Per image: {"probabilities": [1 - p, p], "embedding": None,
    "expert_probabilities": [p_0, ..., p_E-1]} with p the mean of the experts' P(fake)."""
    model = _seed_model(official_args)
    results = []
    with _at_least_two_threads():
        for path in image_paths:
            x = _seed_transform(path)
            per_expert = torch.stack(
                [F.softmax(expert(x), dim=1)[:, 1] for expert in model], dim=1)   # [1, E]
            p_fake = torch.mean(per_expert, dim=1)                              # [1]
            results.append({
                "probabilities": [float(1.0 - p_fake[0]), float(p_fake[0])],
                "embedding": None,
                "expert_probabilities": per_expert[0].tolist(),
            })
    return results
