"""The "res50nodown" detector of the Dataset Alignment paper (Rajan et al., ICLR 2025,
arXiv:2410.11835), as plain torchvision modules.

The seed's network is a ResNet-50 whose stem does not downsample: its `stride0=1` sets the
stride of BOTH the 7x7 first convolution and the 3x3 max-pool to 1. The max-pool is therefore
still there (kernel 3, stride 1, padding 1: a 3x3 running maximum that keeps the size), it is
not removed. The rest is torchvision's ResNet-50 (v1.5: the stride-2 sits on each stage's 3x3
convolution), and the classifier is a 2048 -> 1 linear layer on the global average pool. The
seed applies that layer as a "channel linear" on the [B, 2048, 1, 1] pooled map and squeezes
the two unit axes, which is the same arithmetic as nn.Linear on the flattened [B, 2048] vector.
Dropout(0.5) before the classifier is inactive in eval mode and has no parameters.

So `torchvision.models.resnet50(num_classes=1)` with the two strides changed has exactly the
seed's state-dict keys and shapes (conv1.weight [64, 3, 7, 7], ..., fc.weight [1, 2048],
fc.bias [1]) and loads its checkpoints with strict=True.
"""

from typing import Dict

import torch
import torch.nn as nn
import torchvision

FEATURES = 2048  # width of ResNet-50's pooled feature, the bundle's embedding


def build_res50nodown() -> nn.Module:
    """torchvision ResNet-50 with a non-downsampling stem and one output logit."""
    net = torchvision.models.resnet50(weights=None, num_classes=1)
    # Same parameter shapes as torchvision's stem; only the strides differ (2 -> 1).
    net.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=1, padding=3, bias=False)
    net.maxpool = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
    return net


def extract_state_dict(checkpoint):
    """The network's tensors from whatever torch.load returned, following the seed's loader:
    a training checkpoint {'model': ..., 'optimizer': ..., 'total_steps': ...} (what its
    train.py saves), {'state_dict': ...}, {'net': ...}, or a bare state dict. A 'module.'
    prefix (a model saved from inside nn.DataParallel) is removed.
    Raises ValueError with the keys it saw when none of these fits."""
    if not isinstance(checkpoint, dict):
        raise ValueError("the checkpoint is a %s, not a dict of tensors"
                         % type(checkpoint).__name__)
    state = None
    for container in ("model", "state_dict", "net"):
        if container in checkpoint and isinstance(checkpoint[container], dict):
            state = checkpoint[container]
            break
    if state is None:
        if any(torch.is_tensor(value) for value in checkpoint.values()):
            state = checkpoint
        else:
            raise ValueError("no network weights found; top-level keys: "
                             + ", ".join(sorted(map(str, checkpoint.keys()))[:20]))
    if state and all(key.startswith("module.") for key in state):
        state = {key[len("module."):]: value for key, value in state.items()}
    return dict(state)


class AlignedDetector(nn.Module):
    """Bundle module: normalised image [B, 3, H, W] (any H, W) ->
    {"logits": [B, 1] (sigmoid = P(fake)), "embedding": [B, 2048] (the pooled feature)}."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        n = self.net
        x = n.maxpool(n.relu(n.bn1(n.conv1(x))))  # [B, 64, H, W]: the stem keeps the size
        x = n.layer4(n.layer3(n.layer2(n.layer1(x))))  # [B, 2048, ceil(H/8), ceil(W/8)]
        feature = torch.flatten(n.avgpool(x), 1)  # [B, 2048]
        return {"logits": n.fc(feature), "embedding": feature}
