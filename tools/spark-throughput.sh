#!/usr/bin/env bash
# Trials per hour on a standalone Spark cluster of one and of two single-core workers (master, workers and executors
# as child JVMs on 127.0.0.1, from the Spark jars Maven resolved), against one thread in process, with the same small
# trials, alternated round after round; prints a table and Spark's overhead per trial.
# Usage: tools/spark-throughput.sh [trials trainExamples epochs rounds]
# (defaults 16 256 2 3). See dev.peft4j.search.spark.TrialThroughput.
set -euo pipefail
cd "$(dirname "$0")/.."
bin/mvn25 -B -q -ntp -P'!cuda' -DskipTests -pl java-api/search-spark -am package \
  dependency:build-classpath -Dmdep.outputFile=target/search-spark-test.classpath -Dmdep.includeScope=test >&2
jdk="$(bin/find-jdk25)"
m=java-api/search-spark
cp="$PWD/$m/target/test-classes:$PWD/$m/target/classes:$(cat $m/target/search-spark-test.classpath)"
spark_opts=(-XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow -Dio.netty.tryReflectionSetAccessible=true)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  spark_opts+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
spark_opts+=(--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED)
jvm=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "${spark_opts[@]}")
exec "$jdk/bin/java" "${jvm[@]}" ${THROUGHPUT_JAVA_OPTS:-} -Dpeft4j.cpu.warmUp=false "-Dpeft4j.spark.jvm.args=${jvm[*]}" \
  -Dlog4j2.configurationFile="$PWD/$m/src/test/resources/log4j2.properties" \
  -cp "$cp" dev.peft4j.search.spark.TrialThroughput "$@"
