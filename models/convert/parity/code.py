"""Parity harness for CoDE (convert_code.py).

make_standin() writes random-weight files laid out like the Hugging Face snapshot of
aimagelab/CoDE: hf/config.json, hf/preprocessor_config.json, hf/model.safetensors (a
ViTModel state dict, pooler included, float32, {"format": "pt"} metadata) and
hf/sklearn/ with the three heads fitted with the seed's hyperparameters and saved with
joblib.dump, as the seed's training code saves them.

reference_forward() is the seed's inference path (src/inference/code_model.py with the
transform of validate_d3.py), eager, float32: the image is cropped as a tensor (see
PREPROCESSING below), the ViT is transformers' ViTModel when transformers is installed,
otherwise an independent functional re-implementation of its forward written here from
the state dict (it shares no code with vit_hf.py), and the head is the unpickled sklearn
estimator itself, applied to the float64 embedding.

PREPROCESSING: the seed applies CenterCrop(224) to the PIL image before ToTensor. A crop
copies pixels and torchvision pads too-small images with zeros on both PIL and tensor
paths, so to_tensor -> center_crop gives the same values as the seed's order.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision.transforms import functional as TF

# The converter's modules (vit_hf, safetensors_reader) live in the parent folder.
_CONVERT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _CONVERT_DIR not in sys.path:
    sys.path.insert(0, _CONVERT_DIR)

# The seed's classifier files, under sklearn/ in the Hugging Face snapshot.
HEAD_FILES = {
    "linear": "linear_tot_classifier_epoch-32.sav",
    "knn": "knn_tot_classifier_epoch-32.sav",
    "ocsvm": "ocsvm_kernel_poly_gamma_auto_nu_0_1_crop.joblib",
}

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

# vit_tiny_patch16_224 as a transformers ViTConfig. Only the architecture fields are
# established (timm's ViT-Tiny: width 192, depth 12, 3 heads, MLP 768, 16x16 patches, 224);
# layer_norm_eps 1e-12 is ViTConfig's default, which a config written by transformers'
# own tools carries unless set: the converter reads whatever the real config.json says.
STANDIN_CONFIG = {
    "architectures": ["ViTModel"],
    "attention_probs_dropout_prob": 0.0,
    "encoder_stride": 16,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.0,
    "hidden_size": 192,
    "image_size": 224,
    "initializer_range": 0.02,
    "intermediate_size": 768,
    "layer_norm_eps": 1e-12,
    "model_type": "vit",
    "num_attention_heads": 3,
    "num_channels": 3,
    "num_hidden_layers": 12,
    "patch_size": 16,
    "qkv_bias": True,
    "torch_dtype": "float32",
    "transformers_version": "4.38.2",
}

# A ViTImageProcessor config. The seed loads it but never uses it (it sets do_resize False
# and preprocesses with torchvision); written only so the snapshot's file list matches.
STANDIN_PREPROCESSOR = {
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": IMAGENET_MEAN,
    "image_std": IMAGENET_STD,
    "image_processor_type": "ViTImageProcessor",
    "resample": 3,
    "rescale_factor": 0.00392156862745098,
    "size": {"height": 224, "width": 224},
}


def _standin_state_dict(config, seed):
    """A ViTModel state dict (pooler included) initialised like transformers'
    ViTPreTrainedModel._init_weights, so LayerNorm outputs are O(1) and unsaturated."""
    import vit_hf  # the converter's module, only to get the key list and shapes
    model = vit_hf.ViTModelNoPooler(config)
    generator = torch.Generator().manual_seed(seed)
    vit_hf.init_like_transformers(model, config["initializer_range"], generator)
    state = dict(model.state_dict())
    hidden = config["hidden_size"]
    state["pooler.dense.weight"] = (torch.randn(hidden, hidden, generator=generator)
                                    .clamp_(-2, 2) * config["initializer_range"])
    state["pooler.dense.bias"] = torch.zeros(hidden)
    # Perturb biases and norms a little so no parameter sits at a value where a wrong
    # mapping (e.g. swapped LayerNorms, a missing bias) would go unnoticed.
    for key, value in state.items():
        if key.endswith(".bias") or "layernorm" in key:
            value.add_(0.05 * torch.randn(value.shape, generator=generator))
    return state


def _probe_images(count, size, generator):
    """count smooth random images [count, 3, size, size] in [0, 1], normalised like the seed:
    low-resolution noise upsampled, so they look more like photographs than white noise."""
    coarse = torch.rand(count, 3, 8, 8, generator=generator)
    images = F.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    images = (images + 0.1 * torch.rand(images.shape, generator=generator)).clamp(0, 1)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


def _fit_heads(embeddings, sklearn_dir, seed):
    """Fits the three heads as the seed's quantitative_evaluation/linear_training.py does
    (labels 0 real / 1 fake; the one-class SVM on real rows only) and saves them with
    joblib.dump. Returns the paths."""
    import joblib
    from sklearn import svm
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    features, labels = embeddings
    os.makedirs(sklearn_dir, exist_ok=True)
    heads = {
        "linear": LogisticRegression(random_state=seed, C=0.316, max_iter=1000,
                                     class_weight="balanced"),
        "knn": KNeighborsClassifier(n_neighbors=1, weights="uniform", metric="cosine",
                                    n_jobs=-1),
        "ocsvm": svm.OneClassSVM(nu=0.1, kernel="poly", gamma="auto"),
    }
    paths = []
    for kind, estimator in heads.items():
        if kind == "ocsvm":
            estimator.fit(features[labels == 0])
        else:
            estimator.fit(features, labels)
        path = os.path.join(sklearn_dir, HEAD_FILES[kind])
        joblib.dump(estimator, path)
        paths.append(path)
    return paths


def make_standin(out_dir, seed=0):
    """Writes the stand-in snapshot under out_dir/hf and returns the converter's arguments."""
    import safetensors_reader
    import vit_hf

    model_dir = os.path.join(out_dir, "hf")
    sklearn_dir = os.path.join(model_dir, "sklearn")
    os.makedirs(sklearn_dir, exist_ok=True)
    with open(os.path.join(model_dir, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(STANDIN_CONFIG, handle, indent=2)
    with open(os.path.join(model_dir, "preprocessor_config.json"), "w",
              encoding="utf-8") as handle:
        json.dump(STANDIN_PREPROCESSOR, handle, indent=2)
    state = _standin_state_dict(STANDIN_CONFIG, seed)
    safetensors_reader.write_safetensors(state, os.path.join(model_dir, "model.safetensors"),
                                         metadata={"format": "pt"})

    # Training embeddings: the stand-in ViT's CLS embeddings of 4 smooth random images,
    # widened into 300 samples around their mean and spread; "fake" rows shifted along a
    # random direction so every head has something to separate. Test images then land
    # inside the training distribution, so no head saturates.
    generator = torch.Generator().manual_seed(seed + 1)
    model = vit_hf.ViTModelNoPooler(STANDIN_CONFIG).eval()
    vit_hf.load_strict(model, state)
    with torch.no_grad():
        cls = model(_probe_images(4, STANDIN_CONFIG["image_size"], generator))[:, 0]
    mean, spread = cls.mean(0).double().numpy(), cls.std(0).double().numpy() + 1e-3
    rng = np.random.default_rng(seed)
    count = 300
    labels = (np.arange(count) % 2).astype(np.int64)  # 0 real, 1 fake
    direction = rng.standard_normal(mean.shape[0])
    direction /= np.linalg.norm(direction)
    features = mean + spread * rng.standard_normal((count, mean.shape[0]))
    features += np.outer(labels, direction) * 2.0 * spread.mean()
    features = features.astype(np.float32)  # the seed's features are float32 numpy
    _fit_heads((features, labels), sklearn_dir, seed)
    return ["--model-dir", model_dir, "--sklearn-dir", sklearn_dir]


# ---------------------------------------------------------------- reference inference


def _parse_official_args(official_args):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--sklearn-dir")
    args, _ = parser.parse_known_args(official_args)
    if args.sklearn_dir is None:
        args.sklearn_dir = os.path.join(args.model_dir, "sklearn")
    return args


def _load_state_dict(model_dir):
    path = os.path.join(model_dir, "model.safetensors")
    if os.path.isfile(path):
        try:
            from safetensors.torch import load_file
            return load_file(path)
        except ImportError:
            import safetensors_reader
            return safetensors_reader.read_safetensors(path)
    return torch.load(os.path.join(model_dir, "pytorch_model.bin"), map_location="cpu")


def _functional_vit(model_dir):
    """transformers' ViTModel forward (pre-norm blocks, exact GELU, final layernorm) written
    directly against the state dict. Returns a function pixel_values -> last_hidden_state."""
    with open(os.path.join(model_dir, "config.json"), "r", encoding="utf-8") as handle:
        cfg = dict(STANDIN_CONFIG, **json.load(handle))
    state = _load_state_dict(model_dir)
    if all(key.startswith("vit.") for key in state):
        state = {key[4:]: value for key, value in state.items()}
    state = {key: value.float() for key, value in state.items()}
    heads, eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
    approximate = "none" if cfg["hidden_act"] == "gelu" else "tanh"

    def norm(x, name):
        return F.layer_norm(x, (x.shape[-1],), state[name + ".weight"], state[name + ".bias"],
                            eps)

    def linear(x, name):
        return F.linear(x, state[name + ".weight"], state.get(name + ".bias"))

    def forward(pixel_values):
        x = F.conv2d(pixel_values, state["embeddings.patch_embeddings.projection.weight"],
                     state["embeddings.patch_embeddings.projection.bias"],
                     stride=cfg["patch_size"])
        x = x.flatten(2).transpose(1, 2)  # [B, N, D]
        cls = state["embeddings.cls_token"].expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + state["embeddings.position_embeddings"]
        batch, tokens, width = x.shape
        head_dim = width // heads
        for index in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{index}."
            h = norm(x, p + "layernorm_before")
            q, k, v = (linear(h, p + "attention.attention." + n)
                       .reshape(batch, tokens, heads, head_dim).transpose(1, 2)
                       for n in ("query", "key", "value"))
            attention = torch.softmax(q @ k.transpose(-1, -2) / head_dim ** 0.5, dim=-1)
            context = (attention @ v).transpose(1, 2).reshape(batch, tokens, width)
            x = x + linear(context, p + "attention.output.dense")
            h = F.gelu(linear(norm(x, p + "layernorm_after"), p + "intermediate.dense"),
                       approximate=approximate)
            x = x + linear(h, p + "output.dense")
        return norm(x, "layernorm")

    return forward


def _seed_vit(model_dir):
    """The seed's model: transformers.AutoModel with the pooler replaced by Identity, when
    transformers is installed; otherwise the functional re-implementation above."""
    try:
        import transformers
    except ImportError:
        return _functional_vit(model_dir)
    model = transformers.AutoModel.from_pretrained(model_dir)
    model.pooler = torch.nn.Identity()
    model.eval()
    return lambda pixel_values: model(pixel_values).last_hidden_state


def _preprocess(path, size):
    image = Image.open(path).convert("RGB")
    tensor = TF.to_tensor(image)  # [3, H, W] float32 in [0, 1]
    tensor = TF.center_crop(tensor, [size, size])  # zero-pads images smaller than size
    return TF.normalize(tensor, IMAGENET_MEAN, IMAGENET_STD)


def _knn_scores(estimator, features):
    """P(fake) as the kNN head module defines it, from the estimator's own kneighbors:
    k == 1: d_real / (d_real + d_fake), the distances to the nearest real and nearest fake
    training embedding; k > 1: predict_proba's share of fake neighbours."""
    k = estimator.n_neighbors
    distances, indices = estimator.kneighbors(features, n_neighbors=k)
    if k > 1:
        p_fake = estimator.predict_proba(features)[:, list(estimator.classes_).index(1)]
        return p_fake, distances
    everything, order = estimator.kneighbors(features, n_neighbors=estimator.n_samples_fit_)
    train_labels = estimator.classes_[estimator._y]
    p_fake = []
    for row_distances, row_order in zip(everything, order):
        is_fake = train_labels[row_order] == 1
        d_fake = max(row_distances[is_fake][0], 1e-12)
        d_real = max(row_distances[~is_fake][0], 1e-12)
        p_fake.append(d_real / (d_real + d_fake))
    return np.array(p_fake), distances


def reference_forward(official_args, image_paths, head="linear"):
    """Per image: {"probabilities": [P(real), P(fake)], "embedding": [192 floats],
    "decision": [...], "predict": sklearn's predicted label}. "decision" is the estimator's
    decision_function (linear, ocsvm) or its kneighbors distances (knn)."""
    import joblib

    args = _parse_official_args(official_args)
    with open(os.path.join(args.model_dir, "config.json"), "r", encoding="utf-8") as handle:
        size = json.load(handle).get("image_size", 224)
    vit = _seed_vit(args.model_dir)
    estimator = joblib.load(os.path.join(args.sklearn_dir, HEAD_FILES[head]))

    results = []
    with torch.no_grad():
        for path in image_paths:
            pixel_values = _preprocess(path, size).unsqueeze(0)  # [1, 3, 224, 224]
            embedding = vit(pixel_values)[:, 0, :]  # [1, 192] float32, the CLS token
            features = embedding.numpy().astype(np.float64)  # as sklearn casts it
            if head == "linear":
                proba = estimator.predict_proba(features)[0]
                p_fake = float(proba[list(estimator.classes_).index(1)])
                decision = estimator.decision_function(features)
            elif head == "knn":
                p_fake_all, decision = _knn_scores(estimator, features)
                p_fake = float(p_fake_all[0])
            else:
                decision = estimator.decision_function(features)
                p_fake = float(1.0 / (1.0 + np.exp(decision[0])))  # sigmoid(-decision)
            results.append({
                "probabilities": [1.0 - p_fake, p_fake],
                "embedding": embedding[0].tolist(),
                "decision": np.asarray(decision, dtype=np.float64).reshape(-1).tolist(),
                "predict": int(estimator.predict(features)[0]),
            })
    return results
