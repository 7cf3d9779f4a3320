# syntax=docker/dockerfile:1
# Build stage: the same Maven build CI runs (tests run in CI; here -DskipTests keeps images quick).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
# dependencies first, in their own layer, so a source change does not download them again
RUN mvn -B -ntp dependency:resolve dependency:resolve-plugins
COPY src ./src
COPY routes ./routes
COPY application.properties .
# (no class-data archive here: the runtime stage makes its own, with its JRE)
RUN mvn -B -ntp package -DskipTests -Dcollector.cds.skip=true

FROM eclipse-temurin:17-jre
RUN groupadd --system collector && useradd --system --gid collector --home-dir /app --shell /usr/sbin/nologin collector
WORKDIR /app
COPY --from=build /src/target/jumpcloud-devo-collector.jar ./jumpcloud-devo-collector.jar
COPY routes ./routes
COPY application.properties ./application.properties
COPY src/main/sh/cds-training.sh bench/collector-jvm.opts ./
# Class-data archive of the collector's start (AppCDS): a three-second dry run at build time, so each
# start loads its classes from the archive (about 0.7 s sooner); made with this image's JRE and jar.
# Not fatal: without the archive the JVM warns once per start and starts as before.
RUN (./cds-training.sh /app/jumpcloud-devo-collector.jar /app/collector.jsa "$(grep -v '^#' collector-jvm.opts | tr '\n' ' ')" \
      || echo "no class-data archive: the collector starts without it") \
    && mkdir -p /app/state && chown collector:collector /app/state
VOLUME ["/app/state"]
USER collector
# Settings come from the environment (JUMPCLOUD_API_KEY, DEVO_HOST, DEVO_TLS_CERT_FILE, ...).
# Memory (bench/run.sh measured it; the flags are collector-jvm.opts, which a test keeps equal to
# these): the heap holds up to collector.max-pages-in-memory page bodies (3, 11 to 25 MB each at
# 10,000 events) plus about 60 MB. More pages in memory, or more organizations x services, want a
# larger -Xmx. MALLOC_ARENA_MAX keeps glibc from giving each thread its own native heap.
ENV COLLECTOR_STATE_DIR=/app/state \
    MALLOC_ARENA_MAX=2 \
    JAVA_TOOL_OPTIONS="-Xms64m -Xmx192m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8 -Dio.netty.allocator.numHeapArenas=1 -Dio.netty.allocator.numDirectArenas=1 -Xlog:disable -Xlog:all=warning:stderr:uptime,level,tags -XX:SharedArchiveFile=/app/collector.jsa"
# /observe/health and /observe/metrics listen on 9876 (camel.server.port), on loopback unless
# CAMEL_SERVER_HOST=0.0.0.0 is set for a Prometheus outside the container.
EXPOSE 9876
# readiness: DOWN when a route has not completed a pull for 3 intervals or the last Devo write failed.
# The JRE image has no curl: the jar itself asks /observe/health (a small JVM, about 1 s; its -Xms
# and -Xmx come after JAVA_TOOL_OPTIONS' and win, so a 64 MB minimum heap never exceeds the maximum).
HEALTHCHECK --interval=60s --timeout=15s --retries=3 \
    CMD ["java", "-Xms16m", "-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", "/app/jumpcloud-devo-collector.jar", "--health"]
# camel-main stops within camel.main.shutdown-timeout (8 s), inside Docker's 10 s grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/app/jumpcloud-devo-collector.jar"]
