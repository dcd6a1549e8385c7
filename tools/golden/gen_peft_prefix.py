#!/usr/bin/python3
"""Prefix-tuning adapter files laid out as Hugging Face peft saves them, their base BERT models, and what PyTorch
computes with the prefixes applied as transformers applies them.

Writes tests/src/test/resources/golden/peft-prefix/:
  base/config.json, base/model.safetensors   a tiny random BertModel checkpoint (no "bert." root, no head)
  adapter/adapter_config.json                 PrefixTuningConfig(task_type=FEATURE_EXTRACTION, num_virtual_tokens=3,
                                              prefix_projection=False) as peft 0.13 serialises it
  adapter/adapter_model.safetensors           "prompt_embeddings" [L, layers*2*d]: peft views it as
                                              [L, layers*2, heads, d/heads], so layer i's keys are column block 2i
                                              and its values block 2i+1
  expected.safetensors                        the padded batch and the last hidden state [B*T, d]
and tests/src/test/resources/golden/peft-prefix-seq-cls/, the same for a classifier:
  base/                                       a BertForSequenceClassification checkpoint ("bert." root, the pooler)
  adapter/                                    PrefixTuningConfig(task_type=SEQ_CLS, ...): prompt_embeddings and the
                                              trained head. A prompt-learning PeftModel's base_model is the
                                              transformers model itself, so peft's modules_to_save come out as
                                              "base_model.classifier.weight/bias" (not "base_model.model.", as in
                                              LoRA files): get_peft_model_state_dict names them after
                                              model.named_modules() ("base_model.classifier") and strips the
                                              adapter name
  expected.safetensors                        the batch and the logits, classifier(tanh(pooler(h[:, 0])))
and tests/src/test/resources/golden/peft-prefix-gpt2/, a CAUSAL_LM prefix over a tiny GPT-2 (Hugging Face layout:
Conv1D [in, out], q/k/v fused in c_attn): GPT2Model likewise takes position_ids from past_length on, so token t reads
wpe[L + t]; the prefix is visible to every query, the tokens causally; expected.safetensors holds the logits [B*T, V].

What it pins is where transformers puts the tokens after a prefix: peft hands the prefixes to BertModel as
past_key_values (keys [P_k; K], values [P_v; V]; the ones peft prepends to the attention mask keep the L prefix
positions visible), and BertModel then numbers the tokens after them: BertEmbeddings takes
position_ids[past_key_values_length : past_key_values_length + T], so token t reads position embedding L + t.
The layers reuse gen_model_gradients.py's modules (peft4j's runtime definitions), in float64 from float32 values.

Run: /usr/bin/python3 tools/golden/gen_peft_prefix.py   (Debian's python3-torch; no other package needed)
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model_gradients as g  # noqa: E402  (sets float64 as the default dtype)
import gen_peft_adapter as lora_golden  # noqa: E402  (the base encoder, its forward, write_json)

OUT = os.path.join(g.OUT_DIR, "peft-prefix")
SEED = 505
L = 3
CFG = dict(g.BERT, max_positions=16)  # room for L + T positions
PLAN = {"prefix": L}
BASE_NAME = "peft4j-golden/tiny-bert"


def build():
    p = g.Params(SEED)
    layer_names = lora_golden.add_bert_base(p, CFG)
    base = list(p.values)
    for names in layer_names:
        g.attach_plan(p, names, PLAN, CFG["hidden"], CFG["intermediate"])
    return p, layer_names, base


def forward(p, layer_names, first_position):
    h = lora_golden.encode(p, layer_names, PLAN, CFG, first_position)
    return h.reshape(-1, CFG["hidden"])


def adapter_config():
    """PrefixTuningConfig.to_dict() of peft 0.13 for this adapter."""
    return {
        "auto_mapping": None, "base_model_name_or_path": BASE_NAME, "encoder_hidden_size": CFG["hidden"],
        "inference_mode": True, "num_attention_heads": CFG["heads"], "num_layers": CFG["layers"],
        "num_transformer_submodules": 1, "num_virtual_tokens": L, "peft_type": "PREFIX_TUNING",
        "prefix_projection": False, "revision": None, "task_type": "FEATURE_EXTRACTION", "token_dim": CFG["hidden"],
    }


def base_config():
    return {
        "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
        "hidden_act": CFG["activation"], "hidden_dropout_prob": 0.1, "hidden_size": CFG["hidden"],
        "initializer_range": 0.02, "intermediate_size": CFG["intermediate"], "layer_norm_eps": 1e-05,
        "max_position_embeddings": CFG["max_positions"], "model_type": "bert",
        "num_attention_heads": CFG["heads"], "num_hidden_layers": CFG["layers"], "pad_token_id": 0,
        "position_embedding_type": "absolute", "type_vocab_size": CFG["type_vocab"], "vocab_size": CFG["vocab"],
    }


def main_seq_cls():
    out = os.path.join(g.OUT_DIR, "peft-prefix-seq-cls")
    d, labels = CFG["hidden"], CFG["num_labels"]
    p = g.Params(SEED + 1)
    layer_names = lora_golden.add_bert_base(p, CFG)
    g.add_linear(p, "pooler.dense", d, d, std=0.6)
    base = list(p.values)
    base_head = {"classifier.weight": p.normal((labels, d), 0.5), "classifier.bias": p.normal((labels,), 0.2)}
    for names in layer_names:
        g.attach_plan(p, names, PLAN, d, CFG["intermediate"])
    # the head peft saves: the base head after training
    p.add("classifier.weight", base_head["classifier.weight"] + p.normal((labels, d), 0.3))
    p.add("classifier.bias", base_head["classifier.bias"] + p.normal((labels,), 0.2))
    h = lora_golden.encode(p, layer_names, PLAN, CFG, L)
    with torch.no_grad():
        logits = torch.tanh(g.linear(p, "pooler.dense", h[:, 0])) @ p["classifier.weight"].T + p["classifier.bias"]
    os.makedirs(os.path.join(out, "base"), exist_ok=True)
    os.makedirs(os.path.join(out, "adapter"), exist_ok=True)
    weights = {"bert." + n: p[n] for n in base}
    weights.update(base_head)
    lora_golden.write_json(os.path.join(out, "base", "config.json"),
                           dict(lora_golden.base_config(), max_position_embeddings=CFG["max_positions"]))
    g.write_safetensors(os.path.join(out, "base", "model.safetensors"), dict(sorted(weights.items())), {"format": "pt"})
    blocks = []
    for names in layer_names:
        blocks += [p[names.self_attn + ".prefix_k"], p[names.self_attn + ".prefix_v"]]
    adapter = {"base_model.classifier.bias": p["classifier.bias"], "base_model.classifier.weight": p["classifier.weight"],
               "prompt_embeddings": torch.cat(blocks, dim=1)}
    lora_golden.write_json(os.path.join(out, "adapter", "adapter_config.json"),
                           dict(adapter_config(), task_type="SEQ_CLS", modules_to_save=["classifier", "score"]))
    g.write_safetensors(os.path.join(out, "adapter", "adapter_model.safetensors"), adapter, {"format": "pt"})
    bt = g.BERT_BATCH
    g.write_safetensors(os.path.join(out, "expected.safetensors"), dict(lora_golden.batch_inputs(), logits=logits),
                        {"generator": "tools/golden/gen_peft_prefix.py", "torch": torch.__version__,
                         "batch": bt["batch"], "seq_len": bt["seq_len"], "num_labels": labels, "prefix_length": L})


def main_gpt2():
    out = os.path.join(g.OUT_DIR, "peft-prefix-gpt2")
    cfg = dict(g.GPT2, max_positions=16)
    d, f = cfg["hidden"], cfg["intermediate"]
    p = g.Params(SEED + 2)
    p.add("wte.weight", p.normal((cfg["vocab"], d), 1.0))
    p.add("wpe.weight", p.normal((cfg["max_positions"], d), 0.5))
    layer_names = [g.Names("gpt2", i) for i in range(cfg["layers"])]
    for names in layer_names:
        g.add_layer_base(p, names, d, f)
    g.add_norm(p, "ln_f", d)
    for names in layer_names:
        g.attach_plan(p, names, PLAN, d, f)
    bt = g.GPT2_BATCH
    b, t = bt["batch"], bt["seq_len"]
    ids = torch.tensor(bt["ids"]).reshape(b, t)
    mask = torch.tensor(bt["mask"], dtype=torch.float64).reshape(b, t)
    with torch.no_grad():
        h = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(L, L + t)][None]
        for names in layer_names:
            h = g.decoder_layer(p, names, PLAN, h, mask, cfg["heads"], cfg["activation"])
        logits = (g.layer_norm(p, "ln_f", h) @ p["wte.weight"].T).reshape(b * t, -1)
    os.makedirs(os.path.join(out, "base"), exist_ok=True)
    os.makedirs(os.path.join(out, "adapter"), exist_ok=True)
    lora_golden.write_json(os.path.join(out, "base", "config.json"), {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1, "embd_pdrop": 0.1,
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": cfg["max_positions"], "n_embd": d,
        "n_head": cfg["heads"], "n_inner": f, "n_layer": cfg["layers"], "n_positions": cfg["max_positions"],
        "resid_pdrop": 0.1, "vocab_size": cfg["vocab"]})
    g.write_safetensors(os.path.join(out, "base", "model.safetensors"),
                        dict(sorted(g.gpt2_hf_weights(p, layer_names).items())), {"format": "pt"})
    blocks = []
    for names in layer_names:
        blocks += [p[names.self_attn + ".prefix_k"], p[names.self_attn + ".prefix_v"]]
    lora_golden.write_json(os.path.join(out, "adapter", "adapter_config.json"),
                           dict(adapter_config(), task_type="CAUSAL_LM", num_attention_heads=cfg["heads"],
                                num_layers=cfg["layers"], token_dim=d, encoder_hidden_size=d))
    g.write_safetensors(os.path.join(out, "adapter", "adapter_model.safetensors"),
                        {"prompt_embeddings": torch.cat(blocks, dim=1)}, {"format": "pt"})
    expected = {"inputs/ids": torch.tensor(bt["ids"], dtype=torch.float64),
                "inputs/mask": torch.tensor(bt["mask"], dtype=torch.float64), "logits": logits}
    g.write_safetensors(os.path.join(out, "expected.safetensors"), expected,
                        {"generator": "tools/golden/gen_peft_prefix.py", "torch": torch.__version__,
                         "batch": b, "seq_len": t, "prefix_length": L})


def main():
    main_gpt2()
    main_seq_cls()
    p, layer_names, base = build()
    hidden = forward(p, layer_names, L)
    unshifted = forward(p, layer_names, 0)
    print("largest change from numbering the tokens after the prefix:", (hidden - unshifted).abs().max().item())
    os.makedirs(os.path.join(OUT, "base"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "adapter"), exist_ok=True)

    lora_golden.write_json(os.path.join(OUT, "base", "config.json"), base_config())
    g.write_safetensors(os.path.join(OUT, "base", "model.safetensors"), {n: p[n] for n in sorted(base)},
                        {"format": "pt"})

    blocks = []
    for names in layer_names:
        blocks += [p[names.self_attn + ".prefix_k"], p[names.self_attn + ".prefix_v"]]
    lora_golden.write_json(os.path.join(OUT, "adapter", "adapter_config.json"), adapter_config())
    g.write_safetensors(os.path.join(OUT, "adapter", "adapter_model.safetensors"),
                        {"prompt_embeddings": torch.cat(blocks, dim=1)}, {"format": "pt"})

    bt = g.BERT_BATCH
    expected = dict(lora_golden.batch_inputs(), hidden=hidden)
    g.write_safetensors(os.path.join(OUT, "expected.safetensors"), expected,
                        {"generator": "tools/golden/gen_peft_prefix.py", "torch": torch.__version__,
                         "batch": bt["batch"], "seq_len": bt["seq_len"], "prefix_length": L})
    return 0


if __name__ == "__main__":
    sys.exit(main())
