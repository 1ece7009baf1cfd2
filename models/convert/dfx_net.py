"""DeepFeatureX Net (Pontorno, Guarnera, Battiato, arXiv:2404.15697) as plain torch modules.

The seed's complete model (`completenn` in src/dfx/architecture.py) holds three torchvision
backbones with their classification heads replaced by nn.Identity:
  model1: the diffusion-model specialist ("bm-dm"), model2: the GAN specialist ("bm-gan"),
  model3: the real-image specialist ("bm-real"),
stacks their D-dimensional features as a 3-channel 1-D signal [B, 3, D], runs it through a
fixed stack of Conv1d / ReLU / BatchNorm1d layers ending in AdaptiveAvgPool1d(1) -> [B, 1024],
and classifies with Linear(1024, 3) over (dm_generated, gan_generated, real), the sorted
folder order of the seed's dataset.

DfxNet keeps the seed's attribute names and registration order, so its state dict has the
seed's keys (model1.conv1.weight ..., convs.0.weight ..., classifier.0.weight) and loads the
seed's saved complete model with strict=True.
"""

from typing import Dict

import torch
import torch.nn as nn
import torchvision

CLASSES = ["dm_generated", "gan_generated", "real"]
FAKE_CLASSES = ["dm_generated", "gan_generated"]
FUSED = 1024  # width of the fused feature (the bundle's embedding)

# Backbones this module reproduces. The seed builds ResNets and DenseNets with
# torch.hub.load('pytorch/vision:v0.10.0', name) and ViTs with torchvision.models.<name>; all
# are torchvision's own classes, whose key names are the same in torchvision 0.10 - 0.18.
#   name -> (torchvision constructor, head attribute replaced by Identity, feature width D,
#            file stem the seed's call_saved_model gives it)
BACKBONES = {
    "resnet18": ("resnet18", "fc", 512, "res18"),
    "resnet34": ("resnet34", "fc", 512, "res34"),
    "resnet50": ("resnet50", "fc", 2048, "res50"),
    "resnet101": ("resnet101", "fc", 2048, "res101"),
    "resnet152": ("resnet152", "fc", 2048, "res152"),
    "densenet121": ("densenet121", "classifier", 1024, "dense121"),
    "densenet161": ("densenet161", "classifier", 2208, "dense161"),
    "densenet169": ("densenet169", "classifier", 1664, "dense169"),
    "densenet201": ("densenet201", "classifier", 1920, "dense201"),
    "vit_b_16": ("vit_b_16", "heads.head", 768, "vitb16"),
    "vit_b_32": ("vit_b_32", "heads.head", 768, "vitb32"),
    "vit_l_16": ("vit_l_16", "heads.head", 1024, "vitl16"),
    # The seed's import_classifiers.backbone() builds vit_l_16 for the name 'vit_l_32' (its
    # line `if name=='vit_l_32': model = torchvision.models.vit_l_16(...)`), so a model the
    # seed trained as "vit_l_32" is really a ViT-L/16; reproduce that.
    "vit_l_32": ("vit_l_16", "heads.head", 1024, "vitl32"),
}

# Names the seed lists but whose complete model this converter cannot reproduce, and why.
UNSUPPORTED = {
    "googlenet": "the seed saves the base model without its auxiliary heads (pretrained=True) "
                 "but reloads it into googlenet(pretrained=False), which has them: its "
                 "get_complete_model fails on the missing aux1/aux2 keys",
    "inception_v3": "in training mode inception_v3 returns (logits, aux_logits), which "
                    "completenn.forward cannot stack, so the seed's complete-model training "
                    "fails",
    "resnext101": "built from NVIDIA/DeepLearningExamples torch.hub code, not torchvision",
    "efficientnet_b0": "built from NVIDIA/DeepLearningExamples torch.hub code, not torchvision",
    "efficientnet_b4": "built from NVIDIA/DeepLearningExamples torch.hub code, not torchvision",
    "efficientnet_widese_b0": "built from NVIDIA/DeepLearningExamples torch.hub code",
    "efficientnet_widese_b4": "built from NVIDIA/DeepLearningExamples torch.hub code",
    "vit_h_14": "the seed's call_saved_model has no file name for it, so its scripts stop",
}


def is_vit(name: str) -> bool:
    # The seed's get_trans picks the ViT transform by the name's prefix.
    return name.startswith("vit")


def build_backbone(name: str) -> nn.Module:
    """torchvision backbone with random weights and its head replaced by Identity, so that
    forward returns the D-dimensional feature [B, D]."""
    constructor, head, _, _ = BACKBONES[name]
    model = getattr(torchvision.models, constructor)(weights=None)
    if head == "heads.head":
        model.heads.head = nn.Identity()
    else:
        setattr(model, head, nn.Identity())
    return model


def fusion_convs() -> nn.Sequential:
    """completenn.convs: [B, 3, D] -> [B, 1024, 1]. Note BatchNorm comes after each ReLU."""
    return nn.Sequential(
        nn.Conv1d(3, 16, kernel_size=7, stride=2, padding=1),
        nn.ReLU(),
        nn.BatchNorm1d(16),
        nn.Conv1d(16, 64, kernel_size=5, stride=2, padding=1),
        nn.ReLU(),
        nn.BatchNorm1d(64),
        nn.Conv1d(64, 256, kernel_size=3, stride=1, padding=1),
        nn.ReLU(),
        nn.BatchNorm1d(256),
        nn.Conv1d(256, 512, kernel_size=3, stride=1, padding=1),
        nn.ReLU(),
        nn.BatchNorm1d(512),
        nn.Conv1d(512, 1024, kernel_size=3, stride=1, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool1d(1),
    )


class DfxNet(nn.Module):
    """completenn with the seed's key names; forward returns the three class logits."""

    def __init__(self, backbone: str):
        super().__init__()
        self.model1 = build_backbone(backbone)  # diffusion-model specialist
        self.model2 = build_backbone(backbone)  # GAN specialist
        self.model3 = build_backbone(backbone)  # real-image specialist
        self.convs = fusion_convs()
        self.classifier = nn.Sequential(nn.Linear(FUSED, 3))

    def fused(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised image [B, 3, H, W] -> fused feature [B, 1024]."""
        codes = torch.stack([self.model1(x), self.model2(x), self.model3(x)], 1)  # [B, 3, D]
        return self.convs(codes).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.fused(x))


class DfxBundle(nn.Module):
    """Bundle module: {"logits": [B, 3] over CLASSES (softmax), "embedding": [B, 1024]}."""

    def __init__(self, net: DfxNet):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        feature = self.net.fused(x)
        return {"logits": self.net.classifier(feature), "embedding": feature}
