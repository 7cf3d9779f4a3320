package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.config.SettingsDocs;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user meets in the first hour, with the packaged jar as README.md runs it. */
class FirstHourIT {
    @TempDir
    Path dir;

    @Test
    void helpIsTheCollectorsOwn() throws Exception {
        try (CollectorProcess c = new CollectorProcess(dir).start("--help")) {
            assertEquals(0, c.waitFor(30), c.stderr());
            String help = c.stdout();
            assertFalse(help.contains("Unknown option"), help);
            for (String s : List.of("--check", "--health", "--help", "Exit codes:", "  2  the collector cannot start")) {
                assertTrue(help.contains(s), s + " in:\n" + help);
            }
            for (SettingsDocs.Entry e : SettingsDocs.folded()) {
                assertTrue(help.contains("  " + e.name() + " (" + e.env() + ")"), e.name() + " in:\n" + help);
            }
            assertTrue(help.contains("  jumpcloud.page-size (JUMPCLOUD_PAGE_SIZE), default 10000"), help);
        }
    }

    @Test
    void aMisspeltSettingStopsTheStartNamingTheOneMeant() throws Exception {
        try (CollectorProcess c = new CollectorProcess(dir.resolve("d")).jvm("-Xmx256m", "-Djumpcloud.pagesize=500")
                .env("JUMPCLOUD_API_KEY", "k").env("COLLECTOR_STATE_DIR", dir.resolve("state").toString()).start()) {
            assertEquals(2, c.waitFor(60), c.stderr());
            assertOneErrorLine(c, "ERROR: configuration: jumpcloud.pagesize: is not a setting of the collector (given as "
                    + "-Djumpcloud.pagesize): did you mean jumpcloud.page-size?");
        }
        try (CollectorProcess c = new CollectorProcess(dir.resolve("e")).env("JUMPCLOUD_API_KEY", "k")
                .env("JUMPCLOUD_PAGESIZE", "500").env("COLLECTOR_STATE_DIR", dir.resolve("state").toString()).start()) {
            assertEquals(2, c.waitFor(60), c.stderr());
            assertOneErrorLine(c, "did you mean JUMPCLOUD_PAGE_SIZE (jumpcloud.page-size)?");
        }
    }

    @Test
    void aBusyHealthPortStopsTheStartInOneLine() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            try (JumpCloudSimulator sim = new JumpCloudSimulator();
                 CollectorProcess c = new CollectorProcess(dir).env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                         .env("JUMPCLOUD_BASE_URL", sim.baseUrl()).env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                         .env("CAMEL_SERVER_PORT", Integer.toString(busy.getLocalPort())).start()) {
                assertEquals(2, c.waitFor(60), c.stderr());
                assertOneErrorLine(c, "ERROR: configuration: camel.server.port: port " + busy.getLocalPort() + " on 127.0.0.1 is in use "
                        + "by another program");
                assertFalse(c.stderr().contains("BindException"), c.stderr());
                assertEquals(0, sim.eventRequests().size(), "nothing ran");
            }
        }
    }

    /**
     * A dry run says it printed, reports no Devo connection, logs the health address it bound, and
     * --health finds that address from -D as the run does.
     */
    @Test
    void aDryRunSaysWhatItDidAndHealthFindsItsPort() throws Exception {
        Instant from = Instant.now().minus(10, ChronoUnit.MINUTES);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             CollectorProcess c = new CollectorProcess(dir).jvm("-Xmx256m", "-Dcamel.server.port=" + port)
                     .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY).env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                     .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                     .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())) {
            sim.addEvents(new EventFactory().series(List.of("directory"), from, Duration.ofSeconds(1), 3));
            c.start();
            CollectorRun.await(() -> c.stderr().contains("The data is up to date!"), Duration.ofSeconds(60), "the first pull");
            String err = c.stderr();
            assertTrue(err.contains("Number of all events printed (dry run): 3"), err);
            assertFalse(err.contains("events sent to Devo"), err);
            Matcher bound = Pattern.compile("Health and metrics on http://([0-9.]+):(\\d+)/observe/health").matcher(err);
            assertTrue(bound.find(), err);
            assertEquals("127.0.0.1", bound.group(1), "the address it binds");
            assertEquals(Integer.toString(port), bound.group(2));
            assertFalse(err.contains("0.0.0.0:" + port), "no line names an address it does not listen on:\n" + err);

            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("jumpcloud_events_sent_total"), metrics);
            assertFalse(metrics.contains("devo_connection_up"), "a dry run has no Devo connection");

            try (CollectorProcess probe = new CollectorProcess(dir.resolve("probe")).jvm("-Xmx64m", "-Dcamel.server.port=" + port)
                    .start("--health")) {
                assertEquals(0, probe.waitFor(30), probe.stdout() + probe.stderr());
                assertTrue(probe.stdout().startsWith("200 "), probe.stdout());
                assertTrue(probe.stdout().contains("none (dry run)"), probe.stdout());
            }
            assertEquals(0, c.terminate(15), c.stderr());
        }
        assertTrue(InetAddress.getLoopbackAddress().isLoopbackAddress());
    }

    /** One ERROR line, containing {@code expected}, no stack trace, nothing printed, no shutdown-hook noise. */
    static void assertOneErrorLine(CollectorProcess c, String expected) {
        String err = c.stderr();
        List<String> errors = err.lines().filter(l -> l.startsWith("ERROR: ")).toList();
        assertEquals(1, errors.size(), err);
        assertTrue(errors.get(0).contains(expected), errors.get(0));
        assertFalse(err.contains("\tat "), "no stack trace:\n" + err);
        assertFalse(err.contains("shutdown hook"), "no signal was sent: no hook line:\n" + err);
        assertEquals("", c.stdout());
    }
}
