#!/usr/bin/env bash
# A Spark standalone cluster on this machine for trying `peft4j search --executor spark`, from Spark's jars as Maven
# resolves them (tools/spark-standalone/pom.xml; no Spark distribution is downloaded): a master on 127.0.0.1:7077 and N
# single-core workers, with a SPARK_HOME whose jars/ links to those jars (workers build the executors' class path
# from it). Logs and work folders go to target/spark-standalone/.
#   tools/spark-standalone.sh start [N]   (default 2 workers)
#   tools/spark-standalone.sh submit ARGS  (spark-submit ARGS as a distribution's bin/spark-submit runs them: Spark's
#                                          launcher builds the driver's command, JVM options included, from that
#                                          SPARK_HOME; e.g. --master spark://127.0.0.1:7077 --class ... APP.jar ...)
#   tools/spark-standalone.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
home="$PWD/target/spark-standalone"
cmd="${1:-}"
spark_home() { # home/spark-home with jars/ linking to Spark's jars as Maven resolves them
  rm -rf "$home/spark-home" && mkdir -p "$home/spark-home/jars"
  bin/mvn25 -B -q -ntp -f tools/spark-standalone/pom.xml dependency:build-classpath \
    -Dmdep.outputFile="$home/spark.classpath" >&2
  tr ':' '\n' < "$home/spark.classpath" | while read -r j; do ln -s "$j" "$home/spark-home/jars/"; done
}
case "$cmd" in
  start)
    workers="${2:-2}"
    rm -rf "$home" && spark_home
    jdk="$(bin/find-jdk25)"
    opts=(--add-modules jdk.incubator.vector -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow
          -Dio.netty.tryReflectionSetAccessible=true -Xmx256m)
    for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
             java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
      opts+=("--add-opens=java.base/$p=ALL-UNNAMED")
    done
    export SPARK_HOME="$home/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 JAVA_HOME="$jdk"
    cp="$home/spark-home/jars/*"
    nohup "$jdk/bin/java" "${opts[@]}" -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
      --port 7077 --webui-port 8080 > "$home/master.log" 2>&1 &
    echo $! > "$home/master.pid"
    for i in $(seq 1 "$workers"); do
      mkdir -p "$home/work-$i"
      nohup "$jdk/bin/java" "${opts[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
        --cores 1 --memory 1g --work-dir "$home/work-$i" --webui-port $((8080 + i)) spark://127.0.0.1:7077 \
        > "$home/worker-$i.log" 2>&1 &
      echo $! > "$home/worker-$i.pid"
    done
    for _ in $(seq 1 120); do
      n=$(grep -c "Registering worker" "$home/master.log" 2>/dev/null || true)
      [ "${n:-0}" -ge "$workers" ] && { echo "spark://127.0.0.1:7077 with $workers single-core workers (logs: $home)"; exit 0; }
      sleep 1
    done
    echo "the workers did not register within 2 minutes; see $home/*.log" >&2
    exit 1
    ;;
  submit)
    # bin/spark-submit is `spark-class org.apache.spark.deploy.SparkSubmit "$@"`; spark-class asks
    # org.apache.spark.launcher.Main for the command and runs it. The launcher prints messages line by line, then a
    # NUL and a newline, then the command NUL-separated; spark-class appends the launcher's exit code. The same here.
    shift
    [ -d "$home/spark-home/jars" ] || spark_home
    jdk="$(bin/find-jdk25)"
    export SPARK_HOME="$home/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 JAVA_HOME="$jdk"
    command=() delim=$'\n' started=false
    while IFS= read -d "$delim" -r arg; do
      if $started; then command+=("$arg")
      elif [ -z "$arg" ]; then delim='' started=true
      else echo "$arg" >&2; fi
    done < <("$jdk/bin/java" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \
               org.apache.spark.deploy.SparkSubmit "$@" 2>&1; printf '%d\0' $?)
    if [ "${#command[@]}" -lt 2 ] || [ "${command[${#command[@]}-1]}" != 0 ]; then
      echo "Spark's launcher failed: no command from org.apache.spark.launcher.Main" >&2; exit 1
    fi
    unset 'command[${#command[@]}-1]'
    exec "${command[@]}"
    ;;
  stop)
    for f in "$home"/*.pid; do
      [ -f "$f" ] || continue
      pid="$(cat "$f")"
      # the worker's executors are its children; end them first
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill "$pid" 2>/dev/null || true
      rm -f "$f"
    done
    ;;
  *)
    echo "usage: tools/spark-standalone.sh start [workers] | submit SPARK-SUBMIT-ARGS... | stop" >&2
    exit 2
    ;;
esac
