#!/usr/bin/env bash
# Builds and runs the two consumer projects against the peft4j artifacts in the local Maven repository (./peft4j-test
# installs them first), and checks what a consumer of peft4j-core + peft4j-kernels-cpu gets:
#  1. dependency:tree of the class-path consumer holds peft4j-core and peft4j-kernels-cpu and nothing else;
#  2. dependency:tree of peft4j-core (compile and runtime scopes) holds nothing but itself;
#  3. text-consumer (README.md's embed, fine-tune, classify and embedding fine-tune snippets; ReadmeSnippetsTest checks
#     that README.md shows their code) compiles, and each runs: FineTuneClassifier saves my-classifier, Classify
#     loads it, FineTuneEncoder saves my-encoder, Embed ranks a paraphrase above an unrelated text;
#  4. the class-path consumer runs (with --add-modules jdk.incubator.vector) and the module-path consumer runs (no
#     flag: dev.peft4j.cpu requires the module) a fused LoRA forward on wrapped arrays equal to the reference's.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn=(bin/mvn25 -B -q -ntp)
out="$root/examples/target"
mkdir -p "$out"

for c in classpath-consumer modulepath-consumer text-consumer; do
  "${mvn[@]}" -f "examples/$c/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$out/$c.classpath"
done

echo "== consumer dependency tree (runtime scope)"
"${mvn[@]}" -f examples/classpath-consumer/pom.xml dependency:tree -Dscope=runtime -DoutputFile="$out/consumer-tree.txt"
cat "$out/consumer-tree.txt"
unexpected="$(grep -E '[+\\]- ' "$out/consumer-tree.txt" | grep -vE 'dev\.peft4j:peft4j-(core|kernels-cpu):jar' || true)"
count="$(grep -cE '[+\\]- ' "$out/consumer-tree.txt" || true)"
if [ -n "$unexpected" ] || [ "$count" != 2 ]; then
  echo "FAIL: a consumer of peft4j-core + peft4j-kernels-cpu gets more than those two artifacts:" >&2
  echo "$unexpected" >&2
  exit 1
fi

echo "== peft4j-core dependency tree (compile and runtime scopes)"
for scope in compile runtime; do
  "${mvn[@]}" -f java-api/core/pom.xml dependency:tree -Dscope=$scope -DoutputFile="$out/core-tree-$scope.txt"
  cat "$out/core-tree-$scope.txt"
  if grep -qE '[+\\]- ' "$out/core-tree-$scope.txt"; then
    echo "FAIL: peft4j-core has a $scope dependency" >&2
    exit 1
  fi
done

jdk="$(bin/find-jdk25)"
echo "== class-path consumer (java --add-modules jdk.incubator.vector -cp ...)"
"$jdk/bin/java" --add-modules jdk.incubator.vector \
  -cp "examples/classpath-consumer/target/classes:$(cat "$out/classpath-consumer.classpath")" example.ClasspathConsumer

echo "== class-path consumer without the flag (the plain-Java float32 fallback, with one WARNING naming the flag)"
"$jdk/bin/java" -cp "examples/classpath-consumer/target/classes:$(cat "$out/classpath-consumer.classpath")" \
  example.ClasspathConsumer

echo "== module-path consumer (java -p ... -m, no flag)"
"$jdk/bin/java" -p "examples/modulepath-consumer/target/classes:$(cat "$out/modulepath-consumer.classpath")" \
  -m example.modulepath/example.ModulePathConsumer

echo "== text consumer (README.md's text API snippets, run in examples/target/text-run)"
text_run="$out/text-run"
rm -rf "$text_run"
mkdir -p "$text_run"
text_cp="$root/examples/text-consumer/target/classes:$(cat "$out/text-consumer.classpath")"
for program in FineTuneClassifier Classify FineTuneEncoder Embed; do
  echo "-- example.$program"
  (cd "$text_run" && "$jdk/bin/java" --add-modules jdk.incubator.vector -Dpeft4j.cpu.warmUp=false -cp "$text_cp" \
    "example.$program") | tee "$text_run/$program.out"
done
for f in my-classifier/adapter_config.json my-classifier/adapter_model.safetensors my-encoder/adapter_model.safetensors; do
  [ -f "$text_run/$f" ] || { echo "FAIL: the fine-tune examples did not write $f" >&2; exit 1; }
done
grep -qE '^(negative|positive) \(' "$text_run/Classify.out" || { echo "FAIL: Classify printed no label" >&2; exit 1; }
# cos(0,1) = A, cos(0,2) = B: the paraphrase must be nearer than the unrelated text
awk '/^cos\(0,1\)/ { found = 1; split($0, v, "= "); if (!(v[2] + 0 > v[3] + 0)) { print "FAIL: " $0 > "/dev/stderr"; exit 1 } }
  END { if (!found) { print "FAIL: Embed printed no similarities" > "/dev/stderr"; exit 1 } }' "$text_run/Embed.out"
