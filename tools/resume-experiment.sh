#!/usr/bin/env bash
# Starts (or resumes) the search experiment of docs/search/PROTOCOL.md where it stopped, in the background, and
# commits its folder as it goes: the machine, /tmp and anything outside this repository may be gone by the next
# session, the commits are not.
#  1. a worktree of the pinned commit (PIN, default edcba5e; docs/search/departures.md says why) at ../exp;
#  2. tools/search-experiment.sh of that commit on TASKS (default "spam imdb": spam to the end, then IMDB) into
#     runs/experiment of this checkout, at nice 5, logging to LOGS/experiment.log (LOGS default /tmp/exp);
#  3. a line in runs/experiment/machines.tsv: when it started, on which CPU, and how many trials each search
#     journal held then, so that the report can give each machine's trial times apart (the CPU changes from
#     session to session, and with it the time a trial takes; the results do not, see docs/search/departures.md);
#  4. a loop that commits runs/experiment every EVERY seconds (default 1200), skipping a turn while another git
#     command holds the index. `tools/resume-experiment.sh stop` ends both (the loop commits once more first).
# Nothing starts twice: a running experiment or loop is left as it is. Progress: STAGE=status TASKS="spam imdb"
# tools/search-experiment.sh runs/experiment (runs nothing). Pause it around a measurement or a CI run with
# tools/with-experiment-paused.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pin="${PIN:-edcba5e}"
exp="$(cd "$root/.." && pwd)/exp"
logs="${LOGS:-/tmp/exp}"
every="${EVERY:-1200}"
out="$root/runs/experiment"
running() { pgrep -f "$1" > /dev/null; }
experiment_pattern='^(/[^ ]*/)?(ba)?sh [^ ]*tools/search-experiment\.sh'
loop_pattern='resume-experiment\.sh commit-loop'

cpu() { # "AMD EPYC, family 25 model 17, AVX-512": what a trial's time depends on
  local name family model isa=AVX2
  name=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  family=$(lscpu | sed -n 's/^CPU family: *//p' | head -1)
  model=$(lscpu | sed -n 's/^Model: *//p' | head -1)
  grep -qw avx512f /proc/cpuinfo && isa=AVX-512
  echo "$name, family $family model $model, $isa"
}

record_machine() { # started (UTC), cpu, journal lines per search when it started
  local j counts=""
  for j in "$out"/*/search-*/journal.jsonl; do
    [ -f "$j" ] && counts="$counts $(basename "$(dirname "$(dirname "$j")")")/$(basename "$(dirname "$j")")=$(grep -c . "$j")"
  done
  [ -f "$out/machines.tsv" ] || printf '# started (UTC)\tcpu\tjournal lines when it started\n' > "$out/machines.tsv"
  printf '%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(cpu)" "${counts# }" >> "$out/machines.tsv"
}

commit() {
  cd "$root"
  [ -e .git/index.lock ] && return 0
  git add runs/experiment
  git diff --cached --quiet -- runs/experiment && return 0
  local trials
  trials=$(cat runs/experiment/*/search-*/journal.jsonl 2>/dev/null | wc -l)
  git commit -q -m "runs/experiment: progress at $(date -u +%H:%M) UTC ($trials search trials journaled)" \
    -- runs/experiment || true
}

case "${1:-start}" in
  commit-loop)
    trap 'commit; exit 0' TERM INT
    while true; do sleep "$every" & wait $!; commit; done ;;
  stop)
    # the experiment's whole process group (setsid made it one): the script and the trial it is running
    for g in $(pgrep -f "$experiment_pattern" | xargs -r -n1 ps -o pgid= -p | tr -d ' ' | sort -u); do
      kill -TERM -- "-$g" 2>/dev/null || true
    done
    pkill -TERM -f "$loop_pattern" || true
    sleep 2
    commit
    echo "experiment and commit loop stopped; runs/experiment committed" ;;
  start)
    mkdir -p "$logs"
    if running "$experiment_pattern"; then
      echo "the experiment is running already"
    else
      if [ ! -d "$exp" ]; then
        git -C "$root" worktree prune
        git -C "$root" worktree add -f "$exp" "$pin"
      fi
      [ "$(git -C "$exp" rev-parse HEAD)" = "$(git -C "$root" rev-parse "$pin^{commit}")" ] \
        || { echo "$exp is not at the pinned commit $pin" >&2; exit 1; }
      mkdir -p "$out" && record_machine
      (cd "$exp" && setsid nohup env TASKS="${TASKS:-spam imdb}" nice -n 5 bash tools/search-experiment.sh "$out" \
        >> "$logs/experiment.log" 2>&1 &)
      echo "experiment started from $exp ($pin); log: $logs/experiment.log"
    fi
    if running "$loop_pattern"; then
      echo "the commit loop is running already"
    else
      (setsid nohup bash "$root/tools/resume-experiment.sh" commit-loop >> "$logs/commit-loop.log" 2>&1 &)
      echo "commit loop started (every $every s)"
    fi ;;
  *) echo "usage: tools/resume-experiment.sh [start|stop]" >&2; exit 2 ;;
esac
