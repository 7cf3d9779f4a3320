#!/usr/bin/env bash
# The benchmark (docs/speed.md): bench/run.sh [events [api latency ms [services]]]
#   bench/run.sh                        # the matrix: 100k and 1M events; all and six routes; 0 and 200 ms per page
#   bench/run.sh 1000000                # one case: 1M events, no latency, service "all"
#   bench/run.sh 100000 200 directory,systems,sso,radius,ldap,mdm
#   bench/run.sh fleet 100 six          # many routes: 100 organizations x 6 services, default settings
#   bench/run.sh fleet 1000 all 180     # 1,000 organizations x "all", a steady window of 180 s
# Prints a JSON line per case and a table; writes the figures to target/bench/bench-<commit>-<time>.json.
# The collector runs as the Docker image runs it: the JVM flags of bench/collector-jvm.opts (the
# Dockerfile's JAVA_TOOL_OPTIONS, checked equal by a test), the class-data archive mvn package made by
# the same training run as the image's, and the image's MALLOC_ARENA_MAX=2. COLLECTOR_JAVA_OPTS=... replaces
# the flags and the archive. BENCH_MVN_OPTS=-o builds offline.
# BENCH_COMMAND=launcher runs the README's command instead, bin/jumpcloud-devo-collector (its own flags).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp ${BENCH_MVN_OPTS:-} package -DskipTests
mvn -q -B -ntp ${BENCH_MVN_OPTS:-} dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
opts="$(grep -v '^#' bench/collector-jvm.opts | tr '\n' ' ')"
if [ -z "${COLLECTOR_JAVA_OPTS+set}" ]; then
  # the class-data archive mvn package trained with these flags (src/main/sh/cds-training.sh)
  export COLLECTOR_JAVA_OPTS="$opts -XX:SharedArchiveFile=target/collector.jsa"
fi
export BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)"
exec java -Xmx6g -XX:+UseParallelGC -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.collector.jumpcloud.bench.Benchmark "$@"
