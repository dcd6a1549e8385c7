#!/usr/bin/env python3
"""PyTorch + Hugging Face peft's time for the GPU training step of issue 6, the point the CUDA backend is compared
with: a bge-small-shaped BERT (random weights: vocab 30522, hidden 384, 12 layers, 12 heads, FFN 1536, 512
positions, erf-GELU, hidden dropout 0.1), frozen; LoRA r = 8, alpha = 8 on query and value (peft's LoraConfig,
dropout 0); mean pooling over the attention mask and a linear head (2 labels, trainable); cross-entropy;
gradient-norm clipping at 1; AdamW (lr 1e-3, weight decay 0.01) on the trainable parameters. Float32 (TF32 matmuls
off unless --tf32), batch 32 x 128 with some padding at the end of each sequence.

Prints the versions and the device, every step's time (torch.cuda.synchronize around each step), and the median
ms/step and tokens/s over the timed steps after the warm-up steps.

Run on a machine with a GPU, PyTorch, transformers and peft:
    python3 jmh-bench/gpu/bge_small_lora_step.py [--batch 32] [--seq 128] [--warmup 5] [--steps 20] [--tf32]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--tf32", action="store_true", help="allow TF32 matrix products (default: full fp32)")
    args = ap.parse_args()

    import peft
    import transformers
    from peft import LoraConfig, get_peft_model
    from transformers import BertConfig, BertModel

    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this script measures the GPU step")
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    dev = torch.device("cuda")
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}, "
          f"device {torch.cuda.get_device_name(0)}, tf32 {args.tf32}")

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=args.layers, num_attention_heads=12,
                     intermediate_size=1536, max_position_embeddings=512, hidden_act="gelu",
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.0, layer_norm_eps=1e-12)
    encoder = BertModel(cfg, add_pooling_layer=False)
    encoder = get_peft_model(encoder, LoraConfig(r=8, lora_alpha=8, lora_dropout=0.0,
                                                 target_modules=["query", "value"]))
    head = nn.Linear(384, 2)
    encoder.to(dev).train()
    head.to(dev).train()
    params = [p for p in encoder.parameters() if p.requires_grad] + list(head.parameters())
    print(f"trainable {sum(p.numel() for p in params):,} values")
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

    gen = torch.Generator(device="cpu").manual_seed(1)

    def batch():
        b, t = args.batch, args.seq
        ids = torch.randint(2000, 30522, (b, t), generator=gen)
        lengths = t - torch.randint(0, max(1, t // 4), (b,), generator=gen)
        mask = (torch.arange(t)[None, :] < lengths[:, None]).long()
        ids = ids * mask
        labels = torch.randint(0, 2, (b,), generator=gen)
        return ids.to(dev), mask.to(dev), labels.to(dev)

    times = []
    for step in range(args.warmup + args.steps):
        ids, mask, labels = batch()
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        loss = F.cross_entropy(head(pooled), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        torch.cuda.synchronize()
        ms = (time.perf_counter() - t0) * 1e3
        print(f"step {step + 1:3d}  loss {loss.item():.4f}  {ms:.2f} ms{'  (warm-up)' if step < args.warmup else ''}")
        if step >= args.warmup:
            times.append(ms)
    med = statistics.median(times)
    print(f"median {med:.2f} ms/step over {len(times)} steps (min {min(times):.2f}, max {max(times):.2f}) = "
          f"{args.batch * args.seq / (med / 1e3):.0f} tokens/s")


if __name__ == "__main__":
    main()
