"""Parity harness for convert_dfx.py (DeepFeatureX Net, arXiv:2404.15697).

No weights are published, so the stand-in is what the seed's own training scripts leave on
disk: scripts/training/training-complete-model.py saves torch.save(model.state_dict()) of the
complete model to <models_dir>/grid_complete_models/<stem><conf>.pt. The representative
backbone is resnet18 (the smallest and fastest of the supported families); the converter also
handles resnet34/50/101/152, densenet121/161/169/201 and vit_b_16/vit_b_32/vit_l_16/vit_l_32.

reference_forward follows the seed's inference path with its own copy of `completenn`
(written here, not taken from the converter's dfx_net), building each backbone as the seed
does: the torchvision model, its head swapped for a 2-class Linear (finetuning=True), the
base-model file loaded when present, then the head replaced by Identity, and finally the
complete model's state dict loaded strictly.
"""

import os
import sys

import torch
import torch.nn as nn
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image

_CONVERT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _CONVERT_DIR not in sys.path:
    sys.path.insert(0, _CONVERT_DIR)

import standin_calibration  # noqa: E402

BACKBONE = "resnet18"
STEM = "res18"  # the seed's call_saved_model('resnet18')
CONF = "-b32-lr0.0001-wd0.001-step10-gamma0.1"  # training-complete-model.py defaults
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
# torchvision constructor the seed ends up with for each --backbone name ('vit_l_32' builds a
# vit_l_16 in the seed's import_classifiers.backbone).
_CONSTRUCTORS = {"vit_l_32": "vit_l_16"}
_STEMS = {"resnet18": "res18", "resnet34": "res34", "resnet50": "res50", "resnet101": "res101",
          "resnet152": "res152", "densenet121": "dense121", "densenet161": "dense161",
          "densenet169": "dense169", "densenet201": "dense201", "vit_b_16": "vitb16",
          "vit_b_32": "vitb32", "vit_l_16": "vitl16", "vit_l_32": "vitl32"}


def _seed_backbone(name):
    """import_classifiers.backbone(name, finetuning=True, num_classes=2): a 2-class head."""
    model = getattr(torchvision.models, _CONSTRUCTORS.get(name, name))(weights=None)
    if name.startswith("resnet"):
        model.fc = nn.Linear(model.fc.in_features, 2)
    elif name.startswith("densenet"):
        model.classifier = nn.Linear(model.classifier.in_features, 2)
    else:  # vit
        model.heads.head = nn.Linear(model.heads.head.in_features, 2)
    return model


def _drop_head(name, model):
    """get_complete_model: the head becomes nn.Identity, so forward returns the feature."""
    if name.startswith("resnet"):
        model.fc = nn.Identity()
    elif name.startswith("densenet"):
        model.classifier = nn.Identity()
    else:
        model.heads.head = nn.Identity()
    return model


class SeedCompleteNN(nn.Module):
    """The seed's completenn, layer for layer."""

    def __init__(self, model1, model2, model3):
        super().__init__()
        self.model1 = model1
        self.model2 = model2
        self.model3 = model3
        self.convs = nn.Sequential(
            nn.Conv1d(in_channels=3, out_channels=16, kernel_size=7, stride=2, padding=1),
            nn.ReLU(), nn.BatchNorm1d(16),
            nn.Conv1d(in_channels=16, out_channels=64, kernel_size=5, stride=2, padding=1),
            nn.ReLU(), nn.BatchNorm1d(64),
            nn.Conv1d(in_channels=64, out_channels=256, kernel_size=3, stride=1, padding=1),
            nn.ReLU(), nn.BatchNorm1d(256),
            nn.Conv1d(in_channels=256, out_channels=512, kernel_size=3, stride=1, padding=1),
            nn.ReLU(), nn.BatchNorm1d(512),
            nn.Conv1d(in_channels=512, out_channels=1024, kernel_size=3, stride=1, padding=1),
            nn.ReLU(), nn.AdaptiveAvgPool1d(1))
        self.classifier = nn.Sequential(nn.Linear(1024, 3))

    def features(self, x):
        code1, code2, code3 = self.model1(x), self.model2(x), self.model3(x)
        x = torch.cat((code1.unsqueeze(1), code2.unsqueeze(1), code3.unsqueeze(1)), 1)
        x = self.convs(x)
        return x.view(x.size(0), -1)  # [B, 1024]

    def forward(self, x):
        return self.classifier(self.features(x))


def _seed_complete_model(name, models_dir):
    """get_complete_model: three backbones (base-model files loaded when they exist), heads
    dropped, wrapped in completenn, eval mode."""
    models = []
    for tag in ("dm", "gan", "real"):
        model = _seed_backbone(name)
        base = os.path.join(models_dir, "bm-" + tag, _STEMS[name] + ".pt") if models_dir else ""
        if base and os.path.isfile(base):
            model.load_state_dict(torch.load(base, map_location="cpu"))
        models.append(_drop_head(name, model).eval())
    return SeedCompleteNN(*models)




def make_standin(out_dir: str, seed: int = 0) -> list:
    """models/unbalancing-approach/grid_complete_models/res18-b32-lr0.0001-wd0.001-step10-
    gamma0.1.pt: torch.save(complete_model.state_dict()), as the seed's training() saves it.
    Each BatchNorm (the backbones' and the fusion stack's) takes its statistics from one
    training-mode pass over synthetic photo-like images (then widened, see widen_batchnorm),
    and the classifier is scaled so that the logits spread by about 1 across those images:
    probabilities are not saturated."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = _seed_complete_model(BACKBONE, None)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.momentum = None  # running stats = plain average of the batches seen
            m.reset_running_stats()
            nn.init.uniform_(m.weight, 0.8, 1.2)
            nn.init.uniform_(m.bias, -0.1, 0.1)
    # at the model's input size
    calibration = standin_calibration.photo_like_images(3, 256, generator)
    with torch.no_grad():
        model.train()
        model(calibration)
        model.eval()
        standin_calibration.widen_batchnorm(model)
        fused = model.features(calibration)  # [3, 1024]
        # Logits spread by about 1 across the calibration images (the widened BatchNorms keep
        # other images' features at a similar distance from their mean).
        scale = 1.0 / ((fused - fused.mean(0)).norm(dim=1).mean() + 1e-6)
        head = model.classifier[0]
        head.weight.copy_(torch.randn(3, 1024, generator=generator) * scale)
        head.bias.copy_(-(fused.mean(0) @ head.weight.t()))
    folder = os.path.join(out_dir, "models", "unbalancing-approach", "grid_complete_models")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, STEM + CONF + ".pt")
    torch.save(model.state_dict(), path)
    return ["--backbone", BACKBONE, "--weights", path]


def _arg(args, flag):
    return args[args.index(flag) + 1] if flag in args else None


def reference_forward(official_args: list, image_paths: list) -> list:
    """The seed's testing path: get_trans(backbone) then the complete model, argmax over
    (dm_generated, gan_generated, real); here softmax probabilities in that order plus the
    1024-d fused feature as the embedding.

    The seed applies T.Resize((256, 256)) to the PIL image (PIL bilinear, rounded to 8 bits);
    as the parity contract asks, this applies it to the float tensor from to_tensor instead,
    with torchvision's antialiased bilinear resize, which is what the bundle's manifest tells
    ForgeLens to do. ViT backbones add T.CenterCrop((224, 224)), here on the tensor as well."""
    name = _arg(official_args, "--backbone")
    weights = _arg(official_args, "--weights")
    # The seed's models_dir: grid_complete_models/'s parent, where bm-dm/ etc. would be.
    models_dir = os.path.dirname(os.path.dirname(os.path.abspath(weights)))
    model = _seed_complete_model(name, models_dir)
    model.load_state_dict(torch.load(weights, map_location="cpu"))  # strict, as the seed
    model.eval()
    results = []
    with torch.no_grad():
        for path in image_paths:
            image = TF.to_tensor(Image.open(path).convert("RGB"))  # [3, H, W] in [0, 1]
            image = TF.resize(image, [256, 256],
                              interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
            if name.startswith("vit"):
                image = TF.center_crop(image, [224, 224])
            image = TF.normalize(image, IMAGENET_MEAN, IMAGENET_STD)[None]
            fused = model.features(image)
            probabilities = torch.softmax(model.classifier(fused), 1)[0]
            results.append({"probabilities": probabilities.tolist(),
                            "embedding": fused[0].tolist()})
    return results
