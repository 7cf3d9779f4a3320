package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
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

/** What an operator's Prometheus and load balancer see, on camel.server.port. */
class HealthAndMetricsTest {
    static final TestPki pki = TestPki.shared();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void metricsCountWhatWasSentAndReadinessFollowsTheRelay() throws Exception {
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("directory", "sso", "alerts"), from, Duration.ofMillis(100), 900));
            TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
            int devoPort = devo.port();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("camel.server.port", Integer.toString(port)).set("jumpcloud.poll-interval", "300")
                    .set("jumpcloud.page-size", "100").set("jumpcloud.lag-seconds", "0")
                    .set("collector.progress-log-interval", "100")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devoPort, pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> devo.lineCount() >= 900, Duration.ofSeconds(30), "the events");
                CollectorRun.await(() -> metric(base, "jumpcloud_events_sent_total", "service=\"all\"") >= 900, Duration.ofSeconds(10), "the sent counter");
                String metrics = get(base + "/observe/metrics").body();
                assertEquals(900, metric(base, "jumpcloud_events_sent_total", "service=\"all\""), 0.0);
                // each pull reads the checkpoint's second again: those come back and are dropped as duplicates
                // (a page may be received and not yet delivered when the metrics are read: they agree between pages)
                CollectorRun.await(() -> {
                    String scrape = get(base + "/observe/metrics").body();
                    return sample(scrape, "jumpcloud_events_received_total", "service=\"all\"")
                            == 900 + sample(scrape, "jumpcloud_events_duplicates_total", "service=\"all\"");
                }, Duration.ofSeconds(5), "received = sent + duplicates");
                assertEquals(300, metric(base, "jumpcloud_events_fallback_total", "event_service=\"alerts\",org=\"\",service=\"all\""), 0.0, metrics);
                assertTrue(metric(base, "jumpcloud_api_requests_total", "endpoint=\"events\",org=\"\",service=\"all\",status=\"200\"") >= 9, metrics);
                // the count check asks JumpCloud for the closed windows of the hour read
                CollectorRun.await(() -> metric(base, "jumpcloud_api_requests_total", "endpoint=\"events/count\",org=\"\",service=\"all\",status=\"200\"") >= 1,
                        Duration.ofSeconds(10), "count requests counted");
                assertTrue(Double.isNaN(metric(base, "jumpcloud_count_check_mismatches_total", "service=\"all\""))
                        || metric(base, "jumpcloud_count_check_mismatches_total", "service=\"all\"") == 0, "nothing missing: " + metrics);
                assertTrue(metric(base, "devo_bytes_sent_total", "service=\"all\"") > 900 * 100, "bytes sent");
                assertEquals(1, metric(base, "devo_connection_up", ""), 0.0);
                double lag = metric(base, "jumpcloud_lag_seconds", "service=\"all\"");
                assertTrue(lag > 3000 && lag < 3700, "lag is now - checkpoint (the last event is ~58 min old): " + lag);
                assertTrue(metric(base, "jumpcloud_last_successful_pull_seconds", "service=\"all\"") > from.getEpochSecond());
                assertEquals(200, get(base + "/observe/health").statusCode(), get(base + "/observe/health").body());
                // the backfill said how it was going
                String progress = log.lines().stream().filter(l -> l.contains("Catching up:")).findFirst().orElseThrow();
                assertTrue(progress.matches(".*\\[all\\] Catching up: [0-9]+ events sent in [0-9]+ s \\([0-9]+ events/s\\), [0-9dhms ]+ behind now, caught up in about ([0-9dhms ]+|unknown)$"),
                        progress);

                // the relay goes away and new events come: the write fails, readiness turns DOWN
                devo.close();
                sim.addEvents(f.series(List.of("sso"), Instant.now().minusSeconds(5), Duration.ofMillis(10), 20));
                CollectorRun.await(() -> get(base + "/observe/health").statusCode() == 503, Duration.ofSeconds(20), "readiness DOWN");
                HttpResponse<String> down = get(base + "/observe/health");
                assertTrue(down.body().contains("DOWN"), down.body());
                assertEquals(0, metric(base, "devo_connection_up", ""), 0.0);
                assertEquals(200, get(base + "/observe/health/live").statusCode(), "still alive: nothing to restart");

                // the relay is back: the events arrive and readiness is UP again
                try (TlsLineReceiver back = TlsLineReceiver.start(pki, true, devoPort)) {
                    CollectorRun.await(() -> back.lineCount() >= 20, Duration.ofSeconds(30), "the events after the outage");
                    CollectorRun.await(() -> get(base + "/observe/health").statusCode() == 200, Duration.ofSeconds(10), "readiness UP");

                    // JumpCloud answers a 503 once: counted by status, retried, and the events still come
                    double retries = orZero(metric(base, "jumpcloud_api_retries_total", "service=\"all\""));
                    sim.failNext(503);
                    sim.addEvents(f.series(List.of("sso"), Instant.now().minusSeconds(3), Duration.ofMillis(10), 5));
                    CollectorRun.await(() -> back.lineCount() >= 25, Duration.ofSeconds(30), "the events after the 503");
                    assertEquals(1, metric(base, "jumpcloud_api_requests_total", "endpoint=\"events\",org=\"\",service=\"all\",status=\"503\""), 0.0);
                    assertTrue(metric(base, "jumpcloud_api_retries_total", "service=\"all\"") >= retries + 1, "the retry is counted");
                }
            }
            log.assertNoSecrets(JumpCloudSimulator.DEFAULT_API_KEY, pki.clientKey());
        }
    }

    /**
     * A backfill that takes many poll intervals is working while its pages keep arriving: readiness
     * stays UP (a DOWN there would have a container restarted in the middle of catching up), and
     * turns DOWN when JumpCloud stops answering the pull.
     */
    @Test
    void readinessStaysUpThroughALongBackfillAndFallsWhenPagesStop() throws Exception {
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator().latency(Duration.ofMillis(150));
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(new EventFactory().series(List.of("directory", "sso"), from, Duration.ofMillis(100), 3000));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("camel.server.port", Integer.toString(port)).set("jumpcloud.poll-interval", "200")
                    .set("jumpcloud.page-size", "100").set("jumpcloud.max-requests-per-second", "1000")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                // the start itself takes longer than three of these 200 ms intervals (the default is 60 s)
                CollectorRun.await(() -> devo.lineCount() > 0, Duration.ofSeconds(20), "the first page");
                long t0 = System.nanoTime();
                int checks = 0;
                while (devo.lineCount() < 2500) { // one pull of 30 pages, about 4.5 s: 20 poll intervals
                    HttpResponse<String> h = get(base + "/observe/health");
                    assertEquals(200, h.statusCode(), "UP while catching up, after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + h.body());
                    checks++;
                    Thread.sleep(100);
                }
                assertTrue(checks > 20, "readiness was asked through the backfill: " + checks);
                // JumpCloud hangs: no page, no completed pull, readiness DOWN after 3 intervals
                sim.latency(Duration.ofSeconds(30));
                CollectorRun.await(() -> get(base + "/observe/health").statusCode() == 503, Duration.ofSeconds(10), "readiness DOWN");
                assertTrue(get(base + "/observe/health").body().contains("has neither completed a pull nor received or delivered a page"));
            }
        }
    }

    static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("GET " + url + ": " + e, e);
        }
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}; NaN if none. */
    static double metric(String base, String name, String label) {
        return sample(get(base + "/observe/metrics").body(), name, label);
    }

    /** As {@link #metric}, from one scrape already taken (figures read together). */
    static double sample(String body, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+|NaN)$").matcher(body);
        while (m.find()) {
            if (label.isEmpty() || (m.group(1) != null && m.group(1).contains(label))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }
}
