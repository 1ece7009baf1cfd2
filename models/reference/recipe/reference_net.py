"""The reference detector's network: a small fully convolutional CNN on high-pass residuals.

Input  x: [B, 3, H, W] RGB in [0, 1], at the image's own resolution (never resized).
Output (forward, a dict as DESIGN.md's bundle contract asks):
  logits            [B, 1]        log-odds of "synthetic" for the whole input
  embedding         [B, 128]      mean of the last feature map over space
  patch_embeddings  [B, h, w, 128] the last feature map, h = ceil(H / 8), w = ceil(W / 8);
                                  each cell sees a 8x8-pixel step of the input
The logit is linear in the embedding, so an input's logit is the mean of its cells' logits: a
256x256 tile scores exactly as the average of the 64x64 patches it was trained on would,
up to their borders.

Why residuals and no early downsampling: generators leave their traces in the highest
frequencies (the up-sampling layers of their decoders repeat pixels in 2x2 groups; NPR,
CVPR 2024), which a stride-2 first layer or any resize would destroy. The front therefore
computes, per colour channel,
  - the neighbouring-pixel residual x - up2(down2(x)) (nearest down- and up-sampling by 2,
    i.e. each pixel minus the top-left pixel of its 2x2 cell; NPR),
  - a 3x3 Laplacian high-pass,
scales both from [0,1] units to about unit variance, and runs two full-resolution 3x3
convolutions before the first stride.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

EMBEDDING_DIM = 128
# Residuals of 8-bit images are a few grey levels: 255/8 brings them to about unit size.
RESIDUAL_SCALE = 255.0 / 8.0


class ResidualFront(nn.Module):
    """[B,3,H,W] in [0,1] -> [B,6,H,W]: NPR residual (3) and Laplacian high-pass (3)."""

    def __init__(self):
        super().__init__()
        laplacian = torch.tensor([[0.0, -1.0, 0.0], [-1.0, 4.0, -1.0], [0.0, -1.0, 0.0]]) / 4.0
        self.register_buffer("laplacian", laplacian.expand(3, 1, 3, 3).clone())
        self.scale = RESIDUAL_SCALE

    def forward(self, x):
        height, width = x.shape[2], x.shape[3]
        # Nearest down-sampling by 2 keeps the top-left pixel of each 2x2 cell; repeating it
        # back gives up2(down2(x)). An odd last row/column is compared with itself (residual 0).
        anchors = x[:, :, 0::2, 0::2]
        repeated = anchors.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
        npr = x - repeated[:, :, :height, :width]
        high = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), self.laplacian, groups=3)
        return torch.cat([npr, high], dim=1) * self.scale


def conv_block(channels_in, channels_out, stride, batch_norm):
    layers = [nn.Conv2d(channels_in, channels_out, 3, stride, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(channels_out))
    layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ReferenceNet(nn.Module):
    # Batch normalisation only after the second stride: at full resolution its backward pass
    # costs more than the convolutions on Debian's CPU PyTorch, and the first layers train
    # well without it.
    def __init__(self, widths=(24, 32, 64, EMBEDDING_DIM)):
        super().__init__()
        a, b, c, d = widths
        self.front = ResidualFront()
        self.features = nn.Sequential(
            conv_block(6, a, 1, False), conv_block(a, a, 1, False),
            conv_block(a, b, 2, False), conv_block(b, b, 1, False),
            conv_block(b, c, 2, True), conv_block(c, c, 1, True),
            conv_block(c, d, 2, True), conv_block(d, d, 1, True))
        self.classifier = nn.Linear(d, 1)

    def feature_map(self, x):
        return self.features(self.front(x))

    def forward(self, x):
        fmap = self.feature_map(x)                      # [B, D, h, w]
        embedding = fmap.mean(dim=(2, 3))               # [B, D]
        logits = self.classifier(embedding)             # [B, 1]
        return {"logits": logits, "embedding": embedding,
                "patch_embeddings": fmap.permute(0, 2, 3, 1).contiguous()}
