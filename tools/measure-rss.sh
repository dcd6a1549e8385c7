#!/usr/bin/env bash
# RSS of a 1,000-step fine-tune (MiniLM + LoRA, batch 4 × 32 tokens), sampled every second from /proc/PID/status;
# writes OUT/rss.tsv (seconds, last logged step, VmRSS kB), OUT/gc-PID.log and the run folder.
#   tools/measure-rss.sh [OUT]      (default OUT = runs/rss)
set -u
cd "$(dirname "$0")/.."
out="${1:-runs/rss}"
mkdir -p "$out"
rm -f "$out/rss.tsv"
JAVA_TOOL_OPTIONS="-Xlog:gc:file=$out/gc-%p.log" ./peft4j finetune --train 4000 --validation 100 --test 100 --epochs 1 --batch 4 --max-length 32 --checkpoint-every 250 \
  --output "$out/run" --overwrite > "$out/finetune.log" 2>&1 &
pid=$! # the launcher execs java, so this becomes the JVM's pid
t=0
while kill -0 $pid 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  step=$(grep -o '"step": *[0-9]*' "$out/run/metrics.jsonl" 2>/dev/null | tail -1 | grep -o '[0-9]*$')
  echo "$t ${step:-0} ${rss:-0}" >> "$out/rss.tsv"
  sleep 1; t=$((t+1))
done
echo "RSS samples in $out/rss.tsv; run log $out/finetune.log"
