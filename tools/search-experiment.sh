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
#   TRAIN=800 VALIDATION=100 TEST=500 EPOCHS=1 BASELINES="lora houlsby pfeiffer parallel mam" SEARCHES="s4 bo"
# (.ci/run smokes it with tiny sizes, SEARCHES=bo and one seed.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-runs/experiment}"
TASKS="${TASKS:-imdb spam}"; SEEDS="${SEEDS:-1 2 3}"; LEN="${LEN:-64}"; PT="${PT:-240}"; PV="${PV:-120}"
S4_K="${S4_K:-1}"; BO_INITIAL="${BO_INITIAL:-8}"; BO_ITERATIONS="${BO_ITERATIONS:-8}"; BO_BATCH="${BO_BATCH:-2}"
TRAIN="${TRAIN:-800}"; VALIDATION="${VALIDATION:-100}"; TEST="${TEST:-500}"; EPOCHS="${EPOCHS:-1}"
BASELINES="${BASELINES:-lora houlsby pfeiffer parallel mam}"; SEARCHES="${SEARCHES:-s4 bo}"
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
    --iterations "$BO_ITERATIONS" --batch-size "$BO_BATCH" $([ "$2" = s4 ] && echo --no-baselines) \
    $([ "$2" = bo ] && echo --within-budget) --output "$dir" \
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
    --max-length "$LEN" --epochs "$EPOCHS" --seed "$seed" --split-seed "$SPLIT_SEED" --checkpoint-every 0 --overwrite \
    --output "$dir" "$@" > "$dir/finetune.log" 2>&1 || { log "$task $name seed $seed FAILED (see $dir/finetune.log)"; return 0; }
  log "$task $name seed $seed: $(grep -o '"test_accuracy": [0-9.]*' "$dir/summary.json")"
}

for task in $TASKS; do
  for alg in $SEARCHES; do search "$task" "$alg"; done
  for seed in $SEEDS; do
    for alg in $SEARCHES; do finetune "$task" "$alg-plan" "$seed" --plan "$out/$task/search-$alg/best-plan.json"; done
    for m in $BASELINES; do finetune "$task" "$m" "$seed" --method "$m"; done
  done
done

field() { grep -o "\"$2\": *[-0-9.eE]*" "$1" | head -1 | sed 's/.*: *//'; }
{
  for taskdir in "$out"/*/; do
    task=$(basename "$taskdir")
    printf '\n### %s\n\n' "$task"
    for alg in s4 bo; do
      d="$taskdir/search-$alg"
      [ -f "$d/journal.jsonl" ] || continue
      n=$(wc -l < "$d/journal.jsonl")
      if [ -f "$d/wall-seconds" ]; then
        w=$(cat "$d/wall-seconds")
        echo "- $alg search: $n journal entries in $((w / 60)) min $((w % 60)) s ($((3600 * n / (w > 0 ? w : 1))) trials/hour)"
      else
        echo "- $alg search: $n journal entries"
      fi
    done
    printf '\n| configuration | trainable fraction | test accuracy, mean ± sd | per seed |\n|---|---|---|---|\n'
    for cfg in "$taskdir"*/; do
      name=$(basename "$cfg")
      case "$name" in search-*) continue ;; esac
      accs=""; frac=""
      for r in "$cfg"seed-*/summary.json; do
        [ -f "$r" ] || continue
        accs="$accs $(field "$r" test_accuracy)"; frac=$(field "$r" trainable_fraction)
      done
      [ -n "$accs" ] || continue
      echo "$accs" | awk -v name="$name" -v frac="$frac" '{
        n = NF; s = 0; for (i = 1; i <= n; i++) s += $i; m = s / n; v = 0
        for (i = 1; i <= n; i++) v += ($i - m) ^ 2; sd = n > 1 ? sqrt(v / (n - 1)) : 0
        per = ""; for (i = 1; i <= n; i++) per = per (i > 1 ? ", " : "") sprintf("%.1f", 100 * $i)
        printf "%.6f| %s | %.3f %% | %.2f ± %.2f %% | %s |\n", m, name, 100 * frac, 100 * m, 100 * sd, per }'
    done | sort -t'|' -k1,1 -r -g | cut -d'|' -f2- | sed 's/^/|/'
  done
} | tee "$out/results.md"
log "all done in $(( $(date +%s) - started )) s; table in $out/results.md"
