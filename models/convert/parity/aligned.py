"""Parity harness for convert_aligned.py (Dataset Alignment, arXiv:2410.11835).

make_standin writes a random-weight checkpoint laid out like the seed's weights folder
(weights/<model>/config.yaml + the torch.save file its train.py writes); reference_forward
runs the seed's own inference path eagerly, with its own copy of the seed's network (written
here independently of the converter's torchvision mirror, so that the two check each other).
"""

import os
import sys

import torch
import torch.nn as nn
import torchvision.transforms.functional as TF
from PIL import Image

_CONVERT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _CONVERT_DIR not in sys.path:
    sys.path.insert(0, _CONVERT_DIR)

import standin_calibration  # noqa: E402

MODEL_NAME = "ours-sync"
WEIGHTS_FILE = "weights.pth"
# The seed's test_code/weights/ours-sync/config.yaml, field for field.
CONFIG_YAML = ("arch: res50nodown\nmodel_name: ours-sync\nnorm_type: resnet\n"
               "patch_size: null\nweights_file: weights.pth\n")
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


# --- the seed's network (resnet_mod.resnet50(stride0=1, dropout=0.5), num_classes=1) ---------

class _Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class SeedRes50NoDown(nn.Module):
    """The seed's ResNet with stride0=1: conv1 AND maxpool at stride 1, dropout 0.5, and a
    'channel linear' classifier applied to the [B, 2048, 1, 1] pooled map."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=1, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.dropout = nn.Dropout(0.5)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.inplanes = 64
        self.layer1 = self._make_layer(64, 3, 1)
        self.layer2 = self._make_layer(128, 4, 2)
        self.layer3 = self._make_layer(256, 6, 2)
        self.layer4 = self._make_layer(512, 3, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2048, 1)
        for m in self.modules():  # the seed's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        nn.init.normal_(self.fc.weight, 0.0, 0.02)  # change_output()'s init of the new head

    def _make_layer(self, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * 4, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * 4))
        layers = [_Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * 4
        layers += [_Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.avgpool(x)  # [B, 2048, 1, 1]

    def head(self, pooled):
        # ChannelLinear: move channels last, matmul with weight.T, add bias, move back.
        x = torch.transpose(pooled, 1, 3)  # [B, 1, 1, 2048]
        shape = list(x.shape)
        shape[-1] = self.fc.out_features
        y = x.reshape(-1, x.shape[-1]).matmul(self.fc.weight.t()) + self.fc.bias[None, :]
        y = torch.transpose(y.view(shape), 3, 1)  # [B, 1, 1, 1]
        return torch.squeeze(torch.squeeze(y, -1), -1)  # [B, 1]

    def forward(self, x):
        return self.head(self.dropout(self.features(x)))


def _seed_load_weights(model, path):
    """The seed's networks.load_weights: {'model': ...} (with 'module.' stripped when the
    fc/stem key has it), {'state_dict': ...}, {'net': ...} or a bare state dict."""
    dat = torch.load(path, map_location="cpu")
    if "model" in dat:
        state = dat["model"]
        if "module.fc.weight" in state:
            state = {key[7:]: value for key, value in state.items()}
    elif "state_dict" in dat:
        state = dat["state_dict"]
    elif "net" in dat:
        state = dat["net"]
    else:
        state = dat
    model.load_state_dict(state)  # strict, as the seed does
    return model


# --- the two functions the parity test calls --------------------------------------------------



def make_standin(out_dir: str, seed: int = 0) -> list:
    """weights/ours-sync/{config.yaml, weights.pth}; weights.pth holds what the seed's
    TrainingModel.save_networks writes: {'model', 'optimizer', 'total_steps'}. BatchNorm
    statistics come from one training-mode pass over synthetic photo-like images (then widened,
    see widen_batchnorm) and the last layer is scaled by the pooled feature's length, so that
    eval-mode outputs are neither exploding nor saturated."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = SeedRes50NoDown()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # running stats = plain average of the batches seen
            m.reset_running_stats()
            nn.init.uniform_(m.weight, 0.8, 1.2)
            nn.init.uniform_(m.bias, -0.1, 0.1)
    calibration = standin_calibration.photo_like_images(3, 48, generator)
    model.train()
    with torch.no_grad():
        model(calibration)
        model.eval()
        standin_calibration.widen_batchnorm(model)
        pooled = model.features(calibration).flatten(1)  # [3, 2048]
        # Scale by the feature's own length, not by the spread of the three small calibration
        # images: larger images' features lie about 10 % of that length from the calibration
        # mean, mostly along a shared direction, so logits end up within about +-1.
        scale = 30.0 / (pooled.norm(dim=1).mean() + 1e-6)
        model.fc.weight.copy_(torch.randn(1, 2048, generator=generator) * scale)
        model.fc.bias.fill_(-(pooled.mean(0) @ model.fc.weight[0]).item())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.999))
    folder = os.path.join(out_dir, "weights", MODEL_NAME)
    os.makedirs(folder, exist_ok=True)
    config_path = os.path.join(folder, "config.yaml")
    with open(config_path, "w", encoding="utf-8") as handle:
        handle.write(CONFIG_YAML)
    weights_path = os.path.join(folder, WEIGHTS_FILE)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "total_steps": 1000}, weights_path)
    args = ["--checkpoint", weights_path, "--config", config_path, "--variant", MODEL_NAME]
    try:  # torch 1.13's safe loader cannot read the optimizer's float hyper-parameters
        torch.load(weights_path, map_location="cpu", weights_only=True)
    except Exception:
        args.append("--trust-pickle")  # our own file: safe to unpickle in full
    return args


def _arg(args, flag):
    return args[args.index(flag) + 1] if flag in args else None


def reference_forward(official_args: list, image_paths: list) -> list:
    """The seed's test_code/main.py path for patch_size null: PIL RGB -> ToTensor ->
    Normalize(ImageNet) -> network on the whole image -> logit; P(fake) = sigmoid(logit)
    (test_code/eval.py). Returns probabilities in the manifest's order [real, fake] and the
    2048-d pooled feature as the embedding."""
    model = _seed_load_weights(SeedRes50NoDown(), _arg(official_args, "--checkpoint")).eval()
    results = []
    with torch.no_grad():
        for path in image_paths:
            image = TF.to_tensor(Image.open(path).convert("RGB"))  # [3, H, W] in [0, 1]
            image = TF.normalize(image, IMAGENET_MEAN, IMAGENET_STD)[None]
            pooled = model.features(image)
            logit = model.head(pooled)[0, 0]
            fake = torch.sigmoid(logit).item()
            results.append({"probabilities": [1.0 - fake, fake],
                            "embedding": pooled.flatten().tolist()})
    return results
