#!/usr/bin/env bash
# Texts per second of Peft4jEmbeddingModel against langchain4j's own in-process MiniLM (onnxruntime), batches of 32
# (or batchSize) texts of 128 tokens, alternated in one run.
# Usage: tools/embed-throughput.sh [rounds] [batchesPerRound] [batchSize] [uniform|varied]
# (varied: texts of 8 to 160 words, other texts in every batch, as an embedding service sees them)
set -euo pipefail
cd "$(dirname "$0")/.."
bin/mvn25 -B -q -ntp -P'!cuda' -DskipTests -pl java-api/langchain4j -am test-compile \
  dependency:build-classpath -Dmdep.outputFile=target/langchain4j-test.classpath -Dmdep.includeScope=test >&2
jdk="$(bin/find-jdk25)"
cp="java-api/langchain4j/target/test-classes:java-api/langchain4j/target/classes:$(cat java-api/langchain4j/target/langchain4j-test.classpath)"
exec "$jdk/bin/java" --add-modules jdk.incubator.vector -Dpeft4j.cpu.warmUp=false -cp "$cp" \
  dev.peft4j.langchain4j.EmbeddingThroughput "$@"
