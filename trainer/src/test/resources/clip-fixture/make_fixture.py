#!/usr/bin/python3
"""Builds the CLIP reference fixture of the trainer's import tests (see README.md beside this file).

A small random CLIP, written in Hugging Face CLIPModel layout (single file, two shards with an index, float16) and in
open_clip layout, a tokenizer.json in exactly CLIP's format over a small BPE vocabulary learned here, fixed inputs,
and the reference outputs of an independent PyTorch implementation of transformers' CLIPModel forward
(modeling_clip.py: CLIPVisionTransformer / CLIPTextTransformer / CLIPEncoderLayer, pre-LN, causal text attention,
text pooled at the first eos_token_id, or at the argmax of the ids for eos_token_id == 2).

Needs only python3-torch, python3-numpy and python3-regex (Debian). Deterministic: rerunning rewrites the same files.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import regex
import torch

OUT = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1234)

# ---------------------------------------------------------------- tokenizer: CLIP's byte-level BPE, small vocabulary

def bytes_to_unicode():
    """CLIP's (and GPT-2's) byte → printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()
# CLIP's simple_tokenizer pattern, as in its tokenizer.json Split pre-tokenizer
PATTERN = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
SOT, EOT = "<|startoftext|>", "<|endoftext|>"


def words(text):
    """CLIP's preprocessing: whitespace collapsed, lower-cased, split by the pattern, bytes mapped to characters."""
    text = regex.sub(r"\s+", " ", text).strip().lower()
    return ["".join(BYTE_ENCODER[b] for b in w.encode("utf-8")) for w in regex.findall(PATTERN, text)]


def merge_pair(symbols, pair):
    """Every occurrence of the adjacent pair joined into one symbol, left to right."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def learn_merges(corpus, count):
    """Plain BPE training over the corpus's words (each ending in </w>), most frequent pair first, ties by order."""
    freq = {}
    for line in corpus:
        for w in words(line):
            symbols = tuple(list(w[:-1]) + [w[-1] + "</w>"])
            freq[symbols] = freq.get(symbols, 0) + 1
    merges = []
    for _ in range(count):
        pairs = {}
        for symbols, f in freq.items():
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + f
        if not pairs:
            break
        best = max(sorted(pairs), key=lambda p: pairs[p])
        merges.append(best)
        merged = {}
        for symbols, f in freq.items():
            out = tuple(merge_pair(symbols, best))
            merged[out] = merged.get(out, 0) + f
        freq = merged
    return merges


def build_vocab(merges):
    """CLIP's vocabulary order: 256 byte characters, the same with </w>, one token per merge, then SOT and EOT."""
    chars = list(BYTE_ENCODER.values())
    vocab = chars + [c + "</w>" for c in chars] + ["".join(m) for m in merges] + [SOT, EOT]
    return {token: i for i, token in enumerate(vocab)}


def bpe(word, ranks):
    """CLIP's simple_tokenizer.bpe: repeatedly merge the lowest-ranked pair."""
    symbols = list(word[:-1]) + [word[-1] + "</w>"]
    while len(symbols) > 1:
        pairs = [(ranks.get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
        rank, at = min(pairs)
        if rank == math.inf:
            break
        symbols = merge_pair(symbols, (symbols[at], symbols[at + 1]))
    return symbols


def encode(text, vocab, ranks, context):
    ids = [vocab[SOT]]
    for w in words(text):
        ids.extend(vocab[t] for t in bpe(w, ranks))
    ids = ids[: context - 1] + [vocab[EOT]]
    return ids


def tokenizer_json(vocab, merges):
    """tokenizer.json exactly as openai/clip-vit-base-patch32 ships it, with this vocabulary."""
    def added(token):
        return {"id": vocab[token], "content": token, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": True, "special": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(SOT), added(EOT)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFC"},
            {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
            {"type": "Lowercase"}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": PATTERN}, "behavior": "Removed", "invert": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "RobertaProcessing", "sep": [EOT, vocab[EOT]], "cls": [SOT, vocab[SOT]],
                           "trim_offsets": False, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": EOT, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }


CORPUS = [
    "a photo of a cat", "a photo of a dog", "a photo of the cat sitting on a mat", "two dogs playing in the park",
    "a red car on the street", "a bowl of fruit on a table", "the cat and the dog", "a photo of a bird in the sky",
    "people walking on the beach", "a plate of food", "a cat sleeping on the sofa", "a dog running on the grass",
]
merges = learn_merges(CORPUS, 100)
vocab = build_vocab(merges)
ranks = {m: i for i, m in enumerate(merges)}

# ---------------------------------------------------------------- model: a small random CLIP

CONTEXT = 16
CONFIG = {
    "architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": 16, "logit_scale_init_value": 2.6592,
    "torch_dtype": "float32",
    "text_config": {"model_type": "clip_text_model", "vocab_size": len(vocab), "hidden_size": 32,
                    "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
                    "max_position_embeddings": CONTEXT, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
                    "projection_dim": 16, "pad_token_id": 1, "bos_token_id": vocab[SOT], "eos_token_id": vocab[EOT]},
    "vision_config": {"model_type": "clip_vision_model", "hidden_size": 32, "intermediate_size": 64,
                      "num_hidden_layers": 2, "num_attention_heads": 2, "image_size": 32, "patch_size": 8,
                      "num_channels": 3, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5, "projection_dim": 16},
}
T, V = CONFIG["text_config"], CONFIG["vision_config"]
E = CONFIG["projection_dim"]


def randn(*shape, std=0.1):
    return torch.randn(*shape, dtype=torch.float64) * std


def norm(prefix, width, w):
    w[prefix + ".weight"] = 1 + randn(width)
    w[prefix + ".bias"] = randn(width)


def encoder(prefix, cfg, w):
    d, h = cfg["hidden_size"], cfg["intermediate_size"]
    for i in range(cfg["num_hidden_layers"]):
        p = f"{prefix}.encoder.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w[p + f"self_attn.{proj}.weight"] = randn(d, d, std=d ** -0.5)
            w[p + f"self_attn.{proj}.bias"] = randn(d)
        norm(p + "layer_norm1", d, w)
        w[p + "mlp.fc1.weight"] = randn(h, d, std=d ** -0.5)
        w[p + "mlp.fc1.bias"] = randn(h)
        w[p + "mlp.fc2.weight"] = randn(d, h, std=h ** -0.5)
        w[p + "mlp.fc2.bias"] = randn(d)
        norm(p + "layer_norm2", d, w)


W = {}
vd, td = V["hidden_size"], T["hidden_size"]
grid = V["image_size"] // V["patch_size"]
W["vision_model.embeddings.class_embedding"] = randn(vd, std=0.5)
W["vision_model.embeddings.patch_embedding.weight"] = randn(vd, 3, V["patch_size"], V["patch_size"], std=0.1)
W["vision_model.embeddings.position_embedding.weight"] = randn(grid * grid + 1, vd, std=0.5)
norm("vision_model.pre_layrnorm", vd, W)
encoder("vision_model", V, W)
norm("vision_model.post_layernorm", vd, W)
W["visual_projection.weight"] = randn(E, vd, std=vd ** -0.5)
W["text_model.embeddings.token_embedding.weight"] = randn(len(vocab), td, std=0.5)
W["text_model.embeddings.position_embedding.weight"] = randn(CONTEXT, td, std=0.5)
encoder("text_model", T, W)
norm("text_model.final_layer_norm", td, W)
W["text_projection.weight"] = randn(E, td, std=td ** -0.5)
W["logit_scale"] = torch.tensor(3.1, dtype=torch.float64)  # not the init value, so a test sees it was loaded

# ---------------------------------------------------------------- forward: transformers' CLIPModel, written again


def act(x, name):
    return x * torch.sigmoid(1.702 * x) if name == "quick_gelu" else torch.nn.functional.gelu(x)


def layer_norm(x, prefix, eps):
    return torch.nn.functional.layer_norm(x, x.shape[-1:], W[prefix + ".weight"], W[prefix + ".bias"], eps)


def linear(x, prefix, bias=True):
    return torch.nn.functional.linear(x, W[prefix + ".weight"], W[prefix + ".bias"] if bias else None)


def attention(x, prefix, heads, mask):
    b, t, d = x.shape
    hd = d // heads
    q = linear(x, prefix + ".q_proj") * hd ** -0.5
    k = linear(x, prefix + ".k_proj")
    v = linear(x, prefix + ".v_proj")
    split = lambda y: y.view(b, t, heads, hd).transpose(1, 2)
    scores = split(q) @ split(k).transpose(-1, -2)
    if mask is not None:
        scores = scores + mask
    out = (scores.softmax(-1) @ split(v)).transpose(1, 2).reshape(b, t, d)
    return linear(out, prefix + ".out_proj")


def run_encoder(x, prefix, cfg, mask):
    for i in range(cfg["num_hidden_layers"]):
        p = f"{prefix}.encoder.layers.{i}"
        eps = cfg["layer_norm_eps"]
        x = x + attention(layer_norm(x, p + ".layer_norm1", eps), p + ".self_attn", cfg["num_attention_heads"], mask)
        h = act(linear(layer_norm(x, p + ".layer_norm2", eps), p + ".mlp.fc1"), cfg["hidden_act"])
        x = x + linear(h, p + ".mlp.fc2")
    return x


def vision_forward(pixels):
    b = pixels.shape[0]
    patches = torch.nn.functional.conv2d(pixels, W["vision_model.embeddings.patch_embedding.weight"],
                                         stride=V["patch_size"]).flatten(2).transpose(1, 2)
    cls = W["vision_model.embeddings.class_embedding"].expand(b, 1, -1)
    x = torch.cat([cls, patches], 1) + W["vision_model.embeddings.position_embedding.weight"]
    x = layer_norm(x, "vision_model.pre_layrnorm", V["layer_norm_eps"])
    x = run_encoder(x, "vision_model", V, None)
    pooled = layer_norm(x[:, 0, :], "vision_model.post_layernorm", V["layer_norm_eps"])
    return pooled, linear(pooled, "visual_projection", bias=False)


def text_forward(ids):
    b, t = ids.shape
    x = W["text_model.embeddings.token_embedding.weight"][ids] + W["text_model.embeddings.position_embedding.weight"][:t]
    mask = torch.full((t, t), -math.inf, dtype=torch.float64).triu(1)
    x = run_encoder(x, "text_model", T, mask)
    x = layer_norm(x, "text_model.final_layer_norm", T["layer_norm_eps"])
    if T["eos_token_id"] == 2:  # the original configs: the end token has the largest id
        end = ids.argmax(-1)
    else:
        end = (ids == T["eos_token_id"]).int().argmax(-1)
    pooled = x[torch.arange(b), end]
    return pooled, linear(pooled, "text_projection", bias=False)


# ---------------------------------------------------------------- inputs and reference outputs

pixels = torch.randn(3, 3, V["image_size"], V["image_size"], dtype=torch.float64)
captions = ["a photo of a cat", "Two DOGS playing in the park!", "a bird"]
encoded = [encode(c, vocab, ranks, CONTEXT) for c in captions]
padded = torch.tensor([e + [vocab[EOT]] * (CONTEXT - len(e)) for e in encoded])  # CLIP pads with <|endoftext|>
with torch.no_grad():
    vision_pooled, image_features = vision_forward(pixels)
    text_pooled, text_features = text_forward(padded)
    image_embeds = image_features / image_features.norm(dim=-1, keepdim=True)
    text_embeds = text_features / text_features.norm(dim=-1, keepdim=True)
    logits_per_text = W["logit_scale"].exp() * text_embeds @ image_embeds.t()

# the same weights with transformers' exact GELU (hidden_act "gelu", open_clip's default activation)
T["hidden_act"] = V["hidden_act"] = "gelu"
with torch.no_grad():
    gelu_image_features = vision_forward(pixels)[1]
    gelu_text_features = text_forward(padded)[1]
T["hidden_act"] = V["hidden_act"] = "quick_gelu"

tokenization = {c: encode(c, vocab, ranks, 77) for c in
                ["a photo of a cat", "A  photo of   a CAT", "dogs, cats & birds.", "an unseen zebra"]}
tokenization["a photo of a cat " * 30] = encode("a photo of a cat " * 30, vocab, ranks, 77)

reference = {
    "note": "made by make_fixture.py; outputs of transformers' CLIPModel forward in float64",
    "pixel_values_shape": list(pixels.shape),
    "pixel_values": pixels.flatten().tolist(),
    "captions": captions,
    "input_ids": padded.tolist(),
    "vision_pooled": vision_pooled.tolist(),
    "text_pooled": text_pooled.tolist(),
    "image_features": image_features.tolist(),
    "text_features": text_features.tolist(),
    "image_embeds": image_embeds.tolist(),
    "text_embeds": text_embeds.tolist(),
    "gelu_image_features": gelu_image_features.tolist(),
    "gelu_text_features": gelu_text_features.tolist(),
    "logit_scale": float(W["logit_scale"]),
    "logits_per_text": logits_per_text.tolist(),
    "tokenization": tokenization,
}

# ---------------------------------------------------------------- writing: safetensors by hand


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        if dtype == "BF16":  # numpy has no bfloat16: torch rounds, the bits travel as little-endian int16
            data = t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            data = t.numpy().astype({"F32": "<f4", "F16": "<f2"}[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    return offset


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1, ensure_ascii=False)
        f.write("\n")


def hf_dir(name, config, files):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    write_json(os.path.join(d, "config.json"), config)
    write_json(os.path.join(d, "tokenizer.json"), tokenizer_json(vocab, merges))
    for fname, (tensors, dtype) in files.items():
        write_safetensors(os.path.join(d, fname), tensors, dtype)
    return d


hf_dir("hf", CONFIG, {"model.safetensors": (W, "F32")})
half = dict(CONFIG, torch_dtype="float16")
hf_dir("hf-fp16", half, {"model.safetensors": (W, "F16")})
hf_dir("hf-bf16", dict(CONFIG, torch_dtype="bfloat16"), {"model.safetensors": (W, "BF16")})
names = list(W)
shards = {"model-00001-of-00002.safetensors": {n: W[n] for n in names[: len(names) // 2]},
          "model-00002-of-00002.safetensors": {n: W[n] for n in names[len(names) // 2:]}}
d = hf_dir("hf-sharded", CONFIG, {f: (t, "F32") for f, t in shards.items()})
write_json(os.path.join(d, "model.safetensors.index.json"), {
    "metadata": {"total_size": sum(t.numel() * 4 for t in W.values())},
    "weight_map": {n: f for f, t in shards.items() for n in t}})

# hf-gelu: the config says gelu, the weights are hf's (the test copies hf/model.safetensors beside this config:
# an index may only name shards inside its own directory)
gelu = json.loads(json.dumps(CONFIG))
gelu["text_config"]["hidden_act"] = gelu["vision_config"]["hidden_act"] = "gelu"
d = hf_dir("hf-gelu", gelu, {})

# open_clip layout (open_clip/model.py, transformer.py): fused in-projection, c_fc/c_proj, [in, out] projections
O = {}
O["visual.conv1.weight"] = W["vision_model.embeddings.patch_embedding.weight"]
O["visual.class_embedding"] = W["vision_model.embeddings.class_embedding"]
O["visual.positional_embedding"] = W["vision_model.embeddings.position_embedding.weight"]
for ours, theirs in (("pre_layrnorm", "ln_pre"), ("post_layernorm", "ln_post")):
    for p in ("weight", "bias"):
        O[f"visual.{theirs}.{p}"] = W[f"vision_model.{ours}.{p}"]
O["visual.proj"] = W["visual_projection.weight"].t().contiguous()
O["token_embedding.weight"] = W["text_model.embeddings.token_embedding.weight"]
O["positional_embedding"] = W["text_model.embeddings.position_embedding.weight"]
for p in ("weight", "bias"):
    O[f"ln_final.{p}"] = W[f"text_model.final_layer_norm.{p}"]
O["text_projection"] = W["text_projection.weight"].t().contiguous()
O["logit_scale"] = W["logit_scale"]
for hf, oc, cfg in (("vision_model", "visual.transformer", V), ("text_model", "transformer", T)):
    for i in range(cfg["num_hidden_layers"]):
        h, o = f"{hf}.encoder.layers.{i}.", f"{oc}.resblocks.{i}."
        for p in ("weight", "bias"):
            O[o + f"attn.in_proj_{p}"] = torch.cat([W[h + f"self_attn.{x}_proj.{p}"] for x in "qkv"], 0)
            O[o + f"attn.out_proj.{p}"] = W[h + f"self_attn.out_proj.{p}"]
            O[o + f"ln_1.{p}"] = W[h + f"layer_norm1.{p}"]
            O[o + f"ln_2.{p}"] = W[h + f"layer_norm2.{p}"]
            O[o + f"mlp.c_fc.{p}"] = W[h + f"mlp.fc1.{p}"]
            O[o + f"mlp.c_proj.{p}"] = W[h + f"mlp.fc2.{p}"]
d = os.path.join(OUT, "open_clip")
os.makedirs(d, exist_ok=True)
write_safetensors(os.path.join(d, "open_clip_model.safetensors"), O, "F32")
write_json(os.path.join(d, "tokenizer.json"), tokenizer_json(vocab, merges))
# open_clip_config.json as open_clip's hub repositories ship it (model_cfg is the open_clip model config)
write_json(os.path.join(d, "open_clip_config.json"), {"model_cfg": {
    "embed_dim": E, "quick_gelu": True,
    "vision_cfg": {"image_size": V["image_size"], "layers": V["num_hidden_layers"], "width": vd,
                   "head_width": vd // V["num_attention_heads"], "mlp_ratio": V["intermediate_size"] / vd,
                   "patch_size": V["patch_size"]},
    "text_cfg": {"context_length": CONTEXT, "vocab_size": len(vocab), "width": td,
                 "heads": T["num_attention_heads"], "layers": T["num_hidden_layers"],
                 "mlp_ratio": T["intermediate_size"] / td}}})

write_json(os.path.join(OUT, "reference.json"), reference)
print("vocab", len(vocab), "merges", len(merges), "cat:", tokenization["a photo of a cat"], file=sys.stderr)
