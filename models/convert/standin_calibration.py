"""Keeps random stand-in weights from saturating: BatchNorm statistics and head scales are set
on images that look a little like photographs, so a parity test compares outputs that vary."""

import torch
from torch import nn

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def photo_like_images(count, size, generator):
    """[count, 3, size, size], ImageNet-normalised: half blurred colour noise, half colour
    gratings with a darker disc, all with some grain."""
    low = torch.rand(count, 3, size // 8, size // 8, generator=generator)
    images = nn.functional.interpolate(low, size=(size, size), mode="bicubic",
                                       align_corners=False)
    axis = torch.arange(size, dtype=torch.float32)
    for index in range(count // 2):  # gratings replace the second half of the batch
        freq = 0.01 + 0.07 * torch.rand(3, 2, generator=generator)
        phase = 6.0 * torch.rand(3, generator=generator)
        for channel in range(3):
            rows = torch.cos(freq[channel, 1] * axis)[:, None]
            cols = torch.sin(freq[channel, 0] * axis + phase[channel])[None, :]
            images[count - 1 - index, channel] = 0.5 + 0.3 * rows * cols
        disc = ((axis[:, None] - size / 2) ** 2 + (axis[None, :] - size / 2) ** 2
                < (size / 4) ** 2)
        images[count - 1 - index, :, disc] *= 0.5
    images = (images + 0.03 * torch.randn(images.shape, generator=generator)).clamp(0, 1)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


def widen_batchnorm(model):
    """Adds each BatchNorm layer's mean running variance to every channel's: channels that
    were (nearly) constant on the few calibration images would otherwise divide other
    images' activations by sqrt(eps) and blow the outputs up."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_var += m.running_var.mean()
            m.momentum = 0.1
