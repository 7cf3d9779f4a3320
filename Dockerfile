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
ENV COLLECTOR_STATE_DIR=/app/state \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8"
# camel-main stops within camel.main.shutdown-timeout (8 s), inside Docker's 10 s grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/app/jumpcloud-devo-collector.jar"]
