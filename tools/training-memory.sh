#!/usr/bin/env bash
# Where a training step's memory goes (tools/TrainingMemory.java): tensor bytes and used heap per phase of a LoRA
# step on an all-MiniLM-L6-v2-shaped model. Usage: tools/training-memory.sh [BATCH [LENGTH]]  (default 16 128)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/peft4j" --help > /dev/null   # builds the CLI (and its class path file) when sources changed
jdk="$("$root/bin/find-jdk25")"
exec "$jdk/bin/java" -Xmx4g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$root/cli/target/peft4j-cli-0.1.0-SNAPSHOT.jar:$(cat "$root/cli/target/classpath.txt")" \
  "$root/tools/TrainingMemory.java" "$@"
