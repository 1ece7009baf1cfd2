"""Plain-torch EfficientNet-B4/B5/B6, TensorFlow-compatible variant (`tf_efficientnet_bN`).

Mirrors timm 1.0.8's `tf_efficientnet_b4`, `tf_efficientnet_b5` and `tf_efficientnet_b6` (the
`_ns` / `.ns_jft_in1k` Noisy-Student weights use the same architecture) so that:
  * state_dict keys and shapes are identical (conv_stem, bn1, blocks.S.B.*, conv_head, bn2,
    classifier), hence `load_state_dict(timm_state_dict, strict=True)` works;
  * modules are registered in timm's order, so `model.parameters()` yields the parameters in
    the same order as timm's model. That matters for torch_ema checkpoints, whose
    `shadow_params` list is positional over `model.parameters()`.
  * the numerics are the same at eval: TensorFlow 'SAME' padding (dynamic, asymmetric for
    strided convs), BatchNorm eps 1e-3, SiLU, squeeze-excite with a sigmoid gate.

Only inference matters here: dropout and drop-path are no-ops at eval and are left out. The
BatchNorm layers still support training mode so a stand-in can calibrate its running stats.
"""

import math
from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

# name -> (channel multiplier, depth multiplier); the EfficientNet compound-scaling table.
VARIANTS = {
    "tf_efficientnet_b4": (1.4, 1.8),
    "tf_efficientnet_b5": (1.6, 2.2),
    "tf_efficientnet_b6": (1.8, 2.6),
}

# EfficientNet-B0 stage definitions that every Bn scales:
# (block type, repeats, kernel, stride, expansion ratio, output channels); all use SE ratio 0.25.
_B0_STAGES = [
    ("ds", 1, 3, 1, 1, 16),
    ("ir", 2, 3, 2, 6, 24),
    ("ir", 2, 5, 2, 6, 40),
    ("ir", 3, 3, 2, 6, 80),
    ("ir", 3, 5, 1, 6, 112),
    ("ir", 4, 5, 2, 6, 192),
    ("ir", 1, 3, 1, 6, 320),
]
_SE_RATIO = 0.25
_BN_EPS_TF = 1e-3       # TensorFlow's BatchNorm epsilon, used by timm's tf_ variants
_BN_MOMENTUM_TF = 0.01  # 1 - TF decay 0.99; only matters when calibrating a stand-in


def make_divisible(value, divisor=8, min_value=None, round_limit=0.9):
    """Rounds a channel count to a multiple of `divisor`, never more than 10 % below the
    requested value (timm / TF EfficientNet channel rounding)."""
    min_value = min_value or divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < round_limit * value:
        rounded += divisor
    return rounded


def round_channels(channels, multiplier):
    return make_divisible(channels * multiplier, 8)


def canonical_variant(name):
    """'tf_efficientnet_b4_ns' and 'tf_efficientnet_b4.ns_jft_in1k' name the B4 architecture."""
    base = name.split(".")[0]
    if base.endswith("_ns"):
        base = base[: -len("_ns")]
    if base not in VARIANTS:
        raise ValueError(f"unknown EfficientNet variant {name!r}; known: {sorted(VARIANTS)}")
    return base


def _same_pad_amount(size: int, kernel: int, stride: int, dilation: int) -> int:
    """Total padding TensorFlow 'SAME' adds along one axis: the output has ceil(size/stride)
    positions and the extra pixel of an odd total goes to the bottom/right."""
    out = (size + stride - 1) // stride
    return max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)


class Conv2dSame(nn.Conv2d):
    """Conv2d with TensorFlow 'SAME' padding computed from the input size at run time
    (timm's Conv2dSame: used where stride > 1, since then the padding is asymmetric)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2], x.shape[-1]
        pad_h = _same_pad_amount(height, self.kernel_size[0], self.stride[0], self.dilation[0])
        pad_w = _same_pad_amount(width, self.kernel_size[1], self.stride[1], self.dilation[1])
        x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, [0, 0], self.dilation,
                        self.groups)


def create_conv2d_same(in_chs, out_chs, kernel_size, stride=1, groups=1, bias=False):
    """timm's create_conv2d(padding='same'): a plain symmetric-padded Conv2d where 'SAME'
    padding is static (stride 1, odd kernel), the dynamic Conv2dSame otherwise."""
    if stride == 1 and (kernel_size - 1) % 2 == 0:
        return nn.Conv2d(in_chs, out_chs, kernel_size, stride=1, padding=(kernel_size - 1) // 2,
                         groups=groups, bias=bias)
    return Conv2dSame(in_chs, out_chs, kernel_size, stride=stride, padding=0, groups=groups,
                      bias=bias)


class BatchNormAct2d(nn.BatchNorm2d):
    """BatchNorm followed by an optional SiLU (timm's BatchNormAct2d: it inherits from
    BatchNorm2d so the keys stay weight/bias/running_mean/running_var/num_batches_tracked)."""

    def __init__(self, num_features, apply_act=True):
        super().__init__(num_features, eps=_BN_EPS_TF, momentum=_BN_MOMENTUM_TF)
        self.act = nn.SiLU(inplace=True) if apply_act else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        factor = 0.0
        if self.training:
            self.num_batches_tracked.add_(1)
            factor = self.momentum if self.momentum is not None else 0.0
        x = F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                         self.training, factor, self.eps)
        return self.act(x)


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation: global mean -> 1x1 reduce -> SiLU -> 1x1 expand -> sigmoid
    gate. `reduced` is computed by the builder from the block's input channels."""

    def __init__(self, channels, reduced):
        super().__init__()
        self.conv_reduce = nn.Conv2d(channels, reduced, 1, bias=True)
        self.act1 = nn.SiLU(inplace=True)
        self.conv_expand = nn.Conv2d(reduced, channels, 1, bias=True)
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = x.mean((2, 3), keepdim=True)      # [B, C, 1, 1]
        scale = self.act1(self.conv_reduce(scale))
        scale = self.conv_expand(scale)
        return x * self.gate(scale)


class DepthwiseSeparableConv(nn.Module):
    """Stage-0 block: depthwise conv -> BN+SiLU -> SE -> pointwise conv -> BN (no act)."""

    def __init__(self, in_chs, out_chs, kernel_size, stride):
        super().__init__()
        self.has_skip = stride == 1 and in_chs == out_chs
        self.conv_dw = create_conv2d_same(in_chs, in_chs, kernel_size, stride, groups=in_chs)
        self.bn1 = BatchNormAct2d(in_chs)
        self.aa = nn.Identity()
        # No expansion here, so the SE ratio applies to the block's input channels directly.
        self.se = SqueezeExcite(in_chs, round(in_chs * _SE_RATIO))
        self.conv_pw = create_conv2d_same(in_chs, out_chs, 1)
        self.bn2 = BatchNormAct2d(out_chs, apply_act=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.bn1(self.conv_dw(x))
        x = self.aa(x)
        x = self.se(x)
        x = self.bn2(self.conv_pw(x))
        if self.has_skip:
            x = x + shortcut
        return x


class InvertedResidual(nn.Module):
    """MBConv: 1x1 expand -> BN+SiLU -> depthwise -> BN+SiLU -> SE -> 1x1 project -> BN."""

    def __init__(self, in_chs, out_chs, kernel_size, stride, exp_ratio):
        super().__init__()
        self.has_skip = stride == 1 and in_chs == out_chs
        mid_chs = make_divisible(in_chs * exp_ratio)
        self.conv_pw = create_conv2d_same(in_chs, mid_chs, 1)
        self.bn1 = BatchNormAct2d(mid_chs)
        self.conv_dw = create_conv2d_same(mid_chs, mid_chs, kernel_size, stride, groups=mid_chs)
        self.bn2 = BatchNormAct2d(mid_chs)
        self.aa = nn.Identity()
        # The SE width follows the block INPUT: timm divides the ratio by the expansion ratio
        # and applies it to the expanded channels, rounding with Python's round().
        self.se = SqueezeExcite(mid_chs, round(mid_chs * (_SE_RATIO / exp_ratio)))
        self.conv_pwl = create_conv2d_same(mid_chs, out_chs, 1)
        self.bn3 = BatchNormAct2d(out_chs, apply_act=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.bn1(self.conv_pw(x))
        x = self.bn2(self.conv_dw(x))
        x = self.aa(x)
        x = self.se(x)
        x = self.bn3(self.conv_pwl(x))
        if self.has_skip:
            x = x + shortcut
        return x


def stage_layout(variant) -> List[List[Tuple[str, int, int, int, int, int]]]:
    """Per stage, per block: (type, in_chs, out_chs, kernel, stride, exp_ratio) after
    compound scaling. Depth uses ceil(repeats * depth multiplier); only a stage's first
    block strides."""
    channel_mult, depth_mult = VARIANTS[canonical_variant(variant)]
    in_chs = round_channels(32, channel_mult)
    stages = []
    for block_type, repeats, kernel, stride, exp_ratio, out in _B0_STAGES:
        out_chs = round_channels(out, channel_mult)
        blocks = []
        for index in range(int(math.ceil(repeats * depth_mult))):
            blocks.append((block_type, in_chs, out_chs, kernel, stride if index == 0 else 1,
                           exp_ratio))
            in_chs = out_chs
        stages.append(blocks)
    return stages


class EfficientNet(nn.Module):
    """timm's EfficientNet module tree for the tf_efficientnet_bN models."""

    def __init__(self, variant="tf_efficientnet_b4", num_classes=2):
        super().__init__()
        self.variant = canonical_variant(variant)
        channel_mult, _ = VARIANTS[self.variant]
        stem_chs = round_channels(32, channel_mult)
        self.conv_stem = create_conv2d_same(3, stem_chs, 3, stride=2)
        self.bn1 = BatchNormAct2d(stem_chs)
        stages = []
        head_in = stem_chs
        for stage in stage_layout(self.variant):
            blocks = []
            for block_type, in_chs, out_chs, kernel, stride, exp_ratio in stage:
                if block_type == "ds":
                    blocks.append(DepthwiseSeparableConv(in_chs, out_chs, kernel, stride))
                else:
                    blocks.append(InvertedResidual(in_chs, out_chs, kernel, stride, exp_ratio))
                head_in = out_chs
            stages.append(nn.Sequential(*blocks))
        self.blocks = nn.Sequential(*stages)
        self.num_features = round_channels(1280, channel_mult)
        self.conv_head = create_conv2d_same(head_in, self.num_features, 1)
        self.bn2 = BatchNormAct2d(self.num_features)
        self.global_pool = nn.AdaptiveAvgPool2d(1)  # timm: SelectAdaptivePool2d('avg', flatten)
        self.classifier = nn.Linear(self.num_features, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.bn1(self.conv_stem(x))
        x = self.blocks(x)
        return self.bn2(self.conv_head(x))          # [B, num_features, H/32, W/32]

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        return self.global_pool(self.forward_features(x)).flatten(1)   # [B, num_features]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # timm's forward_head: pool -> dropout (identity at eval) -> classifier.
        return self.classifier(self.pooled(x))      # [B, num_classes]


def tf_efficientnet(variant, num_classes=2):
    return EfficientNet(variant, num_classes=num_classes)
