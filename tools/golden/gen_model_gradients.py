#!/usr/bin/python3
"""Golden gradients for peft4j's transformer runtime, computed by PyTorch autograd in float64.

Writes tests/src/test/resources/golden/{bert_mean,bert_cls,gpt2}_everything.safetensors: a tiny random BERT
classifier (mean and CLS pooling) and a tiny random GPT-2 causal LM, each with every PEFT method active in the
plan of TestPlans.everything() (peft4j-runtime test-jar):

  layer 0: LoRA r=2 alpha=4 on all six linears, serial attention adapter (m=3, swish, s=1), prefix L=2, (IA)^3
  layer 1: rsLoRA r=3 alpha=6 on query/value, serial FFN adapter (m=2, tanh, s=1),
           parallel adapter (m=4, erf-GELU, learned s starting at 2), BitFit

Every trainable value is randomised away from its init (LoRA B and adapter up-projections non-zero, (IA)^3
vectors away from 1, ...). Dropout is off (the Java side runs an inference pass, training = false).

The modules are written here from peft4j's own definitions (the Backend SPI javadoc, EncoderLayer, DecoderLayer,
SelfAttention, Linear, Adapter), not taken from a library:
  Linear     y = x W^T + b + s (x A^T) B^T,  s = alpha/r (rsLoRA alpha/sqrt r), A [r,in], B [out,r]
  Adapter    y = residual + s (f(x W_d^T + b_d) W_u^T + b_u)
  Attention  q = lin_q(x), k = l_k * lin_k(x), v = l_v * lin_v(x); keys [P_k; K], values [P_v; V];
             prefix rows always visible, sequence key j visible iff mask[b,j] = 1 (and j <= t if causal);
             p = softmax(q K^T / sqrt(dh)), a = lin_o(p V)
  FFN        lin_2(l_ff * f(lin_1(g)))
  BERT layer (post-LN)  a = attn(x); a += s A_attn(a); h1 = LN1(a + x)
                        o = ffn(h1); o += s A_ffn(o); o += s A_par(h1); h = LN2(o + h1)
  GPT-2 layer (pre-LN)  a = attn(LN1(x)); a += s A_attn(a); x1 = x + a
                        g = LN2(x1); o = ffn(g); o += s A_ffn(o); o += s A_par(g); x2 = x1 + o
  BERT       e = LN(word[ids] + pos[t] + type[types]); pooled = mean over mask (or row 0); CE over labels
  GPT-2      h = wte[ids] + wpe[t]; LN_f; logits = h wte^T; mean CE of position t predicting ids[t+1],
             ignoring the last position and pairs touching padding

Every weight is drawn as float32 (what the Java side stores) and the forward/backward then runs in float64.
The file holds, as F32 tensors (the Java reader reads F32):
  weights/<name>  the base weights in Hugging Face layout (GPT-2 Conv1D [in,out], c_attn fused), what
                  BertModel.create / Gpt2Model.create take
  params/<name>   every trainable parameter's value under peft4j's Parameter.name()
  grads/<name>    d loss / d param (float64 autograd, rounded to F32 on writing)
  inputs/ids, inputs/types, inputs/mask, inputs/labels (integers stored exactly as F32), loss [1]
and __metadata__ with the configuration.

Run: /usr/bin/python3 tools/golden/gen_model_gradients.py   (Debian's python3-torch; no other package needed)
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "tests", "src", "test", "resources", "golden")
LN_EPS = float(np.float32(1e-5))


def f32(x):
    """The float32 value of a Python float, as a float (what a Java float holds)."""
    return float(np.float32(x))


# ------------------------------------------------------------------ the plan (TestPlans.everything() (peft4j-runtime test-jar))

ALL_TARGETS = ["query", "key", "value", "attn_out", "ffn_in", "ffn_out"]
PLAN = [
    {"lora": {"rank": 2, "alpha": 4.0, "rs": False, "targets": ALL_TARGETS},
     "attn_adapter": {"size": 3, "act": "swish", "scale": 1.0, "learned": False},
     "prefix": 2, "ia3": True},
    {"lora": {"rank": 3, "alpha": 6.0, "rs": True, "targets": ["query", "value"]},
     "ffn_adapter": {"size": 2, "act": "tanh", "scale": 1.0, "learned": False},
     "parallel_adapter": {"size": 4, "act": "gelu", "scale": 2.0, "learned": True},
     "bitfit": True},
]


def lora_scale(spec):
    r = spec["rank"]
    return f32(spec["alpha"] / math.sqrt(r)) if spec["rs"] else f32(spec["alpha"] / r)


# ------------------------------------------------------------------ activations

def activation(name, z):
    if name == "gelu":
        return 0.5 * z * (1.0 + torch.erf(z / math.sqrt(2.0)))
    if name == "gelu_tanh":
        return 0.5 * z * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z ** 3)))
    if name == "swish":
        return z * torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return torch.relu(z)
    raise ValueError(name)


# ------------------------------------------------------------------ parameters

class Params:
    """Named float64 tensors holding float32 values; the trainable ones require gradients."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)
        self.values = {}
        self.trainable = []
        self.lora_scales = {}

    def normal(self, shape, std, mean=0.0):
        t = torch.randn(shape, generator=self.gen, dtype=torch.float64) * std + mean
        return t.to(torch.float32).to(torch.float64)

    def add(self, name, tensor):
        assert name not in self.values, name
        self.values[name] = tensor

    def train(self, name):
        t = self.values[name]
        if not t.requires_grad:
            t.requires_grad_(True)
            self.trainable.append(name)

    def __getitem__(self, name):
        return self.values[name]

    def get(self, name):
        return self.values.get(name)


def add_linear(p, prefix, out_dim, in_dim, std=0.3):
    p.add(prefix + ".weight", p.normal((out_dim, in_dim), std))
    p.add(prefix + ".bias", p.normal((out_dim,), 0.1))


def add_norm(p, prefix, d):
    p.add(prefix + ".weight", p.normal((d,), 0.1, 1.0))
    p.add(prefix + ".bias", p.normal((d,), 0.1))


class Names:
    """peft4j's names of one layer's modules (BERT: encoder.layer.i., GPT-2: h.i.)."""

    def __init__(self, kind, i):
        if kind == "bert":
            self.layer = "encoder.layer.%d." % i
            L = self.layer
            self.linear = {"query": L + "attention.self.query", "key": L + "attention.self.key",
                           "value": L + "attention.self.value", "attn_out": L + "attention.output.dense",
                           "ffn_in": L + "intermediate.dense", "ffn_out": L + "output.dense"}
            self.ln1 = L + "attention.output.LayerNorm"
            self.ln2 = L + "output.LayerNorm"
        else:
            self.layer = "h.%d." % i
            L = self.layer
            self.linear = {"query": L + "attn.query", "key": L + "attn.key", "value": L + "attn.value",
                           "attn_out": L + "attn.c_proj", "ffn_in": L + "mlp.c_fc", "ffn_out": L + "mlp.c_proj"}
            self.ln1 = L + "ln_1"
            self.ln2 = L + "ln_2"
        L = self.layer
        # PlanAttachment's names, the same for both models.
        self.attn_adapter = L + "attention.adapter"
        self.ffn_adapter = L + "output.adapter"
        self.parallel_adapter = L + "parallel_adapter"
        self.self_attn = L + "attention.self"
        self.ia3_ff = L + "intermediate.ia3_ff"


def add_layer_base(p, names, d, f):
    for key in ["query", "key", "value", "attn_out"]:
        add_linear(p, names.linear[key], d, d, std=0.5 if key in ("query", "key") else 0.3)
    add_linear(p, names.linear["ffn_in"], f, d)
    add_linear(p, names.linear["ffn_out"], d, f)
    add_norm(p, names.ln1, d)
    add_norm(p, names.ln2, d)


def attach_plan(p, names, lp, d, f):
    """Adds the layer plan's PEFT parameters (randomised away from their init) and marks what trains."""
    if "lora" in lp:
        spec = lp["lora"]
        r = spec["rank"]
        for key in ALL_TARGETS:
            if key not in spec["targets"]:
                continue
            base = names.linear[key]
            out_dim, in_dim = p[base + ".weight"].shape
            p.add(base + ".lora_A.weight", p.normal((r, in_dim), 0.4))
            p.add(base + ".lora_B.weight", p.normal((out_dim, r), 0.3))
            p.train(base + ".lora_A.weight")
            p.train(base + ".lora_B.weight")
            p.lora_scales[base] = lora_scale(spec)
    for kind in ["attn_adapter", "ffn_adapter", "parallel_adapter"]:
        if kind not in lp:
            continue
        spec = lp[kind]
        m = spec["size"]
        prefix = getattr(names, kind)
        p.add(prefix + ".down.weight", p.normal((m, d), 0.4))
        p.add(prefix + ".down.bias", p.normal((m,), 0.2))
        p.add(prefix + ".up.weight", p.normal((d, m), 0.4))
        p.add(prefix + ".up.bias", p.normal((d,), 0.2))
        for part in ["down.weight", "down.bias", "up.weight", "up.bias"]:
            p.train(prefix + "." + part)
        if spec["learned"]:
            p.add(prefix + ".scale", torch.tensor([f32(spec["scale"] - 0.35)]))
            p.train(prefix + ".scale")
    if "prefix" in lp:
        length = lp["prefix"]
        p.add(names.self_attn + ".prefix_k", p.normal((length, d), 0.8))
        p.add(names.self_attn + ".prefix_v", p.normal((length, d), 0.8))
        p.train(names.self_attn + ".prefix_k")
        p.train(names.self_attn + ".prefix_v")
    if lp.get("ia3"):
        p.add(names.self_attn + ".ia3_k", p.normal((d,), 0.2, 1.0))
        p.add(names.self_attn + ".ia3_v", p.normal((d,), 0.2, 1.0))
        p.add(names.ia3_ff, p.normal((f,), 0.2, 1.0))
        for n in [names.self_attn + ".ia3_k", names.self_attn + ".ia3_v", names.ia3_ff]:
            p.train(n)
    if lp.get("bitfit"):
        # Every bias of the layer except the adapters' (PlanAttachment): linears and LayerNorm betas.
        for n in list(p.values):
            if n.startswith(names.layer) and n.endswith(".bias") and "adapter" not in n:
                p.train(n)


# ------------------------------------------------------------------ modules

def linear(p, name, x):
    y = x @ p[name + ".weight"].T + p[name + ".bias"]
    a = p.get(name + ".lora_A.weight")
    if a is not None:
        y = y + p.lora_scales[name] * ((x @ a.T) @ p[name + ".lora_B.weight"].T)
    return y


def layer_norm(p, name, x):
    mu = x.mean(dim=-1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + LN_EPS) * p[name + ".weight"] + p[name + ".bias"]


def adapter(p, prefix, spec, x, residual):
    z = x @ p[prefix + ".down.weight"].T + p[prefix + ".down.bias"]
    out = activation(spec["act"], z) @ p[prefix + ".up.weight"].T + p[prefix + ".up.bias"]
    s = p[prefix + ".scale"][0] if spec["learned"] else f32(spec["scale"])
    return residual + s * out


def attention(p, names, x, mask, heads, causal):
    """x [B,T,d], mask [B,T] (1 = token) -> [B,T,d]."""
    b, t, d = x.shape
    dh = d // heads
    q = linear(p, names.linear["query"], x)
    k = linear(p, names.linear["key"], x)
    v = linear(p, names.linear["value"], x)
    if p.get(names.self_attn + ".ia3_k") is not None:
        k = k * p[names.self_attn + ".ia3_k"]
        v = v * p[names.self_attn + ".ia3_v"]
    visible = mask[:, None, :].bool().expand(b, t, t)
    if causal:
        visible = visible & torch.ones(t, t, dtype=torch.bool).tril()[None]
    pk = p.get(names.self_attn + ".prefix_k")
    if pk is not None:
        length = pk.shape[0]
        k = torch.cat([pk[None].expand(b, length, d), k], dim=1)
        v = torch.cat([p[names.self_attn + ".prefix_v"][None].expand(b, length, d), v], dim=1)
        visible = torch.cat([torch.ones(b, t, length, dtype=torch.bool), visible], dim=2)

    def split(u):
        return u.reshape(b, u.shape[1], heads, dh).transpose(1, 2)

    scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(dh)
    scores = scores.masked_fill(~visible[:, None], float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    ctx = (probs @ split(v)).transpose(1, 2).reshape(b, t, d)
    return linear(p, names.linear["attn_out"], ctx)


def feed_forward(p, names, g, act):
    h = activation(act, linear(p, names.linear["ffn_in"], g))
    if p.get(names.ia3_ff) is not None:
        h = h * p[names.ia3_ff]
    return linear(p, names.linear["ffn_out"], h)


def encoder_layer(p, names, lp, x, mask, heads, act):
    a = attention(p, names, x, mask, heads, causal=False)
    if "attn_adapter" in lp:
        a = adapter(p, names.attn_adapter, lp["attn_adapter"], a, a)
    h1 = layer_norm(p, names.ln1, a + x)
    o = feed_forward(p, names, h1, act)
    if "ffn_adapter" in lp:
        o = adapter(p, names.ffn_adapter, lp["ffn_adapter"], o, o)
    if "parallel_adapter" in lp:
        o = adapter(p, names.parallel_adapter, lp["parallel_adapter"], h1, o)
    return layer_norm(p, names.ln2, o + h1)


def decoder_layer(p, names, lp, x, mask, heads, act):
    a = attention(p, names, layer_norm(p, names.ln1, x), mask, heads, causal=True)
    if "attn_adapter" in lp:
        a = adapter(p, names.attn_adapter, lp["attn_adapter"], a, a)
    x1 = x + a
    g = layer_norm(p, names.ln2, x1)
    o = feed_forward(p, names, g, act)
    if "ffn_adapter" in lp:
        o = adapter(p, names.ffn_adapter, lp["ffn_adapter"], o, o)
    if "parallel_adapter" in lp:
        o = adapter(p, names.parallel_adapter, lp["parallel_adapter"], g, o)
    return x1 + o


# ------------------------------------------------------------------ the two models

BERT = {"vocab": 11, "hidden": 8, "layers": 2, "heads": 2, "intermediate": 12, "max_positions": 6,
        "type_vocab": 2, "activation": "gelu", "num_labels": 3}
BERT_BATCH = {"batch": 3, "seq_len": 5,
              "ids": [1, 4, 7, 2, 9,  3, 5, 10, 0, 0,  6, 8, 2, 7, 0],
              "types": [0, 0, 1, 1, 1,  0, 0, 0, 0, 0,  0, 1, 1, 1, 0],
              "mask": [1, 1, 1, 1, 1,  1, 1, 1, 0, 0,  1, 1, 1, 1, 0],
              "labels": [1, 0, 2]}

GPT2 = {"vocab": 13, "hidden": 8, "layers": 2, "heads": 2, "intermediate": 12, "max_positions": 7,
        "activation": "gelu_tanh"}
GPT2_BATCH = {"batch": 3, "seq_len": 6,
              "ids": [1, 4, 7, 2, 9, 12,  3, 5, 10, 11, 0, 0,  6, 8, 2, 0, 0, 0],
              "mask": [1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 0, 0,  1, 1, 1, 0, 0, 0]}


def bert_golden(pooling, seed):
    cfg = BERT
    d, f = cfg["hidden"], cfg["intermediate"]
    p = Params(seed)
    p.add("embeddings.word_embeddings.weight", p.normal((cfg["vocab"], d), 1.0))
    p.add("embeddings.position_embeddings.weight", p.normal((cfg["max_positions"], d), 0.5))
    p.add("embeddings.token_type_embeddings.weight", p.normal((cfg["type_vocab"], d), 0.5))
    add_norm(p, "embeddings.LayerNorm", d)
    layer_names = [Names("bert", i) for i in range(cfg["layers"])]
    for names in layer_names:
        add_layer_base(p, names, d, f)
    base = list(p.values)
    for names, lp in zip(layer_names, PLAN):
        attach_plan(p, names, lp, d, f)
    p.add("classifier.weight", p.normal((cfg["num_labels"], d), 0.5))
    p.add("classifier.bias", p.normal((cfg["num_labels"],), 0.2))
    p.train("classifier.weight")
    p.train("classifier.bias")

    bt = BERT_BATCH
    b, t = bt["batch"], bt["seq_len"]
    ids = torch.tensor(bt["ids"]).reshape(b, t)
    types = torch.tensor(bt["types"]).reshape(b, t)
    mask = torch.tensor(bt["mask"], dtype=torch.float64).reshape(b, t)
    labels = torch.tensor(bt["labels"])

    e = (p["embeddings.word_embeddings.weight"][ids] + p["embeddings.position_embeddings.weight"][torch.arange(t)][None]
         + p["embeddings.token_type_embeddings.weight"][types])
    h = layer_norm(p, "embeddings.LayerNorm", e)
    for names, lp in zip(layer_names, PLAN):
        h = encoder_layer(p, names, lp, h, mask, cfg["heads"], cfg["activation"])
    if pooling == "mean":
        pooled = (h * mask[..., None]).sum(dim=1) / mask.sum(dim=1).clamp(min=1)[:, None]
    else:
        pooled = h[:, 0]
    logits = pooled @ p["classifier.weight"].T + p["classifier.bias"]
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()

    weights = {n: p[n] for n in base}
    inputs = {"ids": bt["ids"], "types": bt["types"], "mask": bt["mask"], "labels": bt["labels"]}
    meta = dict(cfg, model="bert", pooling=pooling, layer_norm_eps=LN_EPS, batch=b, seq_len=t)
    return weights, p, inputs, loss, meta


def gpt2_golden(seed):
    cfg = GPT2
    d, f = cfg["hidden"], cfg["intermediate"]
    p = Params(seed)
    p.add("wte.weight", p.normal((cfg["vocab"], d), 1.0))
    p.add("wpe.weight", p.normal((cfg["max_positions"], d), 0.5))
    layer_names = [Names("gpt2", i) for i in range(cfg["layers"])]
    for names in layer_names:
        add_layer_base(p, names, d, f)
    add_norm(p, "ln_f", d)
    for names, lp in zip(layer_names, PLAN):
        attach_plan(p, names, lp, d, f)

    bt = GPT2_BATCH
    b, t = bt["batch"], bt["seq_len"]
    ids = torch.tensor(bt["ids"]).reshape(b, t)
    mask = torch.tensor(bt["mask"], dtype=torch.float64).reshape(b, t)

    h = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(t)][None]
    for names, lp in zip(layer_names, PLAN):
        h = decoder_layer(p, names, lp, h, mask, cfg["heads"], cfg["activation"])
    logits = layer_norm(p, "ln_f", h) @ p["wte.weight"].T
    targets = torch.full((b, t), -100, dtype=torch.long)
    valid = (mask[:, :-1] != 0) & (mask[:, 1:] != 0)
    targets[:, :-1] = torch.where(valid, ids[:, 1:], torch.full_like(ids[:, 1:], -100))
    loss = torch.nn.functional.cross_entropy(logits.reshape(b * t, -1), targets.reshape(-1), ignore_index=-100)
    loss.backward()

    weights = gpt2_hf_weights(p, layer_names)
    inputs = {"ids": bt["ids"], "mask": bt["mask"]}
    meta = dict(cfg, model="gpt2", layer_norm_eps=LN_EPS, batch=b, seq_len=t)
    return weights, p, inputs, loss, meta


def gpt2_hf_weights(p, layer_names):
    """The base weights in Hugging Face's GPT-2 layout: Conv1D weights [in, out], query/key/value fused into c_attn."""
    weights = {"wte.weight": p["wte.weight"], "wpe.weight": p["wpe.weight"]}
    for names in layer_names:
        L = names.layer
        lin = names.linear
        weights[L + "attn.c_attn.weight"] = torch.cat([p[lin[k] + ".weight"] for k in ("query", "key", "value")]).T
        weights[L + "attn.c_attn.bias"] = torch.cat([p[lin[k] + ".bias"] for k in ("query", "key", "value")])
        for key in ("attn_out", "ffn_in", "ffn_out"):
            weights[lin[key] + ".weight"] = p[lin[key] + ".weight"].T
            weights[lin[key] + ".bias"] = p[lin[key] + ".bias"]
        for ln in (names.ln1, names.ln2):
            weights[ln + ".weight"] = p[ln + ".weight"]
            weights[ln + ".bias"] = p[ln + ".bias"]
    weights["ln_f.weight"] = p["ln_f.weight"]
    weights["ln_f.bias"] = p["ln_f.bias"]
    return weights


# ------------------------------------------------------------------ writing

def write_safetensors(path, tensors, metadata):
    """safetensors by hand: u64 LE header length, JSON header, then little-endian F32 data."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        arr = np.ascontiguousarray(t.detach().to(torch.float32).numpy(), dtype="<f4")
        data = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(raw)))
        out.write(raw)
        for data in blobs:
            out.write(data)


def save(file_name, weights, p, inputs, loss, meta):
    tensors = {}
    for n, t in weights.items():
        tensors["weights/" + n] = t
    for n in p.trainable:
        tensors["params/" + n] = p[n]
    for n in p.trainable:
        g = p[n].grad
        assert g is not None, "no gradient reached " + n
        tensors["grads/" + n] = g
    for n, v in inputs.items():
        tensors["inputs/" + n] = torch.tensor(v, dtype=torch.float64)
    tensors["loss"] = loss.detach().reshape(1)
    meta = dict(meta, generator="tools/golden/gen_model_gradients.py", torch=torch.__version__,
                loss_float64=repr(loss.item()))
    path = os.path.join(OUT_DIR, file_name)
    write_safetensors(path, tensors, meta)
    norms = sorted((p[n].grad.norm().item(), n) for n in p.trainable)
    print("%s: loss %.10f, %d trainable tensors, %d bytes; smallest gradient norms: %s"
          % (file_name, loss.item(), len(p.trainable), os.path.getsize(path),
             ", ".join("%s %.3g" % (n, v) for v, n in norms[:3])))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    save("bert_mean_everything.safetensors", *bert_golden("mean", 101))
    save("bert_cls_everything.safetensors", *bert_golden("cls", 202))
    save("gpt2_everything.safetensors", *gpt2_golden(303))
    return 0


if __name__ == "__main__":
    sys.exit(main())
