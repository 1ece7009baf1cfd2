"""Which part of the pool each image belongs to. Split by source and generator, never by file.

  train        fits the network
  calibration  real photographs only: the threshold and the inconclusive band are read off
               their scores, never off the test part
  test         what the model card reports: whole generators the network never saw, and real
               photographs from sources (or ImageNet classes) it never saw

ImageNet's sample holds one photograph per class; it is split by class index, so no class
(and no photographer's scene of it) is on both sides.
"""

# Generators whose every image is held out of training (the card's "unseen generators").
HELD_OUT_GENERATORS = {
    "midjourney", "dalle2", "gpt-image", "flux", "sd3", "sdxl", "hidream", "auraflow",
    "other-diffusion", "stable-cascade", "pixart", "kandinsky", "hunyuan-dit", "kolors",
    "lumina", "sana", "playground", "deepfloyd-if", "sd2", "cosmos", "wan", "qwen-image",
}
# Whole repositories held out even where their generator is seen in training (a new domain of
# a seen architecture: anime faces from StyleGAN2 when training saw only FFHQ faces).
HELD_OUT_REPOS = {"Ebycow/stylegan2-ada-pytorch"}

# Real photographs: datasets held out whole for the test, or kept for calibration.
TEST_REAL_DATASETS = {"kodak", "mcmaster"}
CALIBRATION_REAL_DATASETS = {"set14", "set5"}
IMAGENET_TRAIN_CLASSES = range(0, 600)
IMAGENET_CALIBRATION_CLASSES = range(600, 800)   # 800..999 are test


def imagenet_class_index(entry):
    return entry["class_index"]


def split_of(entry):
    if entry["label"] == "synthetic":
        if entry["generator"] in HELD_OUT_GENERATORS or entry.get("repo") in HELD_OUT_REPOS:
            return "test"
        return "train"
    dataset = entry.get("dataset", "")
    if dataset.startswith("debian-"):
        return "test"
    if dataset == "imagenet-samples":
        index = imagenet_class_index(entry)
        if index in IMAGENET_TRAIN_CLASSES:
            return "train"
        return "calibration" if index in IMAGENET_CALIBRATION_CLASSES else "test"
    if dataset in TEST_REAL_DATASETS:
        return "test"
    if dataset in CALIBRATION_REAL_DATASETS:
        return "calibration"
    return "train"


def group_of(entry):
    """The row of the card's table an image counts under."""
    if entry["label"] == "synthetic":
        if entry.get("repo") in HELD_OUT_REPOS:
            return entry["generator"] + " (" + entry["repo"].split("/")[0] + ")"
        return entry["generator"]
    dataset = entry.get("dataset", "real")
    return "debian packages" if dataset.startswith("debian-") else dataset
