#!/usr/bin/env bash
# Everything of the native library on a machine with an NVIDIA GPU, in one command (needs nvcc, cmake >= 3.24 and a
# C++17 compiler; no Java, no Maven, no internet):
#   native/run-on-gpu.sh            from anywhere; writes logs to native/build/gpu-logs/ (or $OUT when set; git ignores native/build)
# 1. builds the library, the tests and the bench for the GPU found (CUDA_ARCH=90, say, to choose);
# 2. ctest: every kernel family against its float64 CPU reference. A test reported Skipped counts as a failure here:
#    on a GPU machine nothing may skip;
# 3. compute-sanitizer memcheck and racecheck on every test executable;
# 4. peft4j_native_bench: CUDA-event timings (fused LoRA vs the cuBLAS base GEMM, prefix vs plain attention).
# Exits non-zero when any step failed and prints a one-line summary per step.
set -uo pipefail
native="$(cd "$(dirname "$0")" && pwd)"
build="${BUILD_DIR:-$native/build/gpu}"
out="${OUT:-$native/build/gpu-logs}"
mkdir -p "$out"
status=0
step() { echo "== $*"; }

step "build (CUDA_ARCH=${CUDA_ARCH:-native})"
if cmake -S "$native" -B "$build" -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-native}" > "$out/cmake.log" 2>&1 &&
   cmake --build "$build" --parallel > "$out/build.log" 2>&1; then
  grep -E "peft4j: " "$out/cmake.log" || true
else
  echo "build FAILED (see $out/cmake.log, $out/build.log)"
  tail -30 "$out/build.log"
  exit 1
fi

step "ctest"
ctest --test-dir "$build" --output-on-failure -V > "$out/ctest.log" 2>&1 || status=1
grep -E "tests passed|tests failed|\(Skipped\)|\(Failed\)|Not Run" "$out/ctest.log" | tail -30
if grep -q "(Skipped)" "$out/ctest.log"; then
  echo "ctest: tests were SKIPPED (no usable device?): counted as a failure"
  status=1
fi

step "compute-sanitizer memcheck and racecheck"
sanitizer="$(command -v compute-sanitizer || true)"
[ -z "$sanitizer" ] && [ -x /usr/local/cuda/bin/compute-sanitizer ] && sanitizer=/usr/local/cuda/bin/compute-sanitizer
if [ -n "$sanitizer" ]; then
  for t in "$build"/peft4j_*_test; do
    for tool in memcheck racecheck; do
      log="$out/$(basename "$t").$tool.log"
      if "$sanitizer" --tool "$tool" --error-exitcode 1 "$t" > "$log" 2>&1; then
        echo "  $tool $(basename "$t"): clean"
      else
        echo "  $tool $(basename "$t"): ERRORS (see $log)"
        status=1
      fi
    done
  done
else
  echo "compute-sanitizer not found: memcheck/racecheck NOT run"
  status=1
fi

step "bench"
if "$build/peft4j_native_bench" > "$out/native-bench.log" 2>&1; then
  cat "$out/native-bench.log"
else
  echo "bench FAILED"; tail -20 "$out/native-bench.log"; status=1
fi

step "result: $([ $status -eq 0 ] && echo ALL PASSED || echo FAILURES) (logs in $out)"
exit $status
