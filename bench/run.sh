#!/usr/bin/env bash
# The benchmark: bench/run.sh [events] [api latency ms] [services]
#   bench/run.sh 100000              # CPU-bound, service "all"
#   bench/run.sh 1000000
#   bench/run.sh 100000 200          # 200 ms per page
#   bench/run.sh 100000 0 directory,systems,sso,radius,ldap,mdm
# Prints one JSON line and appends it to target/bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp package -DskipTests
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
exec java -Xmx4g -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.collector.jumpcloud.bench.Benchmark "${1:-100000}" "${2:-0}" "${3:-all}"
