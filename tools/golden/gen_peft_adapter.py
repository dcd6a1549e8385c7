#!/usr/bin/python3
"""A LoRA adapter file laid out exactly as Hugging Face peft saves one, plus its base model and PyTorch logits.

Writes tests/src/test/resources/golden/peft-lora/:
  base/config.json, base/model.safetensors     a tiny random BertForSequenceClassification checkpoint in Hugging
                                               Face naming ("bert." prefix, the pooler "bert.pooler.dense.*",
                                               classifier.weight/bias)
  adapter/adapter_config.json                  LoraConfig(task_type=SEQ_CLS, r=2, lora_alpha=4, lora_dropout=0.1,
                                               target_modules=["query", "value"]) as peft 0.13 serialises it
  adapter/adapter_model.safetensors            lora_A/lora_B of every layer's query and value (B random, not
                                               zero) and the trained classifier head (modules_to_save)
  expected.safetensors                         the padded input batch and the logits with the adapter applied

Key naming (peft, src/peft/utils/save_and_load.py, get_peft_model_state_dict): the state dict of the
PeftModelForSequenceClassification is filtered to "lora_" keys (bias="none"); every ModulesToSaveWrapper named
`name` contributes `name + "." + k` for k in its `modules_to_save[adapter].state_dict()`
(src/peft/utils/other.py, ModulesToSaveWrapper.adapter_state_dict: it reads
`modules_to_save.{adapter_name}.{k}` and returns it under `k`); finally ".default" (the adapter name) is removed
("...query.lora_A.default.weight" -> "...query.lora_A.weight"). Older peft releases did the same with
`key.replace("modules_to_save.", "")` and then the adapter-name removal. So the saved classifier is
"base_model.model.classifier.weight"/".bias", and LoRA is
"base_model.model.bert.encoder.layer.N.attention.self.{query,value}.lora_{A,B}.weight".
PeftModelForSequenceClassification adds ["classifier", "score"] to the config's modules_to_save; the config is
written with json.dumps(indent=2, sort_keys=True) (PeftConfigMixin.save_pretrained) and the weights with
safetensors' save_file(..., metadata={"format": "pt"}), whose header lists "__metadata__" first and then the
tensors sorted by name (all F32 here), padded with spaces to a multiple of 8 bytes.

The forward reuses gen_model_gradients.py's modules (peft4j's runtime definitions), in float64 from float32
values: LoRA linear y = x W^T + b + (alpha/r) (x A^T) B^T; post-LN BERT layers; as transformers' BertForSequenceClassification
(BertPooler, then the classifier; dropout off): logits = classifier(tanh(pooler.dense(h[:, 0]))). The pooler is frozen
(peft does not save it) and comes from the base checkpoint.

Run: /usr/bin/python3 tools/golden/gen_peft_adapter.py   (Debian's python3-torch; no other package needed)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model_gradients as g  # noqa: E402  (sets float64 as the default dtype)

OUT = os.path.join(g.OUT_DIR, "peft-lora")
SEED = 404
CFG = dict(g.BERT)  # vocab 11, hidden 8, 2 layers, 2 heads, intermediate 12, 3 labels, erf GELU
R, ALPHA, DROPOUT = 2, 4, 0.1
TARGETS = ["query", "value"]
PLAN = {"lora": {"rank": R, "alpha": float(ALPHA), "rs": False, "targets": TARGETS}}
BASE_NAME = "peft4j-golden/tiny-bert-seq-cls"


def add_bert_base(p, cfg):
    """A BERT encoder's base weights in peft4j's names, embeddings first; returns the layers' Names."""
    d, f = cfg["hidden"], cfg["intermediate"]
    p.add("embeddings.word_embeddings.weight", p.normal((cfg["vocab"], d), 1.0))
    p.add("embeddings.position_embeddings.weight", p.normal((cfg["max_positions"], d), 0.5))
    p.add("embeddings.token_type_embeddings.weight", p.normal((cfg["type_vocab"], d), 0.5))
    g.add_norm(p, "embeddings.LayerNorm", d)
    layer_names = [g.Names("bert", i) for i in range(cfg["layers"])]
    for names in layer_names:
        g.add_layer_base(p, names, d, f)
    return layer_names


def encode(p, layer_names, plan, cfg, first_position=0):
    """gen_model_gradients.BERT_BATCH through the embeddings (token t at position first_position + t) and the
    layers with the plan: h [B, T, d]."""
    bt = g.BERT_BATCH
    b, t = bt["batch"], bt["seq_len"]
    ids = torch.tensor(bt["ids"]).reshape(b, t)
    types = torch.tensor(bt["types"]).reshape(b, t)
    mask = torch.tensor(bt["mask"], dtype=torch.float64).reshape(b, t)
    positions = torch.arange(first_position, first_position + t)
    with torch.no_grad():
        e = (p["embeddings.word_embeddings.weight"][ids] + p["embeddings.position_embeddings.weight"][positions][None]
             + p["embeddings.token_type_embeddings.weight"][types])
        h = g.layer_norm(p, "embeddings.LayerNorm", e)
        for names in layer_names:
            h = g.encoder_layer(p, names, plan, h, mask, cfg["heads"], cfg["activation"])
        return h


def batch_inputs():
    """gen_model_gradients.BERT_BATCH's ids, types and mask, as the expected.safetensors files hold them."""
    bt = g.BERT_BATCH
    return {name: torch.tensor(bt[key], dtype=torch.float64)
            for name, key in (("inputs/ids", "ids"), ("inputs/types", "types"), ("inputs/mask", "mask"))}


def build():
    d = CFG["hidden"]
    p = g.Params(SEED)
    layer_names = add_bert_base(p, CFG)
    base = list(p.values)
    base_head = {"classifier.weight": p.normal((CFG["num_labels"], d), 0.5),
                 "classifier.bias": p.normal((CFG["num_labels"],), 0.2)}
    for names in layer_names:
        g.attach_plan(p, names, PLAN, d, CFG["intermediate"])
    # The head peft saves (modules_to_save): the base head after training, i.e. different values.
    p.add("classifier.weight", base_head["classifier.weight"] + p.normal((CFG["num_labels"], d), 0.3))
    p.add("classifier.bias", base_head["classifier.bias"] + p.normal((CFG["num_labels"],), 0.2))
    p.values["classifier.weight"] = p["classifier.weight"].to(torch.float32).to(torch.float64)
    p.values["classifier.bias"] = p["classifier.bias"].to(torch.float32).to(torch.float64)
    # BertPooler's dense layer, wide enough that tanh is far from linear (|z| up to about 3)
    g.add_linear(p, "pooler.dense", d, d, std=0.6)
    base += ["pooler.dense.weight", "pooler.dense.bias"]
    return p, layer_names, base, base_head


def forward(p, layer_names):
    h = encode(p, layer_names, PLAN, CFG)
    with torch.no_grad():
        pooled = torch.tanh(g.linear(p, "pooler.dense", h[:, 0]))
        return pooled @ p["classifier.weight"].T + p["classifier.bias"]


def adapter_config():
    """LoraConfig.to_dict() of peft 0.13 for this adapter (sets written as lists)."""
    return {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": BASE_NAME, "bias": "none",
        "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True, "layer_replication": None,
        "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_alpha": ALPHA,
        "lora_dropout": DROPOUT, "megatron_config": None, "megatron_core": "megatron.core",
        "modules_to_save": ["classifier", "score"], "peft_type": "LORA", "r": R, "rank_pattern": {},
        "revision": None, "target_modules": ["value", "query"], "task_type": "SEQ_CLS", "use_dora": False,
        "use_rslora": False,
    }


def base_config():
    labels = CFG["num_labels"]
    return {
        "architectures": ["BertForSequenceClassification"], "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None, "hidden_act": CFG["activation"], "hidden_dropout_prob": 0.1,
        "hidden_size": CFG["hidden"], "id2label": {str(i): "LABEL_%d" % i for i in range(labels)},
        "initializer_range": 0.02, "intermediate_size": CFG["intermediate"],
        "label2id": {"LABEL_%d" % i: i for i in range(labels)}, "layer_norm_eps": 1e-05,
        "max_position_embeddings": CFG["max_positions"], "model_type": "bert",
        "num_attention_heads": CFG["heads"], "num_hidden_layers": CFG["layers"], "pad_token_id": 0,
        "position_embedding_type": "absolute", "type_vocab_size": CFG["type_vocab"], "vocab_size": CFG["vocab"],
    }


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps(obj, indent=2, sort_keys=True))
        out.write("\n")


def main():
    p, layer_names, base, base_head = build()
    logits = forward(p, layer_names)
    os.makedirs(os.path.join(OUT, "base"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "adapter"), exist_ok=True)

    weights = {"bert." + n: p[n] for n in base}
    weights.update(base_head)
    write_json(os.path.join(OUT, "base", "config.json"), base_config())
    g.write_safetensors(os.path.join(OUT, "base", "model.safetensors"), dict(sorted(weights.items())), {"format": "pt"})

    adapter = {}
    for names in layer_names:
        for key in TARGETS:
            module = names.linear[key]
            adapter["base_model.model.bert." + module + ".lora_A.weight"] = p[module + ".lora_A.weight"]
            adapter["base_model.model.bert." + module + ".lora_B.weight"] = p[module + ".lora_B.weight"]
    adapter["base_model.model.classifier.weight"] = p["classifier.weight"]
    adapter["base_model.model.classifier.bias"] = p["classifier.bias"]
    write_json(os.path.join(OUT, "adapter", "adapter_config.json"), adapter_config())
    g.write_safetensors(os.path.join(OUT, "adapter", "adapter_model.safetensors"), dict(sorted(adapter.items())),
                        {"format": "pt"})

    bt = g.BERT_BATCH
    expected = dict(batch_inputs(), logits=logits)
    g.write_safetensors(os.path.join(OUT, "expected.safetensors"), expected,
                        {"generator": "tools/golden/gen_peft_adapter.py", "torch": torch.__version__,
                         "batch": bt["batch"], "seq_len": bt["seq_len"], "num_labels": CFG["num_labels"],
                         "logits_float64": json.dumps(logits.reshape(-1).tolist())})
    print("logits (float64):", logits.tolist())
    return 0


if __name__ == "__main__":
    sys.exit(main())
