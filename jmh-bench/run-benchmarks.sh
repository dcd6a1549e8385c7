#!/usr/bin/env bash
# Builds the benchmarks jar and runs a short configuration (1 fork, 2 warm-up and 3 measured 1-second iterations).
# Extra arguments go to JMH, e.g. a benchmark regex: jmh-bench/run-benchmarks.sh SgemmBenchmark -p threads=1
# Run it on a quiet machine: anything else running on the cores shows up in the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
jdk="$(bin/find-jdk25)"
bin/mvn25 -B -q -ntp -pl jmh-bench -am package -DskipTests
# OpenBLAS (SgemmBenchmark's yardstick) is pinned to its AVX-512 kernels on a CPU that has them, unless the caller
# chose a core type (bin/openblas-coretype); with OPENBLAS_VERBOSE=2 it prints the core it loaded ("Core: ...").
coretype="$(bin/openblas-coretype)"
if [ -n "$coretype" ]; then export OPENBLAS_CORETYPE="$coretype"; fi
export OPENBLAS_VERBOSE="${OPENBLAS_VERBOSE:-2}"
# The backend's background JIT warm-up is switched off in the forks: JMH warms up itself.
"$jdk/bin/java" --add-modules jdk.incubator.vector -jar jmh-bench/target/benchmarks.jar \
  -f 1 -wi 2 -i 3 -w 1s -r 1s -jvmArgsAppend -Dpeft4j.cpu.warmUp=false "${@:-FmaPeak|Sgemm|LoraFusion|Attention|KernelsVsReference}"
