"""Plain-torch ViT with the module tree and state_dict keys of Hugging Face transformers'
`ViTModel(config, add_pooling_layer=False)` (transformers 4.x, models/vit/modeling_vit.py).

Keys (D = hidden_size, I = intermediate_size, P = patch_size, N = (image_size / P)^2):
    embeddings.cls_token                                  [1, 1, D]
    embeddings.position_embeddings                        [1, N + 1, D]
    embeddings.patch_embeddings.projection.{weight,bias}  [D, C, P, P], [D]
    encoder.layer.L.attention.attention.{query,key,value}.{weight,bias}   [D, D], [D]
    encoder.layer.L.attention.output.dense.{weight,bias}  [D, D], [D]
    encoder.layer.L.intermediate.dense.{weight,bias}      [I, D], [I]
    encoder.layer.L.output.dense.{weight,bias}            [D, I], [D]
    encoder.layer.L.layernorm_before.{weight,bias}        [D]
    encoder.layer.L.layernorm_after.{weight,bias}         [D]
    layernorm.{weight,bias}                               [D]

forward(pixel_values [B, C, H, W]) -> last_hidden_state [B, 1 + N, D], after the final
layernorm, as ViTModel's `last_hidden_state`. No position-embedding interpolation: the input
must be image_size x image_size, as ViTModel requires without interpolate_pos_encoding.
The module is torch.jit.script-able.
"""

import json
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# ViTConfig's defaults, used for keys a config.json leaves out.
_CONFIG_DEFAULTS = {
    "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
    "intermediate_size": 3072, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
    "attention_probs_dropout_prob": 0.0, "layer_norm_eps": 1e-12, "image_size": 224,
    "patch_size": 16, "num_channels": 3, "qkv_bias": True,
}

# transformers' ACT2FN names -> torch.nn.GELU's `approximate` argument. "gelu" is the exact
# erf form (transformers' GELUActivation calls torch's gelu); the tanh forms are the
# approximation ("gelu_new" computes the same formula in its own code, equal to rounding).
_GELU_VARIANTS = {"gelu": "none", "gelu_pytorch_tanh": "tanh", "gelu_new": "tanh"}

# Prefixes a checkpoint may carry when it was saved from a wrapper (ViTForImageClassification
# and other transformers heads save the backbone under "vit."; a plain nn.Module wrapper such
# as the seed's VITContrastiveHF saves it under "model.").
KNOWN_PREFIXES = ("vit.", "model.")

# Keys that transformers' AutoModel/ViTModel loading would hold outside the embedding path:
# the pooler (which the seed replaces by nn.Identity) and a classification head.
DROPPED_PREFIXES = ("pooler.", "classifier.")


def _pair(value):
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"expected an int or a pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def vit_config(config):
    """Checks a transformers ViT config (a dict, or the path of config.json) and returns the
    fields this module uses, with ViTConfig's defaults for missing keys."""
    if isinstance(config, str):
        with open(config, "r", encoding="utf-8") as handle:
            config = json.load(handle)
    if not isinstance(config, dict):
        raise ValueError("config.json must hold a JSON object")
    model_type = config.get("model_type", "vit")
    if model_type != "vit":
        raise ValueError(f"config.json says model_type {model_type!r}; this module mirrors "
                         "transformers' ViTModel (model_type 'vit') only")
    merged = dict(_CONFIG_DEFAULTS)
    merged.update({key: config[key] for key in _CONFIG_DEFAULTS if key in config})
    if merged["hidden_act"] not in _GELU_VARIANTS:
        raise ValueError(f"hidden_act {merged['hidden_act']!r} is not supported "
                         f"(supported: {', '.join(_GELU_VARIANTS)})")
    if merged["hidden_size"] % merged["num_attention_heads"] != 0:
        raise ValueError(f"hidden_size {merged['hidden_size']} is not a multiple of "
                         f"num_attention_heads {merged['num_attention_heads']}")
    merged["image_size"] = _pair(merged["image_size"])
    merged["patch_size"] = _pair(merged["patch_size"])
    for axis in range(2):
        if merged["image_size"][axis] % merged["patch_size"][axis] != 0:
            raise ValueError(f"image_size {merged['image_size']} is not a multiple of "
                             f"patch_size {merged['patch_size']}")
    return merged


class ViTPatchEmbeddings(nn.Module):
    """Non-overlapping P x P patches projected by a stride-P convolution:
    [B, C, H, W] -> [B, N, D]."""

    def __init__(self, cfg):
        super().__init__()
        self.image_size: Tuple[int, int] = cfg["image_size"]
        self.patch_size: Tuple[int, int] = cfg["patch_size"]
        self.num_channels: int = int(cfg["num_channels"])
        self.num_patches: int = ((self.image_size[0] // self.patch_size[0])
                                 * (self.image_size[1] // self.patch_size[1]))
        self.projection = nn.Conv2d(self.num_channels, cfg["hidden_size"],
                                    kernel_size=self.patch_size, stride=self.patch_size)

    def forward(self, pixel_values: Tensor) -> Tensor:
        if pixel_values.dim() != 4 or pixel_values.size(1) != self.num_channels:
            raise ValueError("expected pixel_values [B, {}, H, W]".format(self.num_channels))
        height, width = pixel_values.size(2), pixel_values.size(3)
        if height != self.image_size[0] or width != self.image_size[1]:
            raise ValueError("input image size ({}*{}) doesn't match model ({}*{})".format(
                height, width, self.image_size[0], self.image_size[1]))
        return self.projection(pixel_values).flatten(2).transpose(1, 2)  # [B, N, D]


class ViTEmbeddings(nn.Module):
    """[CLS] token prepended to the patch embeddings, then learnt absolute positions added.
    Registration order as transformers: cls_token, patch_embeddings, position_embeddings,
    dropout (no mask_token: ViTModel's use_mask_token defaults to False)."""

    def __init__(self, cfg):
        super().__init__()
        hidden = cfg["hidden_size"]
        self.cls_token = nn.Parameter(torch.zeros(1, 1, hidden))
        self.patch_embeddings = ViTPatchEmbeddings(cfg)
        self.position_embeddings = nn.Parameter(
            torch.zeros(1, self.patch_embeddings.num_patches + 1, hidden))
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])

    def forward(self, pixel_values: Tensor) -> Tensor:
        patches = self.patch_embeddings(pixel_values)  # [B, N, D]
        cls = self.cls_token.expand(patches.size(0), -1, -1)  # [B, 1, D]
        embeddings = torch.cat((cls, patches), dim=1) + self.position_embeddings  # [B, 1+N, D]
        return self.dropout(embeddings)


class ViTSelfAttention(nn.Module):
    """Multi-head scaled dot-product attention with separate query/key/value projections."""

    def __init__(self, cfg):
        super().__init__()
        hidden = cfg["hidden_size"]
        self.num_attention_heads: int = int(cfg["num_attention_heads"])
        self.attention_head_size: int = hidden // self.num_attention_heads
        self.all_head_size: int = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(hidden, self.all_head_size, bias=bool(cfg["qkv_bias"]))
        self.key = nn.Linear(hidden, self.all_head_size, bias=bool(cfg["qkv_bias"]))
        self.value = nn.Linear(hidden, self.all_head_size, bias=bool(cfg["qkv_bias"]))
        self.scaling: float = float(self.attention_head_size) ** -0.5
        self.dropout = nn.Dropout(cfg["attention_probs_dropout_prob"])

    def _heads(self, x: Tensor) -> Tensor:
        # [B, T, H*d] -> [B, H, T, d]
        return x.view(x.size(0), x.size(1), self.num_attention_heads,
                      self.attention_head_size).permute(0, 2, 1, 3)

    def forward(self, hidden_states: Tensor) -> Tensor:
        query = self._heads(self.query(hidden_states))
        key = self._heads(self.key(hidden_states))
        value = self._heads(self.value(hidden_states))
        scores = torch.matmul(query, key.transpose(-1, -2)) * self.scaling  # [B, H, T, T]
        probs = self.dropout(F.softmax(scores, dim=-1))
        context = torch.matmul(probs, value).permute(0, 2, 1, 3).contiguous()  # [B, T, H, d]
        return context.view(context.size(0), context.size(1), self.all_head_size)


class ViTSelfOutput(nn.Module):
    """Output projection of the attention; the residual is added in ViTLayer."""

    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])

    def forward(self, hidden_states: Tensor) -> Tensor:
        return self.dropout(self.dense(hidden_states))


class ViTAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = ViTSelfAttention(cfg)
        self.output = ViTSelfOutput(cfg)

    def forward(self, hidden_states: Tensor) -> Tensor:
        return self.output(self.attention(hidden_states))


class ViTIntermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["intermediate_size"])
        self.intermediate_act_fn = nn.GELU(approximate=_GELU_VARIANTS[cfg["hidden_act"]])

    def forward(self, hidden_states: Tensor) -> Tensor:
        return self.intermediate_act_fn(self.dense(hidden_states))


class ViTOutput(nn.Module):
    """MLP down-projection plus the second residual connection."""

    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["intermediate_size"], cfg["hidden_size"])
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])

    def forward(self, hidden_states: Tensor, input_tensor: Tensor) -> Tensor:
        return self.dropout(self.dense(hidden_states)) + input_tensor


class ViTLayer(nn.Module):
    """Pre-norm transformer block: x + attn(LN(x)), then y + mlp(LN(y))."""

    def __init__(self, cfg):
        super().__init__()
        self.attention = ViTAttention(cfg)
        self.intermediate = ViTIntermediate(cfg)
        self.output = ViTOutput(cfg)
        self.layernorm_before = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])
        self.layernorm_after = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])

    def forward(self, hidden_states: Tensor) -> Tensor:
        hidden_states = self.attention(self.layernorm_before(hidden_states)) + hidden_states
        return self.output(self.intermediate(self.layernorm_after(hidden_states)),
                           hidden_states)


class ViTEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([ViTLayer(cfg) for _ in range(cfg["num_hidden_layers"])])

    def forward(self, hidden_states: Tensor) -> Tensor:
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states)
        return hidden_states


class ViTModelNoPooler(nn.Module):
    """transformers' ViTModel(config, add_pooling_layer=False), inference only."""

    def __init__(self, config):
        super().__init__()
        cfg = vit_config(config)
        self.hidden_size: int = int(cfg["hidden_size"])
        self.embeddings = ViTEmbeddings(cfg)
        self.encoder = ViTEncoder(cfg)
        self.layernorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])

    def forward(self, pixel_values: Tensor) -> Tensor:
        hidden_states = self.encoder(self.embeddings(pixel_values))  # [B, 1+N, D]
        return self.layernorm(hidden_states)


def init_like_transformers(model, initializer_range=0.02, generator=None):
    """ViTPreTrainedModel._init_weights: truncated normal (std 0.02) for linear and conv
    weights, cls_token and position_embeddings; zero biases; LayerNorm weight 1, bias 0."""

    def trunc_normal_(tensor):
        with torch.no_grad():
            # Truncation at +-2 std, as nn.init.trunc_normal_'s default bounds do for std 1.
            values = torch.randn(tensor.shape, generator=generator).clamp_(-2.0, 2.0)
            tensor.copy_(values * initializer_range)

    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            trunc_normal_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, ViTEmbeddings):
            trunc_normal_(module.position_embeddings)
            trunc_normal_(module.cls_token)
    return model


def _drop_unused(state_dict, notes):
    dropped = sorted(key for key in state_dict if key.startswith(DROPPED_PREFIXES))
    if dropped:
        notes.append("dropped " + ", ".join(dropped)
                     + " (outside the embedding path: the seed replaces ViTModel's pooler by "
                       "nn.Identity and takes the CLS token of last_hidden_state; AutoModel "
                       "ignores a classification head)")
    return {key: value for key, value in state_dict.items() if key not in dropped}


def adapt_state_dict(state_dict, expected_keys):
    """Maps a checkpoint's keys onto ViTModelNoPooler's.

    Drops the pooler and classifier keys, which the seed never uses (it replaces ViTModel's
    pooler by nn.Identity), and strips one known prefix when every remaining key carries it.
    Returns (state_dict, notes) where notes say what was changed."""
    notes: List[str] = []
    state_dict = _drop_unused(dict(state_dict), notes)
    keys = list(state_dict.keys())
    if keys and not any(key in set(expected_keys) for key in keys):
        for prefix in KNOWN_PREFIXES:
            if all(key.startswith(prefix) for key in keys):
                state_dict = {key[len(prefix):]: value for key, value in state_dict.items()}
                notes.append(f"stripped the key prefix {prefix!r} from {len(keys)} keys")
                state_dict = _drop_unused(state_dict, notes)
                break
    return state_dict, notes


def _listing(keys, limit=12):
    shown = ", ".join(keys[:limit])
    return shown + (f" ... and {len(keys) - limit} more" if len(keys) > limit else "")


def load_strict(model, state_dict):
    """load_state_dict(strict=True) with an error naming every missing, unexpected or
    wrongly shaped key. Converts floating tensors to float32 (the module's dtype). Returns
    the notes of adapt_state_dict plus any dtype conversion."""
    expected = model.state_dict()
    state_dict, notes = adapt_state_dict(state_dict, expected.keys())
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    wrong_shape = sorted(
        f"{key}: checkpoint {list(state_dict[key].shape)}, model {list(expected[key].shape)}"
        for key in set(expected) & set(state_dict)
        if tuple(state_dict[key].shape) != tuple(expected[key].shape))
    if missing or unexpected or wrong_shape:
        parts = []
        if missing:
            parts.append(f"missing keys ({len(missing)}): " + _listing(missing))
        if unexpected:
            parts.append(f"unexpected keys ({len(unexpected)}): " + _listing(unexpected))
        if wrong_shape:
            parts.append("shape mismatches: " + "; ".join(wrong_shape[:12]))
        raise ValueError("the checkpoint does not match transformers' ViTModel for this "
                         "config.json: " + " | ".join(parts))
    dtypes = sorted({str(value.dtype).replace("torch.", "") for value in state_dict.values()
                     if value.dtype != torch.float32})
    if dtypes:
        notes.append("converted " + ", ".join(dtypes) + " tensors to float32")
    converted: Dict[str, Tensor] = {key: value.to(torch.float32)
                                    for key, value in state_dict.items()}
    model.load_state_dict(converted, strict=True)
    return notes
