#!/usr/bin/env bash
# The design-space search experiment of docs/search/PROTOCOL.md, resumable: for each task, an S4 search and a BO
# search at a 0.5 % budget on bge-small-en-v1.5; then the S4 plan, the BO front's best plan within the budget and the
# budget-matched hand-made baselines (sizes from the BO search's baselines.tsv, or the S4 search's) each fine-tuned
# with every seed on one fixed split and scored on its held-out test part, with each test prediction saved; then the
# proxy rank check, the per-configuration table and the protocol's primary comparison (peft4j compare: paired
# bootstrap over test examples and seeds, McNemar).
# The search proxies use the first PT + PV examples of the split-seed shuffle; the final runs train on the first
# TRAIN (≥ PT + PV) of the same shuffle, validate on the next VALIDATION and test on the TEST after them, so no test
# or validation example was seen by the search.
#
#   tools/search-experiment.sh [OUT]        (default OUT = runs/experiment; rerun the same command to resume)
#
# Sizes are environment variables; the defaults are the protocol's:
#   TASKS="imdb spam" SEEDS="1 2 3 4 5" LEN=128 PT=800 PV=400 S4_K=2 S4_EXTRA=2 BO_INITIAL=8 BO_ITERATIONS=8
#   BO_BATCH=2 TRAIN=2000 VALIDATION=400 TEST=2000 EPOCHS=3 BASELINES="lora houlsby pfeiffer parallel prefix bitfit"
#   SEARCHES="s4 bo" RESAMPLES=10000 LONG_PT=0 (S4 successive halving, off in the protocol: screen every choice at
#   PT examples, promote the best third to LONG_PT)
#   STAGE=all, or STAGE=rank-check to run only the proxy's rank check (the baselines with the proxy and their seed-1
#   final runs), which the protocol runs and reports before any search, or STAGE=report to run nothing and write
#   results.md from what OUT holds, or STAGE=status to run nothing and print what is done and an estimate of the
#   machine time the rest needs (from the median final run, paused spells taken out, and trial so far)
# (.ci/run smokes it with tiny sizes, SEARCHES=bo and one seed.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-runs/experiment}"
TASKS="${TASKS:-imdb spam}"; SEEDS="${SEEDS:-1 2 3 4 5}"; LEN="${LEN:-128}"; PT="${PT:-800}"; PV="${PV:-400}"
S4_K="${S4_K:-2}"; S4_EXTRA="${S4_EXTRA:-2}"
BO_INITIAL="${BO_INITIAL:-8}"; BO_ITERATIONS="${BO_ITERATIONS:-8}"; BO_BATCH="${BO_BATCH:-2}"
TRAIN="${TRAIN:-2000}"; VALIDATION="${VALIDATION:-400}"; TEST="${TEST:-2000}"; EPOCHS="${EPOCHS:-3}"
BASELINES="${BASELINES:-lora houlsby pfeiffer parallel prefix bitfit}"; SEARCHES="${SEARCHES:-s4 bo}"
RESAMPLES="${RESAMPLES:-10000}"; LONG_PT="${LONG_PT:-0}"; STAGE="${STAGE:-all}"
MODEL=bge-small; BUDGET=0.005; SPLIT_SEED=1
case "$STAGE" in all|rank-check|report|status) ;;
  *) echo "STAGE must be all, rank-check, report or status, got '$STAGE'" >&2; exit 2 ;; esac
if [ "$TRAIN" -lt $((PT + PV)) ]; then
  echo "TRAIN ($TRAIN) must be at least PT + PV ($((PT + PV))) so that the test part is unseen by the search" >&2; exit 2
fi
median() { sort -g | awk '{ a[++n] = $1 } END { if (n) print a[int((n + 1) / 2)] }'; }
field() { grep -o "\"$2\": *[-0-9.eE]*" "$1" | head -1 | sed 's/.*: *//' || true; }
started_of() { grep -o '"started": *"[^"]*"' "$1" 2>/dev/null | head -1 | sed 's/.*: *"//; s/"$//' || true; } # settings.json
# A final run's active seconds: its wall time less the spells inside it when tools/with-experiment-paused.sh had
# stopped the experiment (OUT/pauses.tsv: start and end, epoch seconds); the run's span starts at settings.json's
# "started". With no start or no pauses file, the wall time.
active_seconds() { # run dir (ending in /)
  local w s t0=""
  w=$(field "$1summary.json" wall_seconds); [ -n "$w" ] || return 0
  s=$(started_of "$1settings.json")
  [ -n "$s" ] && t0=$(date -u -d "$s" +%s 2>/dev/null || true)
  if [ -z "$t0" ] || [ ! -f "$out/pauses.tsv" ]; then echo "$w"; return 0; fi
  awk -F'\t' -v a="$t0" -v w="$w" '{ lo = ($1 > a ? $1 : a); hi = ($2 < a + w ? $2 : a + w); if (hi > lo) p += hi - lo }
    END { d = w - p; printf "%.3f\n", (d > 0 ? d : 0) }' "$out/pauses.tsv"
}
status() { # what OUT holds, per task, and the machine time the rest needs at the medians so far
  local task alg d n med at fin_med fat done_finals want total=0 configs
  configs=$(( $(echo $SEARCHES | wc -w) + $(echo $BASELINES | wc -w) + 1 ))
  for task in $TASKS; do
    echo "$task:"
    fin_med=$(for r in "$out/$task"/*/seed-*/summary.json; do [ -f "$r" ] && active_seconds "${r%summary.json}"; done \
      | median || true)
    if [ -n "$fin_med" ]; then fat="median ${fin_med%.*} s"; else fin_med=450; fat="none yet, 450 s assumed"; fi
    for alg in baselines $SEARCHES; do
      d="$out/$task/search-$alg"; n=0; [ -f "$d/journal.jsonl" ] && n=$(grep -c . "$d/journal.jsonl")
      med=$(grep -o '"seconds":[0-9.eE]*' "$d/journal.jsonl" 2>/dev/null | sed 's/.*://' | median || true)
      if [ -n "$med" ]; then at="median ${med%.*} s"; else med=65; at="no trial yet, 65 s assumed"; fi
      if [ -f "$d/report.md" ]; then echo "  $alg search: done, $n trials"; continue; fi
      case "$alg" in
        bo) want=$((BO_INITIAL + BO_ITERATIONS * BO_BATCH + $(echo $BASELINES | wc -w) + 2))
            total=$(awk -v t="$total" -v r=$((want > n ? want - n : 0)) -v m="$med" 'BEGIN { print t + r * m }')
            echo "  bo search: $n of about $want trials ($at)" ;;
        s4) echo "  s4 search: $n trials so far ($at); how many it needs depends on how many stages need" \
              "extra rounds, not counted below" ;;
        *) want=$(( $(echo $BASELINES | wc -w) + 2 )) # and (IA)3 and the paper's pattern
           total=$(awk -v t="$total" -v r=$((want > n ? want - n : 0)) -v m="$med" 'BEGIN { print t + r * m }')
           echo "  $alg search: $n of $want trials ($at)" ;;
      esac
    done
    done_finals=$( (ls "$out/$task"/*/seed-*/summary.json 2>/dev/null || true) | wc -l)
    want=$((configs * $(echo $SEEDS | wc -w)))
    echo "  final runs: $done_finals of $want ($fat)"
    total=$(awk -v t="$total" -v r=$((want - done_finals)) -v m="$fin_med" 'BEGIN { print t + (r > 0 ? r : 0) * m }')
  done
  awk -v t="$total" 'BEGIN { printf "rest, without unfinished S4 searches: about %.1f h of machine time\n", t / 3600 }'
}
if [ "$STAGE" = status ]; then status; exit 0; fi

mkdir -p "$out"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$out/experiment.log"; }
started=$(date +%s)
log "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, $(uname -m)"

metric() { # task: the protocol's metric (accuracy on balanced IMDB, macro-F1 on unbalanced SpamAssassin)
  case "$1" in spam) echo macro-f1 ;; *) echo accuracy ;; esac
}

search() { # task algorithm (s4, bo, or baselines: the rank check's proxies of the baselines alone)
  local dir="$out/$1/search-$2"
  if [ -f "$dir/report.md" ]; then log "$1 $2 search: done before"; return; fi
  log "$1 $2 search: start"
  mkdir -p "$dir"
  local t0=$(date +%s)
  "$root/peft4j" search --algorithm "$2" --model "$MODEL" --dataset "$1" --budget "$BUDGET" --seed "$SPLIT_SEED" \
    --max-length "$LEN" --proxy-train "$PT" --proxy-validation "$PV" --samples "$S4_K" --extra-rounds "$S4_EXTRA" \
    --long-proxy-train "$LONG_PT" \
    --initial "$BO_INITIAL" --iterations "$BO_ITERATIONS" --batch-size "$BO_BATCH" --metric "$(metric "$1")" \
    $([ "$2" = bo ] && echo --within-budget) --output "$dir" \
    > "$dir.log" 2>&1 \
    || { log "$1 $2 search FAILED (see $dir.log)"; return 1; }
  log "$1 $2 search: $(wc -l < "$dir/journal.jsonl") trials (this part $(( $(date +%s) - t0 )) s)"
}

finetune() { # task name seed args...
  local task="$1" name="$2" seed="$3"; shift 3
  local dir="$out/$task/$name/seed-$seed"
  if [ -f "$dir/summary.json" ]; then return; fi
  mkdir -p "$dir"
  "$root/peft4j" finetune --model "$MODEL" --dataset "$task" --train "$TRAIN" --validation "$VALIDATION" --test "$TEST" \
    --max-length "$LEN" --epochs "$EPOCHS" --seed "$seed" --split-seed "$SPLIT_SEED" --checkpoint-every 0 --overwrite \
    --output "$dir" "$@" > "$dir/finetune.log" 2>&1 || { log "$task $name seed $seed FAILED (see $dir/finetune.log)"; return 0; }
  local key=$([ "$(metric "$task")" = macro-f1 ] && echo macro_f1 || echo accuracy)
  log "$task $name seed $seed: $(grep -o "\"test_$key\": [0-9.]*" "$dir/summary.json")"
}

size_of() { # task method: the budget-matched size the searches used (baselines.tsv), empty when none
  local f
  for f in "$out/$1/search-baselines/baselines.tsv" "$out/$1/search-bo/baselines.tsv" "$out/$1/search-s4/baselines.tsv"; do
    if [ -f "$f" ]; then awk -F'\t' -v m="$2" '$1 == m { print $2 }' "$f"; return; fi
  done
}

baselines() { # task seed: every budget-matched baseline and the design-spaces paper's pattern, fine-tuned
  local m size paper="$out/$1/search-baselines/s4-paper-plan.json"
  for m in $BASELINES; do
    size=$(size_of "$1" "$m")
    if [ -z "$size" ]; then log "$1 $m: no budget-matched size in the searches' baselines.tsv; skipped"; continue; fi
    finetune "$1" "$m" "$2" --method "$m" $([ "$size" -gt 0 ] && echo --size "$size")
  done
  if [ -f "$paper" ]; then finetune "$1" s4-paper "$2" --plan "$paper"; else log "$1 s4-paper: no $paper; skipped"; fi
}

for task in $TASKS; do
  [ "$STAGE" = report ] && break
  # the proxy's rank check comes first: the baselines with the proxy, then their seed-1 final runs
  search "$task" baselines
  baselines "$task" "${SEEDS%% *}"
  [ "$STAGE" = rank-check ] && continue
  for alg in $SEARCHES; do search "$task" "$alg"; done
  for seed in $SEEDS; do
    for alg in $SEARCHES; do finetune "$task" "$alg-plan" "$seed" --plan "$out/$task/search-$alg/best-plan.json"; done
    baselines "$task" "$seed"
  done
done

# Which machine ran what: OUT/machines.tsv (tools/resume-experiment.sh) has a row per start, with its CPU and each
# search journal's length then; a journal's line belongs to the last start before it, a final run to the last start
# before its own. Trial times differ between CPUs (the results do not: docs/search/departures.md), so each is given.
machine_rows() { grep -v '^#' "$out/machines.tsv" 2>/dev/null || true; }
search_by_machine() { # task/search-alg journal: "  - on CPU: ..." per machine
  [ -n "$(machine_rows)" ] || return 0
  machine_rows | awk -F'\t' -v key="$1" '
    FNR == NR { n++; cpu[n] = $2; from[n] = 0; m = split($3, kv, " ")
                for (i = 1; i <= m; i++) { split(kv[i], p, "="); if (p[1] == key) from[n] = p[2] + 0 }; next }
    { line++; if (!match($0, /"seconds":[0-9.eE]+/)) next
      k = 1; for (i = 1; i <= n; i++) if (line > from[i]) k = i
      printf "%s\t%s\n", cpu[k], substr($0, RSTART + 10, RLENGTH - 10) }' - "$2" | sort -t"$(printf '\t')" -k1,1 -k2,2g \
  | awk -F'\t' 'function flush() { if (!n) return; med = a[int((n + 1) / 2)]; u = 0
                    for (i = 1; i <= n; i++) u += (a[i] > 2 * med ? med : a[i])
                    printf "  - on %s: %d trials, median %.0f s, %.0f trials/hour (trials over twice the median counted at it)\n", cpu, n, med, 3600 * n / u
                    n = 0 }
                 $1 != cpu { flush(); cpu = $1 } { a[++n] = $2 } END { flush() }'
}
finals_by_machine() { # taskdir: the final runs' wall time per machine
  local r
  [ -n "$(machine_rows)" ] || return 0
  for r in "$1"*/seed-*/settings.json; do
    [ -f "$r" ] && [ -f "${r%settings.json}summary.json" ] || continue
    printf '%s\t%s\t%s\n' "$(started_of "$r")" \
      "$(field "${r%settings.json}summary.json" wall_seconds)" "$(active_seconds "${r%settings.json}")"
  done | sort | awk -F'\t' -v rows="$(machine_rows | cut -f1,2 | tr '\n' '|')" '
    BEGIN { n = split(rows, r, "|"); for (i = 1; i <= n; i++) if (r[i] != "") { split(r[i], p, "\t"); m++; at[m] = p[1]; cpu[m] = p[2] } }
    { k = 1; for (i = 1; i <= m; i++) if ($1 >= at[i]) k = i
      if (!(cpu[k] in c)) order[++cpus] = cpu[k]; c[cpu[k]]++; t[cpu[k]] += $2; u[cpu[k]] += $3 }
    END { for (i = 1; i <= cpus; i++) { x = order[i]
            printf "- final runs on %s: %d, mean %.0f s with the paused spells (pauses.tsv) taken out, %.0f s of wall time\n",
              x, c[x], u[x] / c[x], t[x] / c[x] } }'
}
has_runs() { local r; for r in "$1"seed-*/summary.json; do [ -f "$r" ] && return 0; done; return 1; }
compare() { # taskdir baseline candidate metric: the paired comparison, or why it could not be made
  local err; err=$(mktemp)
  (cd "$1" && "$root/peft4j" compare --baseline "$2" --candidate "$3" --metric "$4" --resamples "$RESAMPLES" 2> "$err") \
    | sed 's/^/- /' || echo "- compare failed: $( (grep '^peft4j: ' "$err" || grep . "$err") | tail -1 | sed 's/^peft4j: //')"
  rm -f "$err"
}
mean_of() { # config-dir summary-field: mean over its seeds
  local r s=""; for r in "$1"seed-*/summary.json; do [ -f "$r" ] && s="$s $(field "$r" "$2")"; done
  echo "$s" | awk '{ t = 0; for (i = 1; i <= NF; i++) t += $i; if (NF) printf "%.6f\n", t / NF }'
}
rank_check() { # journal taskdir (seed-1/summary.json, or all: the mean over seeds) field format: Spearman line
  local j="$1" taskdir="$2" which="$3" f="$4" fmt="$5" b p v pairs=""
  for b in $BASELINES s4-paper; do
    p=$(grep "\"trial\":\"baseline/$b\"" "$j" | grep -o '"metric":[-0-9.eE]*' | head -1 | sed 's/.*://' || true)
    if [ "$which" = all ]; then v=$(mean_of "$taskdir$b/" "$f")
    else v=""; [ -f "$taskdir$b/$which" ] && v=$(field "$taskdir$b/$which" "$f"); fi
    [ -n "$p" ] && [ -n "$v" ] && pairs="$pairs $p $v"
  done
  echo "$pairs" | awk -v fmt="$fmt" '
    function ranks(v, r, n,   i, j, less, eq) { for (i = 1; i <= n; i++) { less = 0; eq = 0
        for (j = 1; j <= n; j++) { if (v[j] < v[i]) less++; else if (v[j] == v[i]) eq++ } r[i] = less + (eq + 1) / 2 } }
    { n = NF / 2; for (i = 1; i <= n; i++) { a[i] = $(2 * i - 1); b[i] = $(2 * i) }
      if (n < 3) { print "- rank check: fewer than 3 baselines with both scores"; exit }
      ranks(a, ra, n); ranks(b, rb, n); ma = (n + 1) / 2; sab = 0; saa = 0; sbb = 0
      for (i = 1; i <= n; i++) { sab += (ra[i] - ma) * (rb[i] - ma); saa += (ra[i] - ma) ^ 2; sbb += (rb[i] - ma) ^ 2 }
      rho = (saa > 0 && sbb > 0) ? sab / sqrt(saa * sbb) : 0
      printf "- rank check: " fmt "\n", rho, n }'
}
{
  for task in $TASKS; do  # the tasks asked for, in their order (another task's folder in OUT is left out)
    taskdir="$out/$task/"; [ -d "$taskdir" ] || continue
    m=$(metric "$task"); key=$([ "$m" = macro-f1 ] && echo macro_f1 || echo accuracy)
    printf '\n### %s (metric: %s)\n\n' "$task" "$m"
    for alg in baselines s4 bo; do
      d="$taskdir/search-$alg"
      [ -f "$d/journal.jsonl" ] || continue
      # the trials' own times from the journal: a search resumed across sessions has no single wall time
      # (pauses for other work on the machine are inside them: trials over twice the median also counted at it)
      grep -o '"seconds":[0-9.eE]*' "$d/journal.jsonl" | sed 's/.*://' | sort -g | awk -v alg="$alg" '
        { a[++n] = $1; t += $1 }
        END { if (!n) exit; med = a[int((n + 1) / 2)]; for (i = 1; i <= n; i++) u += (a[i] > 2 * med ? med : a[i])
              printf "- %s search: %d trials, %.2f h of trial time (%.0f trials/hour); %.2f h (%.0f trials/hour) with trials over twice the median (%.0f s) counted at it\n",
                alg, n, t / 3600, 3600 * n / (t > 0 ? t : 1), u / 3600, 3600 * n / (u > 0 ? u : 1), med }'
      search_by_machine "$task/search-$alg" "$d/journal.jsonl"
    done
    finals_by_machine "$taskdir"
    # Rank check: the baselines' proxy scores (the rank check's baseline trials) against their seed-1 validation
    # (the protocol's); then, beyond the protocol, against the mean validation and test over every seed run
    j="$taskdir/search-baselines/journal.jsonl"
    if [ -f "$j" ]; then
      rank_check "$j" "$taskdir" "seed-1/summary.json" "validation_$key" \
        "Spearman %.2f between proxy and final (seed 1) validation over %d baselines (target >= 0.6)"
      if [ "$(echo $SEEDS | wc -w)" -gt 1 ]; then
        rank_check "$j" "$taskdir" all "validation_$key" \
          "beyond the protocol: Spearman %.2f between proxy and the mean final validation over the seeds (%d baselines)"
        rank_check "$j" "$taskdir" all "test_$key" \
          "beyond the protocol: Spearman %.2f between proxy and the mean test score over the seeds (%d baselines)"
      fi
    fi
    printf '\n| configuration | trainable fraction | validation %s, mean ± sd | test %s, mean ± sd | per seed (test) |\n|---|---|---|---|---|\n' "$m" "$m"
    for cfg in "$taskdir"*/; do
      name=$(basename "$cfg")
      case "$name" in search-*) continue ;; esac
      vals=""; valid=""; frac=""
      for r in "$cfg"seed-*/summary.json; do
        [ -f "$r" ] || continue
        vals="$vals $(field "$r" "test_$key")"; valid="$valid $(field "$r" "validation_$key")"
        frac=$(field "$r" trainable_fraction)
      done
      [ -n "$vals" ] || continue
      # the row, behind the mean validation score that orders the table (sort, then cut)
      echo "$vals" | awk -v name="$name" -v frac="$frac" -v valid="$valid" '
        function msd(x, n,   i, s, v) { s = 0; for (i = 1; i <= n; i++) s += x[i]; mean = s / n; v = 0
          for (i = 1; i <= n; i++) v += (x[i] - mean) ^ 2; sd = n > 1 ? sqrt(v / (n - 1)) : 0 }
        { n = NF; for (i = 1; i <= n; i++) t[i] = $i; split(valid, w, " ")
          msd(w, n); vm = mean; vsd = sd; msd(t, n)
          per = ""; for (i = 1; i <= n; i++) per = per (i > 1 ? ", " : "") sprintf("%.1f", 100 * t[i])
          printf "%.6f| %s | %.3f %% | %.2f ± %.2f %% | %.2f ± %.2f %% | %s |\n", vm, name, 100 * frac, 100 * vm, 100 * vsd,
            100 * mean, 100 * sd, per }'
    done | sort -t'|' -k1,1 -r -g | cut -d'|' -f2- | sed 's/^/|/'
    # The primary comparison: the searched plan and the baseline with the best mean validation score.
    best_search=""; best_base=""; bs=-1; bb=-1
    for cfg in "$taskdir"*/; do
      name=$(basename "$cfg"); v=$(mean_of "$cfg" "validation_$key"); [ -n "$v" ] || continue
      case "$name" in
        search-*) ;;
        *-plan) if awk -v a="$v" -v b="$bs" 'BEGIN { exit !(a > b) }'; then bs=$v; best_search=$name; fi ;;
        *) if awk -v a="$v" -v b="$bb" 'BEGIN { exit !(a > b) }'; then bb=$v; best_base=$name; fi ;;
      esac
    done
    if [ -n "$best_search" ] && [ -n "$best_base" ]; then
      echo
      echo "Primary comparison (by mean validation $m: $best_search against $best_base):"
      compare "$taskdir" "$best_base" "$best_search" "$m"
      for alg in $SEARCHES; do
        [ "$alg-plan" = "$best_search" ] || ! has_runs "$taskdir$alg-plan/" && continue
        echo "Secondary: $alg-plan against $best_base:"
        compare "$taskdir" "$best_base" "$alg-plan" "$m"
      done
    fi
  done
} | tee "$out/results.md"
log "all done in $(( $(date +%s) - started )) s; table in $out/results.md"
