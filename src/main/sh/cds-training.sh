#!/usr/bin/env bash
# src/main/sh/cds-training.sh JAR ARCHIVE ["JVM FLAGS"]: the class-data archive of the collector's start
# (AppCDS, JDK 17), as the Dockerfile and `mvn package` make it: a three-second dry run against an address where no
# JumpCloud answers, whose loaded classes the JVM writes to ARCHIVE at exit. Started with
# -XX:SharedArchiveFile=ARCHIVE, the collector starts about 0.7 s sooner. Run from the folder whose
# routes/ the collector reads; the archive fits only this JAR (path and build) and this JDK (JAVA_HOME's
# java, else the PATH's, as bin/jumpcloud-devo-collector picks it).
set -euo pipefail
jar="$1"; archive="$2"
# without flags, those of bench/collector-jvm.opts, which bin/jumpcloud-devo-collector runs with
opts_file="$(dirname "$0")/../../../bench/collector-jvm.opts"
flags="${3-}"
if [ $# -lt 3 ] && [ -f "$opts_file" ]; then
  flags="$(grep -v '^#' "$opts_file" | tr '\n' ' ')"
fi
abs() { (cd "$(dirname "$1")" && printf '%s/%s' "$(pwd)" "$(basename "$1")"); }
jar="$(abs "$jar")"; archive="$(abs "$archive")"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -f "$archive"
# The training sees none of the builder's settings: no application.properties (it runs in its own
# folder, with a copy of routes/) and no JUMPCLOUD_*, DEVO_* or JAVA_TOOL_OPTIONS from the environment,
# so a `mvn package` in a shell set up for a real run never reaches that relay or JumpCloud.
if [ -d routes ]; then cp -R routes "$work/routes"; fi
cd "$work"
# shellcheck disable=SC2086 # the flags are separate words
# (timeout: a training that does not end fails the build instead of holding it)
env -i PATH="$PATH" HOME="${HOME:-$work}" \
  JUMPCLOUD_API_KEY=cds-training JUMPCLOUD_BASE_URL=http://127.0.0.1:9 COLLECTOR_STATE_DIR="$work/state" CAMEL_SERVER_PORT=0 \
  timeout 120 "$java" $flags -XX:ArchiveClassesAtExit="$archive" -Dcamel.main.duration-max-seconds=3 \
  -jar "$jar" >"$work/training.log" 2>&1 || { cat "$work/training.log" >&2; exit 1; }
test -s "$archive"
