#!/usr/bin/python3
"""PyTorch's time for the training step that `peft4j bench` measures: the comparison point of the issue.

A MiniLM-L6-shaped BERT (random weights: vocab 30522, hidden 384, 12 heads, FFN 1536, 6 layers, 512 positions,
post-LN, erf-GELU, hidden dropout 0.1, eps 1e-12), frozen; LoRA r = 8, alpha = 8 on query and value; mean pooling
over the attention mask and a linear head (2 labels); cross-entropy; gradient-norm clipping at 1; AdamW
(lr 2e-3, betas 0.9/0.999, eps 1e-8, weight decay 0.01) on the trainable parameters only. Float32, 2 threads,
batch 16 x 128 with some padding at the end of each sequence (as the demo's synthetic batches).

Prints the torch/BLAS configuration, every step's time, and the median ms/step (and tokens/s) over the timed
steps after the warm-up steps.

Run: /usr/bin/python3 jmh-bench/pytorch/minilm_lora_step.py [--threads 2] [--batch 16] [--seq 128]
     [--layers 6] [--warmup 3] [--steps 10]
(Debian bookworm: apt-get install python3-torch libopenblas0-pthread)
"""
import argparse
import math
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoraLinear(nn.Module):
    """y = x W^T + b + (alpha/r) (x A^T) B^T; W, b frozen, A Kaiming-uniform, B zero."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + self.scale * F.linear(F.linear(x, self.lora_a), self.lora_b)


class EncoderLayer(nn.Module):
    """Post-LN BERT layer: h1 = LN(drop(attn(x)) + x), h = LN(drop(FFN(h1)) + h1)."""

    def __init__(self, d, heads, ffn, p, eps):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(d, d)
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)
        self.out = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.ffn_in = nn.Linear(d, ffn)
        self.ffn_out = nn.Linear(ffn, d)
        self.ln2 = nn.LayerNorm(d, eps=eps)
        self.drop = nn.Dropout(p)

    def attention(self, x, key_bias):
        b, t, d = x.shape
        dh = d // self.heads

        def split(u):
            return u.view(b, t, self.heads, dh).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + key_bias
        ctx = torch.softmax(scores, dim=-1) @ v
        return self.out(ctx.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, key_bias):
        h1 = self.ln1(self.drop(self.attention(x, key_bias)) + x)
        return self.ln2(self.drop(self.ffn_out(F.gelu(self.ffn_in(h1)))) + h1)


class MiniLmClassifier(nn.Module):
    def __init__(self, vocab=30522, d=384, layers=6, heads=12, ffn=1536, positions=512, labels=2, p=0.1, eps=1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab, d)
        self.position = nn.Embedding(positions, d)
        self.token_type = nn.Embedding(2, d)
        self.ln = nn.LayerNorm(d, eps=eps)
        self.drop = nn.Dropout(p)
        self.layers = nn.ModuleList(EncoderLayer(d, heads, ffn, p, eps) for _ in range(layers))
        self.head = nn.Linear(d, labels)

    def forward(self, ids, mask):
        t = ids.shape[1]
        h = self.word(ids) + self.position(torch.arange(t))[None] + self.token_type(torch.zeros_like(ids))
        h = self.drop(self.ln(h))
        key_bias = ((1.0 - mask) * torch.finfo(torch.float32).min)[:, None, None, :]
        for layer in self.layers:
            h = layer(h, key_bias)
        pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        return self.head(pooled)


def build(layers, rank, alpha):
    torch.manual_seed(1)
    model = MiniLmClassifier(layers=layers)
    with torch.no_grad():
        for name, prm in model.named_parameters():
            if name.endswith("weight") and prm.dim() == 2:
                prm.normal_(0.0, 0.02)
    for prm in model.parameters():
        prm.requires_grad_(False)
    for layer in model.layers:
        layer.query = LoraLinear(layer.query, rank, alpha)
        layer.value = LoraLinear(layer.value, rank, alpha)
    for prm in model.head.parameters():
        prm.requires_grad_(True)
    return model


def synthetic_batch(gen, b, t, vocab):
    """Label 1 when a marker token 1000..1009 occurs; up to t/4 padding at the end (as DemoCommand)."""
    ids = torch.randint(2000, vocab, (b, t), generator=gen)
    mask = torch.ones(b, t)
    labels = torch.randint(0, 2, (b,), generator=gen)
    for i in range(b):
        length = t - int(torch.randint(0, max(1, t // 4), (1,), generator=gen))
        ids[i, length:] = 0
        mask[i, length:] = 0
        if labels[i] == 1:
            ids[i, 1 + int(torch.randint(0, length - 1, (1,), generator=gen))] = 1000 + int(torch.randint(0, 10, (1,), generator=gen))
    return ids, mask, labels


def blas_libraries():
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower() or "lapack" in line.lower()}
    return sorted(libs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    print("torch %s | python %s | %s" % (torch.__version__, platform.python_version(), platform.machine()))
    print(torch.__config__.show())
    print(torch.__config__.parallel_info())
    model = build(args.layers, rank=8, alpha=8.0)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    n_train = sum(p.numel() for p in trainable)
    n_all = sum(p.numel() for p in model.parameters())
    print("BLAS libraries mapped: %s" % (", ".join(blas_libraries()) or "none found"))
    print("MiniLM-L6-shaped, %d layers, LoRA r=8 alpha=8 on query,value + head: %d trainable of %d | batch %d x %d | %d threads"
          % (args.layers, n_train, n_all, args.batch, args.seq, torch.get_num_threads()))
    opt = torch.optim.AdamW(trainable, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    gen = torch.Generator().manual_seed(1)
    times = []
    for step in range(1, args.warmup + args.steps + 1):
        ids, mask, labels = synthetic_batch(gen, args.batch, args.seq, 30522)
        start = time.perf_counter()
        loss = F.cross_entropy(model(ids, mask), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        ms = (time.perf_counter() - start) * 1e3
        warm = step <= args.warmup
        if not warm:
            times.append(ms)
        print("step %2d%s  loss %.4f  %.1f ms" % (step, " (warm-up)" if warm else "", loss.item(), ms))
    median = statistics.median(times)
    print("median %.1f ms/step over %d steps (min %.1f, max %.1f) = %.0f tokens/s"
          % (median, len(times), min(times), max(times), args.batch * args.seq / (median / 1e3)))


if __name__ == "__main__":
    main()
