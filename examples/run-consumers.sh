#!/usr/bin/env bash
# Builds and runs the two consumer projects against the peft4j artifacts in the local Maven repository (./peft4j-test
# installs them first), and checks what a consumer of peft4j-core + peft4j-kernels-cpu gets:
#  1. dependency:tree of the class-path consumer holds peft4j-core and peft4j-kernels-cpu and nothing else;
#  2. dependency:tree of peft4j-core (compile and runtime scopes) holds nothing but itself;
#  3. text-consumer (README.md's embed, fine-tune, classify and embedding fine-tune snippets; ReadmeSnippetsTest checks
#     that README.md shows their code) compiles, and each runs: FineTuneClassifier saves my-classifier, Classify
#     loads it, FineTuneEncoder saves my-encoder, Embed ranks a paraphrase above an unrelated text;
#  4. the class-path consumer runs (with --add-modules jdk.incubator.vector) and the module-path consumer runs (no
#     flag: dev.peft4j.cpu requires the module) a fused LoRA forward on wrapped arrays equal to the reference's;
#  5. every published library jar has a fixed module name, and no module-info of peft4j requires a name derived from a
#     jar's file name (examples/ModuleNameCheck.java, on the jars and their runtime dependencies);
#  6. the CLI runs on the module path (java -p ... -m dev.peft4j.cli/...): `backends`; `compare`, which calls the
#     search module's paired bootstrap, on two small prediction folders (4 of 6 examples right against 6 of 6); and
#     a one-epoch `finetune` of MiniLM on a 60-line CSV (the datasets module and its CSV parser, run.json through
#     gson, the charts) followed by `predict` on its run folder.
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

echo "== module names of the published jars (examples/ModuleNameCheck.java)"
library_jars=()
dependency_poms=()
for m in java-api/core kernels-cpu kernels-cuda java-api/runtime java-api/datasets java-api/search java-api/search-spark \
    java-api/langchain4j cli; do
  built="$(find "$m/target" -maxdepth 1 -name 'peft4j-*.jar' 2>/dev/null \
    | grep -vE -- '-(sources|javadoc|tests)\.jar$' || true)"
  if [ -z "$built" ]; then
    echo "($m: no jar built here, not checked)"   # kernels-cuda without nvcc
    continue
  fi
  while IFS= read -r jar; do library_jars+=("$jar"); done <<< "$built"
  dependency_poms+=("$m/pom.xml")
done
dependency_jars=()
for pom in "${dependency_poms[@]}"; do
  cp_file="$out/$(echo "$pom" | tr / _).runtime.classpath"
  "${mvn[@]}" -f "$pom" dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$cp_file"
  IFS=: read -r -a entries < "$cp_file" || true
  dependency_jars+=("${entries[@]}")
done
"$jdk/bin/java" examples/ModuleNameCheck.java "${library_jars[@]}" -- "${dependency_jars[@]}"

echo "== the CLI on the module path (java -p ... -m dev.peft4j.cli/dev.peft4j.cli.Peft4j)"
cli_path="cli/target/peft4j-cli-0.1.0-SNAPSHOT.jar:$(cat "$out/cli_pom.xml.runtime.classpath")"
cli_module=("$jdk/bin/java" --enable-native-access=ALL-UNNAMED -p "$cli_path" -m dev.peft4j.cli/dev.peft4j.cli.Peft4j)
"${cli_module[@]}" backends 2>/dev/null | tee "$out/modulepath-backends.out"
grep -qE '^chosen: ' "$out/modulepath-backends.out" || { echo "FAIL: backends on the module path chose nothing" >&2; exit 1; }
compare_dir="$out/modulepath-compare"
rm -rf "$compare_dir"
mkdir -p "$compare_dir/baseline/seed-1" "$compare_dir/candidate/seed-1"
printf 'index\tlabel\tpredicted\n0\t0\t0\n1\t1\t0\n2\t0\t0\n3\t1\t1\n4\t0\t1\n5\t1\t1\n' \
  > "$compare_dir/baseline/seed-1/test-predictions.tsv"
printf 'index\tlabel\tpredicted\n0\t0\t0\n1\t1\t1\n2\t0\t0\n3\t1\t1\n4\t0\t0\n5\t1\t1\n' \
  > "$compare_dir/candidate/seed-1/test-predictions.tsv"
"${cli_module[@]}" compare --baseline "$compare_dir/baseline" --candidate "$compare_dir/candidate" --resamples 200 \
  2>/dev/null | tee "$out/modulepath-compare.out"
grep -q '0 baseline-only vs 2 candidate-only' "$out/modulepath-compare.out" \
  || { echo "FAIL: compare on the module path did not count 0 vs 2 discordant examples" >&2; exit 1; }
mp_csv="$out/modulepath-reviews.csv"
{
  echo "text,label"
  for i in 0 1 2 3 4 5 6 7 8 9; do
    for pair in "a wonderful, moving film|pos" "great acting and a great story|pos" "brilliant and funny|pos" \
        "a boring, tedious mess|neg" "terrible acting and a dull story|neg" "awful and slow|neg"; do
      echo "\"${pair%|*} $i\",${pair#*|}"
    done
  done
} > "$mp_csv"
rm -rf "$out/modulepath-run"
"${cli_module[@]}" finetune --model minilm --dataset "csv:$mp_csv" --train 24 --validation 8 --test 8 --epochs 1 \
  --max-length 16 --output "$out/modulepath-run" 2>/dev/null | tail -3
"${cli_module[@]}" predict --run "$out/modulepath-run" "a wonderful film" 2>/dev/null | tee "$out/modulepath-predict.out"
grep -qE '^(pos|neg)'$'\t' "$out/modulepath-predict.out" \
  || { echo "FAIL: predict on the module path printed no label" >&2; exit 1; }
