#!/usr/bin/env bash
# The CUDA checks of issue 6 in one command, on a machine with an NVIDIA GPU, nvcc and cmake (no Java, no internet:
# run from the folder tools/gpu-pack.sh unpacks, which carries its own Java runtime):
#   1. the native harness: every kernel against its float64 CPU reference (ctest), the timings against cuBLAS
#      (peft4j_native_bench: fused LoRA vs the base GEMM, prefix vs plain attention), then compute-sanitizer
#      memcheck and racecheck on every test;
#   2. the Java side on the GPU: the conformance suite (every kernel of the CUDA backend against the reference
#      backend), the CUDA backend's own tests, and 20 LoRA training steps against the CPU backend, with the dense
#      products on cuBLAS (the default) and again the conformance suite with peft4j's tiled GEMM
#      (-Dpeft4j.cuda.gemm=tiled);
#   3. `peft4j bench --backend cuda` on the bge-small shape (12 layers, hidden 384, LoRA r = 8 on query/value, batch
#      32 x 128), once per GEMM engine;
#   4. when PyTorch, transformers and peft are installed: their bge-small + LoRA step at 32 x 128 (the speed target's
#      comparison point, jmh-bench/gpu/bge_small_lora_step.py).
# cuBLAS comes from the machine's CUDA 13 install (libcublas.so.13): the script adds the directory it finds it in to
# LD_LIBRARY_PATH. Without it the cuBLAS runs report "cuBLAS failed to load" and the tiled runs still go.
# Writes everything to gpu-check/ (or $OUT when set) and exits non-zero when anything failed. CUDA_ARCH=90 (say)
# builds for that architecture instead of the GPU found (for a dry run on a machine without one).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$here/gpu-check}"
mkdir -p "$out"
status=0
cmake -S "$here/native" -B "$here/build/native" -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-native}" > "$out/cmake.log" 2>&1 \
  && cmake --build "$here/build/native" --parallel > "$out/build.log" 2>&1 || { echo "native build failed"; status=1; }
ctest --test-dir "$here/build/native" --output-on-failure -V > "$out/ctest.log" 2>&1 || status=1
grep -E "tests passed|Skipped|Failed" "$out/ctest.log" | tail -20
"$here/build/native/peft4j_native_bench" > "$out/native-bench.log" 2>&1 || status=1  # timings vs cuBLAS
cat "$out/native-bench.log"
if command -v compute-sanitizer > /dev/null; then
  for t in "$here"/build/native/peft4j_*_test; do
    for tool in memcheck racecheck; do
      compute-sanitizer --tool "$tool" --error-exitcode 1 "$t" > "$out/$(basename "$t").$tool.log" 2>&1 \
        || { echo "compute-sanitizer $tool: $(basename "$t") reported errors"; status=1; }
    done
  done
else
  echo "compute-sanitizer not found: memcheck/racecheck skipped"
fi
cublas_dir="$(find /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local /usr/lib /opt \
  $(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2> /dev/null) \
  -name 'libcublas.so.13' -print -quit 2> /dev/null)"
if [ -n "$cublas_dir" ]; then
  export LD_LIBRARY_PATH="$(dirname "$cublas_dir")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "cuBLAS: $cublas_dir"
else
  echo "cuBLAS: libcublas.so.13 not found; the cuBLAS runs will report it"
fi
java_run() {  # java_run <gemm engine> <main class and arguments...>
  local engine="$1"; shift
  "$here/runtime/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Dpeft4j.cuda.unverified=true -Dpeft4j.cuda.gemm="$engine" \
    -cp "$here/test-classes:$here/cuda-test-classes:$here/jars/*" "$@"
}
if [ -x "$here/runtime/bin/java" ]; then
  java_run cublas org.junit.platform.console.ConsoleLauncher \
    --select-class dev.peft4j.conformance.BackendConformanceTest --select-package dev.peft4j.cuda \
    --details=summary > "$out/java-tests-cublas.log" 2>&1 || status=1
  tail -25 "$out/java-tests-cublas.log"
  java_run tiled org.junit.platform.console.ConsoleLauncher \
    --select-class dev.peft4j.conformance.BackendConformanceTest --select-class dev.peft4j.cuda.CudaTrainingMatchesCpuTest \
    --details=summary > "$out/java-tests-tiled.log" 2>&1 || status=1
  tail -25 "$out/java-tests-tiled.log"
  # the bge-small-shaped LoRA step on the CUDA backend; its LoRA forward follows the engine: cublas = cuBLAS base +
  # peft4j_lora_low_rank_forward, tiled = the fused peft4j_lora_forward (keep the faster as the default)
  for engine in cublas tiled; do
    java_run "$engine" dev.peft4j.cli.Peft4j bench --backend cuda --layers 12 --batch 32 --seq 128 --steps 25 --warmup 5 \
      > "$out/bench-cuda-$engine.log" 2>&1 || status=1
    echo "gemm $engine: $(tail -1 "$out/bench-cuda-$engine.log")"
  done
else
  echo "no Java runtime next to this script: run tools/gpu-pack.sh on a machine with JDK 25 and Maven first"
  status=1
fi
if [ -f "$here/bge_small_lora_step.py" ] && python3 -c "import torch, transformers, peft" 2> /dev/null; then
  python3 "$here/bge_small_lora_step.py" > "$out/pytorch-peft-step.log" 2>&1 || status=1  # the comparison point
  tail -1 "$out/pytorch-peft-step.log"
fi
exit $status
