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
RUN mvn -B -ntp package -DskipTests

FROM eclipse-temurin:17-jre
RUN groupadd --system collector && useradd --system --gid collector --home-dir /app --shell /usr/sbin/nologin collector
WORKDIR /app
COPY --from=build /src/target/jumpcloud-devo-collector.jar ./jumpcloud-devo-collector.jar
COPY routes ./routes
COPY application.properties ./application.properties
RUN mkdir -p /app/state && chown collector:collector /app/state
VOLUME ["/app/state"]
USER collector
# Settings come from the environment (JUMPCLOUD_API_KEY, DEVO_HOST, DEVO_TLS_CERT_FILE, ...).
# Memory: a bounded heap, measured with bench/run.sh: one route (services=all) stays under 300 MB RSS
# with -Xmx160m; each route pulling at the same time holds up to one 10,000-event page (about 45 MB
# of heap), so 384m covers six. Raise -Xmx for more services x organizations, or lower the page size.
ENV COLLECTOR_STATE_DIR=/app/state \
    JAVA_TOOL_OPTIONS="-Xms64m -Xmx384m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8"
# /observe/health and /observe/metrics listen on 9876 (camel.server.port), on loopback unless
# CAMEL_SERVER_HOST=0.0.0.0 is set for a Prometheus outside the container.
EXPOSE 9876
# readiness: DOWN when a route has not completed a pull for 3 intervals or the last Devo write failed.
# The JRE image has no curl: the jar itself asks /observe/health (a small JVM, about 1 s).
HEALTHCHECK --interval=60s --timeout=15s --retries=3 \
    CMD ["java", "-Xmx24m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", "/app/jumpcloud-devo-collector.jar", "--health"]
# camel-main stops within camel.main.shutdown-timeout (8 s), inside Docker's 10 s grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/app/jumpcloud-devo-collector.jar"]
