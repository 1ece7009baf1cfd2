"""Plain-torch ConvNeXt-V2 Tiny mirroring timm 1.0.8's `convnextv2_tiny` (e.g. the
`convnextv2_tiny.fcmae_ft_in1k` weights).

Same module tree, state_dict keys, parameter registration order and numerics as timm:
  stem.0 (4x4/4 conv) . stem.1 (LayerNorm2d)
  stages.N.downsample.0 (LayerNorm2d) . stages.N.downsample.1 (2x2/2 conv)   for N = 1..3
  stages.N.blocks.M.conv_dw (7x7 depthwise) . norm (channels-last LayerNorm)
      . mlp.fc1 . mlp.grn.weight|bias . mlp.fc2                            (no layer-scale gamma)
  head.norm (LayerNorm2d, applied after global pooling) . head.fc
All LayerNorms and the Global Response Norm use eps 1e-6; GELU is the exact (erf) form.
One deliberate difference in HOW (not what) is computed: the block MLP's Linear layers run as
1x1 convolutions on the NCHW view (see _linear_as_conv1x1); keys and shapes are unchanged and
the values agree with timm's channels-last Linear up to float summation order.
Stochastic depth and dropout are no-ops at eval and are left out.
"""

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

DEPTHS = (3, 3, 9, 3)
DIMS = (96, 192, 384, 768)
_LN_EPS = 1e-6


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an NCHW tensor (permute to NHWC and back), like timm."""

    def __init__(self, channels):
        super().__init__(channels, eps=_LN_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class GlobalResponseNorm(nn.Module):
    """ConvNeXt-V2 GRN: x + bias + weight * (x * ||x||_spatial / (mean_C ||x||_spatial + eps)).
    timm applies it to channels-last tokens; here it runs on the NCHW view of the same
    values (spatial dims 2, 3; channel dim 1), which is the same formula."""

    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x_g = x.norm(p=2, dim=(2, 3), keepdim=True)                 # [B, C, 1, 1]
        x_n = x_g / (x_g.mean(dim=1, keepdim=True) + self.eps)       # [B, C, 1, 1]
        return x + torch.addcmul(self.bias.view(1, -1, 1, 1), self.weight.view(1, -1, 1, 1),
                                 x * x_n)


def _linear_as_conv1x1(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """nn.Linear over the channels of an NCHW tensor, computed as a 1x1 convolution.

    Same values as timm's Linear on channels-last tokens (up to float summation order), but
    LibTorch's CPU convolution uses oneDNN while its Linear uses the system BLAS, which is a
    slow reference BLAS in Debian's build: with 2+ threads the convolution is 10-25x faster."""
    return F.conv2d(x, weight.view(weight.shape[0], weight.shape[1], 1, 1), bias)


class GlobalResponseNormMlp(nn.Module):
    """fc1 -> GELU -> GRN -> fc2 (timm's GlobalResponseNormMlp with nn.Linear fc1/fc2: the
    parameters keep their Linear shapes [out, in]), evaluated on NCHW."""

    def __init__(self, channels, hidden):
        super().__init__()
        self.fc1 = nn.Linear(channels, hidden)
        self.act = nn.GELU()
        self.grn = GlobalResponseNorm(hidden)
        self.fc2 = nn.Linear(hidden, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(_linear_as_conv1x1(x, self.fc1.weight, self.fc1.bias))     # [B, 4C, H, W]
        return _linear_as_conv1x1(self.grn(x), self.fc2.weight, self.fc2.bias)  # [B, C, H, W]


class ConvNeXtBlock(nn.Module):
    """Depthwise 7x7 -> LayerNorm over channels -> GRN MLP -> + identity shortcut."""

    def __init__(self, channels, mlp_ratio=4):
        super().__init__()
        self.conv_dw = nn.Conv2d(channels, channels, 7, padding=3, groups=channels, bias=True)
        self.norm = nn.LayerNorm(channels, eps=_LN_EPS)
        self.mlp = GlobalResponseNormMlp(channels, int(mlp_ratio * channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.conv_dw(x)
        x = self.norm(x.permute(0, 2, 3, 1))         # channels-last LayerNorm, [B, H, W, C]
        x = self.mlp(x.permute(0, 3, 1, 2))          # NCHW view (channels-last memory)
        return x + shortcut


class ConvNeXtStage(nn.Module):
    def __init__(self, in_chs, out_chs, depth, downsample):
        super().__init__()
        if downsample:
            self.downsample = nn.Sequential(
                LayerNorm2d(in_chs),
                nn.Conv2d(in_chs, out_chs, kernel_size=2, stride=2, bias=True),
            )
        else:
            self.downsample = nn.Identity()
        self.blocks = nn.Sequential(*[ConvNeXtBlock(out_chs) for _ in range(depth)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.downsample(x))


class NormMlpClassifierHead(nn.Module):
    """Global average pool -> LayerNorm2d -> flatten -> fc (no hidden layer for V2 Tiny)."""

    def __init__(self, in_features, num_classes):
        super().__init__()
        self.global_pool = nn.AdaptiveAvgPool2d(1)   # timm: SelectAdaptivePool2d('avg')
        self.norm = LayerNorm2d(in_features)
        self.fc = nn.Linear(in_features, num_classes)

    def pre_logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.global_pool(x)).flatten(1)            # [B, C]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pre_logits(x))


class ConvNeXtV2(nn.Module):
    def __init__(self, num_classes=2, depths: Sequence[int] = DEPTHS,
                 dims: Sequence[int] = DIMS):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, dims[0], kernel_size=4, stride=4, bias=True),
            LayerNorm2d(dims[0]),
        )
        stages = []
        prev = dims[0]
        for index, (depth, dim) in enumerate(zip(depths, dims)):
            stages.append(ConvNeXtStage(prev, dim, depth, downsample=index > 0))
            prev = dim
        self.stages = nn.Sequential(*stages)
        self.norm_pre = nn.Identity()     # head_norm_first=False: the norm sits in the head
        self.num_features = dims[-1]
        self.head = NormMlpClassifierHead(dims[-1], num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm_pre(self.stages(self.stem(x)))             # [B, 768, H/32, W/32]

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        """The seed's `feat`: globally pooled features before the head norm, [B, 768]."""
        return self.head.global_pool(self.forward_features(x)).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))                  # [B, num_classes]


def convnextv2_tiny(num_classes=2):
    return ConvNeXtV2(num_classes=num_classes)
