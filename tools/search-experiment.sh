#!/usr/bin/env bash
# The design-space search's target experiment (the search issue), resumable: for each task, an S4 search and a BO
# search at a 0.5 % budget on bge-small-en-v1.5, then the S4 plan, the BO front's best plan within the budget and
# the hand-made baselines each fine-tuned with 3 seeds on one fixed split, scored on its held-out test part.
# The search proxies use the first PT + PV examples of the split-seed shuffle; the comparison runs train on the first
# TRAIN (≥ PT + PV) of the same shuffle and test on examples after them, so no test example was seen by the search.
#
#   tools/search-experiment.sh [OUT]        (default OUT = runs/experiment; rerun the same command to resume)
#
# Sizes are environment variables (defaults: the figures reported in README.md):
#   TASKS="imdb spam" SEEDS="1 2 3" LEN=64 PT=240 PV=120 S4_K=1 BO_INITIAL=8 BO_ITERATIONS=8 BO_BATCH=2
#   TRAIN=800 VALIDATION=100 TEST=500 EPOCHS=1 BASELINES="lora houlsby pfeiffer parallel mam"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-runs/experiment}"
TASKS="${TASKS:-imdb spam}"; SEEDS="${SEEDS:-1 2 3}"; LEN="${LEN:-64}"; PT="${PT:-240}"; PV="${PV:-120}"
S4_K="${S4_K:-1}"; BO_INITIAL="${BO_INITIAL:-8}"; BO_ITERATIONS="${BO_ITERATIONS:-8}"; BO_BATCH="${BO_BATCH:-2}"
TRAIN="${TRAIN:-800}"; VALIDATION="${VALIDATION:-100}"; TEST="${TEST:-500}"; EPOCHS="${EPOCHS:-1}"
BASELINES="${BASELINES:-lora houlsby pfeiffer parallel mam}"
MODEL=bge-small; BUDGET=0.005; SPLIT_SEED=1
if [ "$TRAIN" -lt $((PT + PV)) ]; then
  echo "TRAIN ($TRAIN) must be at least PT + PV ($((PT + PV))) so that the test part is unseen by the search" >&2; exit 2
fi
mkdir -p "$out"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$out/experiment.log"; }
started=$(date +%s)

search() { # task algorithm
  local dir="$out/$1/search-$2"
  if [ -f "$dir/best-plan.json" ]; then log "$1 $2 search: done before"; return; fi
  log "$1 $2 search: start"
  mkdir -p "$dir"
  local t0=$(date +%s)
  "$root/peft4j" search --algorithm "$2" --model "$MODEL" --dataset "$1" --budget "$BUDGET" --seed "$SPLIT_SEED" \
    --max-length "$LEN" --proxy-train "$PT" --proxy-validation "$PV" --samples "$S4_K" --initial "$BO_INITIAL" \
    --iterations "$BO_ITERATIONS" --batch-size "$BO_BATCH" $([ "$2" = s4 ] && echo --no-baselines) --output "$dir" \
    > "$dir.log" 2>&1 \
    || { log "$1 $2 search FAILED (see $dir.log)"; return 1; }
  echo $(( $(date +%s) - t0 )) > "$dir/wall-seconds"
  log "$1 $2 search: $(wc -l < "$dir/journal.jsonl") trials in $(cat "$dir/wall-seconds") s"
}

finetune() { # task name seed args...
  local task="$1" name="$2" seed="$3"; shift 3
  local dir="$out/$task/$name/seed-$seed"
  if [ -f "$dir/summary.json" ]; then return; fi
  mkdir -p "$dir"
  "$root/peft4j" finetune --model "$MODEL" --dataset "$task" --train "$TRAIN" --validation "$VALIDATION" --test "$TEST" \
    --max-length "$LEN" --epochs "$EPOCHS" --seed "$seed" --split-seed "$SPLIT_SEED" --checkpoint-every 0 \
    --output "$dir" "$@" > "$dir/finetune.log" 2>&1 || { log "$task $name seed $seed FAILED (see $dir/finetune.log)"; return 0; }
  log "$task $name seed $seed: $(grep -o '"test_accuracy": [0-9.]*' "$dir/summary.json")"
}

for task in $TASKS; do
  search "$task" s4
  search "$task" bo
  for seed in $SEEDS; do
    finetune "$task" s4-plan "$seed" --plan "$out/$task/search-s4/best-plan.json"
    finetune "$task" bo-plan "$seed" --plan "$out/$task/search-bo/best-plan.json"
    for m in $BASELINES; do finetune "$task" "$m" "$seed" --method "$m"; done
  done
done

/usr/bin/env python3 - "$out" <<'PY' | tee "$out/results.md"
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
for task in sorted(p for p in out.iterdir() if p.is_dir()):
    print(f"\n### {task.name}\n")
    for alg in ("s4", "bo"):
        d = task / f"search-{alg}"
        if (d / "journal.jsonl").exists():
            n = sum(1 for _ in open(d / "journal.jsonl"))
            wall = int((d / "wall-seconds").read_text()) if (d / "wall-seconds").exists() else None
            rate = f", {3600 * n / wall:.0f} trials/hour" if wall else ""
            print(f"- {alg} search: {n} journal entries" + (f" in {wall // 60} min {wall % 60} s{rate}" if wall else ""))
    print("\n| configuration | trainable fraction | test accuracy, mean ± sd | per seed |\n|---|---|---|---|")
    rows = []
    for cfg in sorted(p for p in task.iterdir() if p.is_dir() and not p.name.startswith("search-")):
        s = [json.loads((r / "summary.json").read_text()) for r in sorted(cfg.glob("seed-*")) if (r / "summary.json").exists()]
        if not s: continue
        acc = [x["test_accuracy"] for x in s]
        sd = statistics.stdev(acc) if len(acc) > 1 else 0.0
        rows.append((statistics.mean(acc), cfg.name, s[0]["trainable_fraction"], sd, acc))
    for mean, name, frac, sd, acc in sorted(rows, reverse=True):
        print(f"| {name} | {100 * frac:.3f} % | {100 * mean:.2f} ± {100 * sd:.2f} % | {', '.join(f'{100 * a:.1f}' for a in acc)} |")
PY
log "all done in $(( $(date +%s) - started )) s; table in $out/results.md"
