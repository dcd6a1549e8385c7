#!/usr/bin/env bash
# Alternated A/B of tools/embed-throughput.sh: this checkout against another commit (built in a git worktree under
# target/ab/), one JVM per run, the two taking turns, so that a change's effect on peft4j ÷ onnxruntime is read from
# pairs measured side by side on one machine.
# Usage: tools/embed-throughput-ab.sh REV [pairs] [rounds] [batchesPerRound] [batchSize] [uniform|varied]
# Prints each run's median line, then the ratios of each side.
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:?usage: tools/embed-throughput-ab.sh REV [pairs] [rounds] [batches] [batchSize] [uniform|varied]}"
pairs="${2:-3}"
shift $(( $# < 2 ? $# : 2 ))
sha="$(git rev-parse --verify "$rev^{commit}")"
base="target/ab/${sha:0:12}"
if [ ! -d "$base" ]; then
  mkdir -p target/ab
  git worktree add --detach "$base" "$sha" >&2
fi
build() { # the langchain4j module's test class path of the tree $1
  (cd "$1" && bin/mvn25 -B -q -ntp -P'!cuda' -DskipTests -pl java-api/langchain4j -am test-compile \
    dependency:build-classpath -Dmdep.outputFile=target/langchain4j-test.classpath -Dmdep.includeScope=test >&2)
  local dir; dir="$(cd "$1" && pwd)"
  echo "$dir/java-api/langchain4j/target/test-classes:$dir/java-api/langchain4j/target/classes:$(cat "$dir/java-api/langchain4j/target/langchain4j-test.classpath")"
}
here_cp="$(build .)"
base_cp="$(build "$base")"
jdk="$(bin/find-jdk25)"
run() { # class path, then the throughput arguments; prints the median line
  local cp="$1"; shift
  "$jdk/bin/java" --add-modules jdk.incubator.vector -Dpeft4j.cpu.warmUp=false -cp "$cp" \
    dev.peft4j.langchain4j.EmbeddingThroughput "$@" 2>/dev/null | grep -E "^median" || echo "median: (the run failed)"
}
here_ratios=()
base_ratios=()
for ((p = 1; p <= pairs; p++)); do
  line="$(run "$base_cp" "$@")"; echo "pair $p, ${sha:0:12}: $line"; base_ratios+=("${line##*ratio }")
  line="$(run "$here_cp" "$@")"; echo "pair $p, this checkout: $line"; here_ratios+=("${line##*ratio }")
done
echo "peft4j ÷ onnxruntime, ${sha:0:12}: ${base_ratios[*]}"
echo "peft4j ÷ onnxruntime, this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- java-api kernels-cpu || echo ', with changes')): ${here_ratios[*]}"
