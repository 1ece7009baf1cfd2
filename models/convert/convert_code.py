#!/usr/bin/env python3
"""Converts CoDE (Baraldi et al., ECCV 2024) into ForgeLens bundles, one per sklearn head.

CoDE is a ViT-Tiny/16 (timm's vit_tiny_patch16_224, published as a transformers ViTModel)
whose embedding is the CLS token of the last hidden state (192 values). The seed classifies
that embedding with one of three scikit-learn heads:
    linear: LogisticRegression(C=0.316)         sklearn/linear_tot_classifier_epoch-32.sav
    knn:    KNeighborsClassifier(1, "cosine")   sklearn/knn_tot_classifier_epoch-32.sav
    ocsvm:  OneClassSVM(nu=0.1, kernel="poly")  sklearn/ocsvm_kernel_poly_gamma_auto_nu_0_1_crop.joblib
Each bundle holds the ViT and one head (as tensors; nothing is pickled into the bundle).

What the user needs, on the machine that has the official files:
    pip install torch torchvision numpy scikit-learn joblib
scikit-learn and joblib only to unpickle the heads (the seed pinned scikit-learn 1.3.2; other
versions usually load the files with a version warning). No transformers, no safetensors,
no network. Get the files with e.g.
    huggingface-cli download aimagelab/CoDE --local-dir CoDE
then run
    python3 convert_code.py --model-dir CoDE --out-dir bundles/ --trust-pickle
The heads exist only as pickles, and unpickling runs code from the files: --trust-pickle says
they come from the official source. The ViT weights are read with the restricted unpickler.
"""

import argparse
import json
import os
import sys

import torch
from torch import Tensor, nn
from typing import Dict

import bundle_writer
import safe_checkpoint
import safetensors_reader
import sklearn_heads
import vit_hf

HEAD_FILES = {
    "linear": "linear_tot_classifier_epoch-32.sav",
    "knn": "knn_tot_classifier_epoch-32.sav",
    "ocsvm": "ocsvm_kernel_poly_gamma_auto_nu_0_1_crop.joblib",
}

HEAD_NAMES = {
    "linear": "logistic regression",
    "knn": "1-nearest-neighbour (cosine)",
    "ocsvm": "one-class SVM (polynomial kernel)",
}

# The seed's own decision rule for each head (src/inference/validate_d3.py thresholds the
# predicted label at 0.5; the SVM's predict is -1/+1). With the head modules' logits these
# are all sigmoid(logit) >= 0.5 (ties aside).
DECISION_RULES = {
    "linear": "the seed's own decision rule: LogisticRegression.predict, i.e. "
              "predict_proba(fake) >= 0.5 (sklearn predicts class 1 when the decision "
              "function is > 0)",
    "knn": "the seed's own decision rule: KNeighborsClassifier.predict, the label of the "
           "nearest training embedding (cosine distance); the score d_real / (d_real + d_fake) "
           "is >= 0.5 exactly when that neighbour is fake",
    "ocsvm": "the seed's own decision rule: OneClassSVM.predict, -1 (outlier, decision_function "
             "< 0) means fake since the SVM was fitted on real images only; "
             "sigmoid(-decision) >= 0.5 is the same rule",
}

HEAD_OUTPUTS = {
    "linear": {"decision": "[B] float64, LogisticRegression.decision_function"},
    "knn": {"neighbour_distances": "[B, k] float64, cosine distances of the k nearest "
                                   "training embeddings (KNeighborsClassifier.kneighbors)",
            "neighbour_indices": "[B, k] int64, their rows in the training set",
            "neighbour_labels": "[B, k] int64, their training labels (0 real, 1 fake)"},
    "ocsvm": {"decision": "[B] float64, OneClassSVM.decision_function (> 0: inlier, real)"},
}

PAPER = ("Baraldi, Cocchi, Cornia, Baraldi, Nicolosi, Cucchiara, Contrasting Deepfakes "
         "Diffusion via Contrastive Learning and Global-Local Similarities, ECCV 2024, "
         "arXiv:2407.20337")

LICENSE = ("code: MIT (github.com/aimagelab/CoDE LICENSE); weights: see the Hugging Face "
           "model card of aimagelab/CoDE")

TRAINED_ON = ("D3 (ELSA D3): LAION-400M real images vs Stable Diffusion 1.4, Stable Diffusion "
              "2.1, Stable Diffusion XL and DeepFloyd IF images of the same captions; the "
              "sklearn heads were fitted on CoDE embeddings of D3 training images")

PREPROCESSING_NOTE = (
    "The seed runs torchvision CenterCrop(224) on the PIL image, then ToTensor and Normalize; "
    "no resize (its processor's do_resize is set to False and the processor is not used). "
    "Cropping is a pure pixel copy and images smaller than 224 are padded with zeros (black, "
    "before normalisation) on both paths, so cropping the tensor gives the same values. "
    "torchvision's centre offset is int(round((H - 224) / 2)) (round half to even). Only "
    "the decoder can differ: PIL's JPEG decoder versus the app's; EXIF orientation is "
    "ignored by the seed.")


class CodeDetector(nn.Module):
    """ViT -> CLS embedding [B, D] -> sklearn head. Returns the head's outputs ("logits"
    [B, 1] float32 and its scores, float64) plus "embedding" [B, D] float32."""

    def __init__(self, vit: nn.Module, head: nn.Module):
        super().__init__()
        self.vit = vit
        self.head = head

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        hidden = self.vit(x)  # [B, 1 + N, D]
        embedding = hidden[:, 0].contiguous()  # [B, D], the CLS token
        outputs = self.head(embedding)
        outputs["embedding"] = embedding
        return outputs


def fail(message, code=2):
    print(f"convert_code: error: {message}", file=sys.stderr)
    sys.exit(code)


def find_weights(model_dir):
    """The snapshot's weights file: model.safetensors, else pytorch_model.bin."""
    for name in ("model.safetensors", "pytorch_model.bin"):
        path = os.path.join(model_dir, name)
        if os.path.isfile(path):
            return path
    if os.path.isfile(os.path.join(model_dir, "model.safetensors.index.json")):
        fail(f"{model_dir} holds a sharded checkpoint; CoDE's is a single file: "
             "download model.safetensors")
    fail(f"no model.safetensors or pytorch_model.bin in {model_dir}: download the Hugging "
         "Face snapshot of aimagelab/CoDE (huggingface-cli download aimagelab/CoDE "
         "--local-dir DIR)")


def read_weights(path):
    if path.endswith(".safetensors"):
        return safetensors_reader.read_safetensors(path)
    def refuse(message):
        raise ValueError(message)

    state = safe_checkpoint.load_checkpoint(path, False, refuse)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor)
                                              for v in state.values()):
        raise ValueError(f"{path} is not a state dict of tensors")
    return state


def load_vit(model_dir):
    """Returns (eager ViTModelNoPooler in eval mode, weights path, config path, notes)."""
    config_path = os.path.join(model_dir, "config.json")
    if not os.path.isfile(config_path):
        fail(f"no config.json in {model_dir}: pass the Hugging Face snapshot directory of "
             "aimagelab/CoDE as --model-dir")
    weights_path = find_weights(model_dir)
    try:
        model = vit_hf.ViTModelNoPooler(config_path)
        notes = vit_hf.load_strict(model, read_weights(weights_path))
    except (ValueError, json.JSONDecodeError, KeyError, RuntimeError) as error:
        fail(f"{weights_path}: {error}", code=1)
    return model.eval(), weights_path, config_path, notes


def load_head(sklearn_dir, kind, trust_pickle):
    path = os.path.join(sklearn_dir, HEAD_FILES[kind])
    if not os.path.isfile(path):
        fail(f"no {HEAD_FILES[kind]} in {sklearn_dir}: it is in the sklearn/ folder of the "
             "aimagelab/CoDE snapshot")
    # A scikit-learn estimator exists only as a pickle, and unpickling it runs code from the
    # file: never without the user's word that the file comes from a source they trust.
    if not trust_pickle:
        fail(f"{path} is a scikit-learn pickle: reading it runs code stored in the file. "
             "Convert it only if it comes from the official aimagelab/CoDE snapshot, and say "
             "so with --trust-pickle")
    try:
        estimator = sklearn_heads.load_estimator(path)
    except Exception as error:  # an unpickling failure can raise almost anything
        fail(f"cannot unpickle {path}: {type(error).__name__}: {error} (install "
             "scikit-learn and joblib; the seed used scikit-learn 1.3.2)", code=1)
    return estimator, path


def check_head_against_sklearn(kind, estimator, head, embeddings):
    """Runs the head module and the estimator on the same embeddings [B, D] and raises
    if they disagree: a conversion-time proof that the tensors reproduce sklearn."""
    import numpy as np
    features = embeddings.numpy().astype(np.float64)
    with torch.no_grad():
        out = head(embeddings)
    p_fake = torch.sigmoid(out["logits"].to(torch.float64))[:, 0].numpy()
    if kind == "linear":
        error = np.abs(out["decision"].numpy() - estimator.decision_function(features)).max()
        fake_column = list(estimator.classes_).index(1)
        error = max(error, np.abs(p_fake - estimator.predict_proba(features)[:, fake_column])
                    .max())
        predicted_fake = estimator.predict(features) == 1
    elif kind == "knn":
        distances, _ = estimator.kneighbors(features)
        error = np.abs(out["neighbour_distances"].numpy() - distances).max()
        predicted_fake = estimator.predict(features) == 1
    else:
        error = np.abs(out["decision"].numpy() - estimator.decision_function(features)).max()
        predicted_fake = estimator.predict(features) == -1
    if error > 1e-6 or not np.array_equal(p_fake >= 0.5, predicted_fake):
        raise ValueError(f"the {kind} head disagrees with scikit-learn (max error {error:.3g})")
    return float(error)


def source_entries(model_dir, config_path, weights_path, head_path):
    entries = bundle_writer.source_entries([config_path, weights_path], root=model_dir)
    processor = os.path.join(model_dir, "preprocessor_config.json")
    if os.path.isfile(processor):
        entries += bundle_writer.source_entries([processor], root=model_dir)
    head_entry = bundle_writer.source_entries([head_path])[0]
    head_entry["file"] = "sklearn/" + os.path.basename(head_path)
    return entries + [head_entry]


def build_manifest(kind, estimator, cfg, weights_path, sources, notes):
    image_size = list(cfg["image_size"])
    key_note = "strict" if not notes else "strict, after: " + "; ".join(notes)
    head_entry = sklearn_heads.head_manifest(estimator)
    head_entry["file"] = "sklearn/" + HEAD_FILES[kind]
    return {
        "id": f"code-vit-tiny-{kind}",
        "name": f"CoDE ViT-Tiny + {HEAD_NAMES[kind]} head",
        "version": "1.0",
        "family": "code",
        "paper": PAPER,
        "license": LICENSE,
        "source": "Hugging Face aimagelab/CoDE (config.json, "
                  f"{os.path.basename(weights_path)}, sklearn/{HEAD_FILES[kind]})",
        "sha256": bundle_writer.file_sha256(weights_path),
        "sources": sources,
        "trained_on": TRAINED_ON,
        # The paper's tables could not be read where this converter was written; see
        # /tmp/research/code.md. Left empty rather than quoting unverified figures.
        "reported": [],
        "task": "binary",
        "classes": ["real", "fake"],
        "fake_classes": ["fake"],
        "input": {
            "value_range": [0, 1],
            "channel_order": "rgb",
            "exif_orientation": "ignore",
            "mean": bundle_writer.IMAGENET_MEAN,
            "std": bundle_writer.IMAGENET_STD,
            "resize": {"policy": "none"},
            "crop": {"policy": "center", "size": image_size},
            "order": ["resize", "crop", "normalize"],
        },
        "head": head_entry,
        "threshold": {"value": 0.5, "chosen_by": DECISION_RULES[kind]},
        "calibration": {"method": "none"},
        "embedding": True,
        "patch_map": False,
        "outputs": dict(HEAD_OUTPUTS[kind],
                        embedding=f"[B, {cfg['hidden_size']}] float32, CLS token of "
                                  "ViTModel's last_hidden_state (after the final layernorm)"),
        "architecture": {
            "name": "ViT-Tiny/16 (timm vit_tiny_patch16_224, "
                    f"{cfg['num_hidden_layers']} layers, width {cfg['hidden_size']}, "
                    f"{cfg['num_attention_heads']} heads)",
            "mirrors": "transformers 4.x ViTModel(add_pooling_layer=False) "
                       "(models/vit/modeling_vit.py): same module tree and keys, "
                       f"hidden_act {cfg['hidden_act']}, layer_norm_eps {cfg['layer_norm_eps']}",
            "state_dict_keys": key_note,
        },
        "preprocessing_note": PREPROCESSING_NOTE,
        "converter": bundle_writer.converter_entry(__file__),
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", required=True,
                        help="the Hugging Face snapshot of aimagelab/CoDE: config.json and "
                             "model.safetensors (or pytorch_model.bin)")
    parser.add_argument("--sklearn-dir",
                        help="folder holding the three head files (default: MODEL_DIR/sklearn)")
    parser.add_argument("--out-dir", required=True, help="where the bundles are written")
    parser.add_argument("--trust-pickle", dest="trust_pickle", action="store_true",
                        help="unpickle the scikit-learn heads (this runs code from the files: "
                             "only for the official snapshot)")
    bundle_writer.add_stand_in_option(parser)
    parser.add_argument("--heads", default="linear,knn,ocsvm",
                        help="comma-separated subset of linear,knn,ocsvm (default: all)")
    args = parser.parse_args(argv)
    args.heads = [h.strip() for h in args.heads.split(",") if h.strip()]
    unknown = [h for h in args.heads if h not in HEAD_FILES]
    if unknown or not args.heads:
        parser.error(f"--heads takes linear, knn, ocsvm; got {args.heads}")
    if args.sklearn_dir is None:
        args.sklearn_dir = os.path.join(args.model_dir, "sklearn")
    return args


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isdir(args.model_dir):
        fail(f"--model-dir {args.model_dir} is not a directory")
    if not os.path.isdir(args.sklearn_dir):
        fail(f"--sklearn-dir {args.sklearn_dir} is not a directory")
    vit, weights_path, config_path, notes = load_vit(args.model_dir)
    cfg = vit_hf.vit_config(config_path)
    for note in notes:
        print(f"convert_code: {note}")
    scripted_vit = torch.jit.script(vit)

    # One random input through the eager and the scripted ViT; its embedding and three
    # jittered copies [4, D] then prove each head reproduces sklearn. (One image only: a
    # ViT-Tiny forward takes about a second on one CPU core.)
    generator = torch.Generator().manual_seed(0)
    probe = torch.randn(1, cfg["num_channels"], *cfg["image_size"], generator=generator)
    with torch.no_grad():
        probe_embedding = vit(probe)[:, 0].contiguous()  # [1, D]
        scripted_error = (scripted_vit(probe)[:, 0] - probe_embedding).abs().max().item()
    if scripted_error > 1e-5:
        fail(f"the scripted ViT differs from the eager one by {scripted_error:.3g}", code=1)
    jitter = torch.randn(3, probe_embedding.shape[1], generator=generator)
    probe_embeddings = torch.cat([probe_embedding,
                                  probe_embedding + 0.3 * probe_embedding.std() * jitter])

    written = []
    for kind in args.heads:
        estimator, head_path = load_head(args.sklearn_dir, kind, args.trust_pickle)
        try:
            head = sklearn_heads.head_from_estimator(estimator).eval()
            error = check_head_against_sklearn(kind, estimator, head, probe_embeddings)
        except ValueError as problem:
            fail(f"{head_path}: {problem}", code=1)
        module = torch.jit.script(CodeDetector(scripted_vit, torch.jit.script(head)).eval())
        with torch.no_grad():
            outputs = module(probe)
        if (outputs["embedding"] - probe_embedding).abs().max().item() > 1e-5:
            fail("the bundle's embedding differs from the eager ViT's", code=1)
        sources = source_entries(args.model_dir, config_path, weights_path, head_path)
        manifest = build_manifest(kind, estimator, cfg, weights_path, sources, notes)
        out_path = os.path.join(args.out_dir, f"code-vit-tiny-{kind}.pt")
        bundle_writer.write_bundle(module, manifest, out_path, stand_in=args.stand_in)
        size = os.path.getsize(out_path)
        print(f"convert_code: wrote {out_path} ({size / 1e6:.1f} MB; head "
              f"{manifest['head']['type']}, agrees with scikit-learn to {error:.1e})")
        written.append(out_path)
    return written


if __name__ == "__main__":
    main()
