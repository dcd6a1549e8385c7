#!/usr/bin/env bash
# Runs a command with tools/search-experiment.sh paused (SIGSTOP on its process group, SIGCONT after, also when the
# command fails or is interrupted), so that a benchmark or a CI run on the same 2-core machine is not disturbed and
# the experiment's trial times show where they were inflated: each pause is appended to OUT/pauses.tsv (start and
# end, epoch seconds), OUT being the experiment's folder (EXPERIMENT_OUT, default runs/experiment).
#
#   tools/with-experiment-paused.sh COMMAND [ARGS...]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${EXPERIMENT_OUT:-$root/runs/experiment}"
# the process groups of running experiments (a shell whose first argument is the script), never this one's own
self=$(ps -o pgid= -p $$ | tr -d ' ')
groups=$(pgrep -f '^(/[^ ]*/)?(ba)?sh [^ ]*tools/search-experiment\.sh' | xargs -r -n1 ps -o pgid= -p | tr -d ' ' \
  | sort -u | grep -vx "$self" || true)
start=$(date +%s)
for g in $groups; do kill -STOP -- "-$g" 2>/dev/null; done
resume() {
  for g in $groups; do kill -CONT -- "-$g" 2>/dev/null; done
  if [ -n "$groups" ] && [ -d "$out" ]; then printf '%s\t%s\n' "$start" "$(date +%s)" >> "$out/pauses.tsv"; fi
}
trap resume EXIT
[ -n "$groups" ] && echo "experiment paused (process groups: $groups)" >&2
"$@"
