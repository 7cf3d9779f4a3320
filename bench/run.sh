#!/usr/bin/env bash
# The benchmark: bench/run.sh [events] [api latency ms] [services]
#   bench/run.sh 100000              # CPU-bound, service "all"
#   bench/run.sh 1000000
#   bench/run.sh 100000 200          # 200 ms per page
#   bench/run.sh 100000 0 directory,systems,sso,radius,ldap,mdm
# Prints one JSON line and appends it to target/bench.json.
# The collector runs with COLLECTOR_JAVA_OPTS: by default the heap flags recommended for the
# Dockerfile, 160 MB of heap for one route plus 45 MB per further service pulled at the same time
# (each route holds a 10,000-event page and camel-http's copies of it); COLLECTOR_JAVA_OPTS= runs
# it with the JVM's defaults. BENCH_MVN_OPTS=-o builds offline.
set -euo pipefail
cd "$(dirname "$0")/.."
routes=$(awk -F, '{print NF}' <<<"${3:-all}")
export COLLECTOR_JAVA_OPTS="${COLLECTOR_JAVA_OPTS-"-Xms64m -Xmx$((160 + 45 * (routes - 1)))m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m -XX:+ExitOnOutOfMemoryError"}"
mvn -q -B -ntp ${BENCH_MVN_OPTS:-} package -DskipTests
mvn -q -B -ntp ${BENCH_MVN_OPTS:-} dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xmx4g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.collector.jumpcloud.bench.Benchmark "${1:-100000}" "${2:-0}" "${3:-all}"
