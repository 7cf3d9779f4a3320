package io.collector.jumpcloud.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** The real collector (camel-main, the YAML routes of routes/, application.properties) in this JVM. */
final class CollectorRun implements AutoCloseable {
    private final Map<String, String> properties = new LinkedHashMap<>();
    private Main main;
    private java.time.Clock clock = java.time.Clock.systemUTC();

    CollectorRun(String baseUrl, String apiKey, Path stateDir) {
        set("jumpcloud.api-key", apiKey);
        set("jumpcloud.base-url", baseUrl);
        set("collector.state-dir", stateDir.toString());
        set("jumpcloud.poll-interval", "500");
        set("devo.hostname", "test-collector");
        set("camel.main.shutdown-timeout", "5");
        set("camel.server.port", "0"); // any free port: a developer's own 9876 in use breaks nothing (tests that query it set one)
    }

    /** A jumpcloud.historic-date-utc value. */
    static String historic(java.time.Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(t.atOffset(java.time.ZoneOffset.UTC));
    }

    CollectorRun set(String key, String value) {
        properties.put(key, value);
        return this;
    }

    CollectorRun devo(int port, Path cert, Path key, Path ca) {
        set("devo.host", "localhost");
        set("devo.port", Integer.toString(port));
        set("devo.tls.cert-file", cert.toString());
        set("devo.tls.key-file", key.toString());
        set("devo.tls.ca-file", ca.toString());
        return this;
    }

    /** The collector's clock (a machine clock off JumpCloud's). */
    CollectorRun clock(java.time.Clock c) {
        clock = c;
        return this;
    }

    CollectorRun start() throws Exception {
        main = CollectorApplication.newMain(clock);
        properties.forEach(main::addOverrideProperty);
        main.start();
        return this;
    }

    /** A refusal of the client certificate found after the start (the collector then stopped itself). */
    RuntimeException lateRefusal() {
        return CollectorApplication.lateRefusal(main);
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        awaitEvery(Duration.ofMillis(50), condition, timeout, what);
    }

    static void awaitEvery(Duration step, BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(step.toMillis());
        }
    }

    @Override
    public void close() throws Exception {
        if (main != null) {
            main.stop();
            main = null;
        }
    }
}
