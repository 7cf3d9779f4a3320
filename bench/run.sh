#!/usr/bin/env bash
# The benchmark (README "Benchmark"): bench/run.sh [events [api latency ms [services]]]
#   bench/run.sh                        # the matrix: 100k and 1M events; all and six routes; 0 and 200 ms per page
#   bench/run.sh 1000000                # one case: 1M events, no latency, service "all"
#   bench/run.sh 100000 200 directory,systems,sso,radius,ldap,mdm
# Prints a JSON line per case and a table; writes the figures to target/bench/bench-<commit>-<time>.json.
# The collector runs with COLLECTOR_JAVA_OPTS, by default the JVM flags of the Dockerfile (one place:
# bench/collector-jvm.opts); COLLECTOR_JAVA_OPTS= runs it with the JVM's defaults. BENCH_MVN_OPTS=-o builds offline.
set -euo pipefail
cd "$(dirname "$0")/.."
export COLLECTOR_JAVA_OPTS="${COLLECTOR_JAVA_OPTS-$(grep -v '^#' bench/collector-jvm.opts | tr '\n' ' ')}"
export BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo -dirty)"
mvn -q -B -ntp ${BENCH_MVN_OPTS:-} package -DskipTests
mvn -q -B -ntp ${BENCH_MVN_OPTS:-} dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xmx6g -XX:+UseParallelGC -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.collector.jumpcloud.bench.Benchmark "$@"
