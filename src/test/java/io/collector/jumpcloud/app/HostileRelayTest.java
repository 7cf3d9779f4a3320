package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.RecordCuttingProxy;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Devo relay that misbehaves: it accepts and stops reading, it refuses the client certificate
 * after the start, it would cut long lines, its connection is cut mid-page. The page is never counted as delivered when it was
 * not, the log says why in words, and what a relay would mangle is never sent.
 */
class HostileRelayTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    private CollectorRun collector(JumpCloudSimulator sim, TlsLineReceiver devo, Instant from) {
        return new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                .set("jumpcloud.poll-interval", "300")
                .set("jumpcloud.historic-date-utc", CollectorRun.historic(from))
                .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
    }

    @Test
    void bytesTheRelaySendsBackAreIgnoredAndEveryPageIsStillWrittenWhole() throws Exception {
        // no syslog relay writes back, but a wrong devo.host (an HTTPS port answering "400") or a broken
        // relay may: camel-netty took such bytes as the answer to the page being written and ended its
        // exchange as done, so the checkpoint moved while the rest of the page was still to be written
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            devo.mode(TlsLineReceiver.Mode.WRITES_BACK);
            sim.addEvents(new EventFactory().series(List.of("mdm", "sso"), from, Duration.ofMillis(100), 20_000));
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 20_000, Duration.ofSeconds(60), "every event");
                Thread.sleep(1000);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.contains("The Devo relay sent back 'HTTP/1.1 400 Bad Request\\u000d\\u000a\\u001b[2J"),
                    "said once per connection, its control characters escaped");
        }
    }

    @Test
    void aRelayThatStopsReadingTimesOutTheWriteAndThePageIsSentAgain() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        int port = HealthAndMetricsTest.freePort();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("mdm"), from, Duration.ofMillis(500), 100));
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).set("devo.write-timeout", "2000")
                    .set("camel.server.port", Integer.toString(port)).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 100, Duration.ofSeconds(20), "the first 100");
                devo.mode(TlsLineReceiver.Mode.BLACK_HOLE);
                devo.dropConnections(); // the next write opens a connection the relay never reads
                // 2,000 MDM events (about 80 MB of lines): far more than the socket buffers take
                sim.addEvents(f.series(List.of("mdm"), from.plusSeconds(600), Duration.ofMillis(100), 2000));
                CollectorRun.await(() -> log.contains("took no more data for devo.write-timeout"), Duration.ofSeconds(30), "the write's deadline");
                String health = HealthAndMetricsTest.get("http://127.0.0.1:" + port + "/observe/health").body();
                assertTrue(health.contains("DOWN") && health.contains("devo.write-timeout"), health);
                devo.mode(TlsLineReceiver.Mode.NORMAL);
                CollectorRun.await(() -> devo.lineCount() >= 2100, Duration.ofSeconds(60), "every page once the relay reads again");
                Thread.sleep(1000);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("PullError 300: IOException: the Devo relay took no more data for "
                    + "devo.write-timeout (2.0 s)")), String.join("\n", log.lines().stream().filter(l -> l.contains("PullError")).toList()));
        }
    }

    @Test
    void aCertificateRefusedAfterTheStartSaysSoAndLosesNothing() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso"), from, Duration.ofSeconds(1), 50));
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 50, Duration.ofSeconds(20), "the first 50");
                devo.mode(TlsLineReceiver.Mode.CLOSE_AFTER_HANDSHAKE); // as a relay refusing the certificate under TLS 1.3
                devo.dropConnections();
                sim.addEvents(f.series(List.of("sso"), from.plusSeconds(300), Duration.ofSeconds(1), 50));
                CollectorRun.await(() -> log.contains("PullError 300: IOException: the Devo relay closed the TLS connection right after "
                        + "the handshake: it refused the client certificate"), Duration.ofSeconds(20), "the refusal in words");
                devo.mode(TlsLineReceiver.Mode.NORMAL);
                CollectorRun.await(() -> devo.lineCount() >= 100, Duration.ofSeconds(30), "the rest once it accepts again");
                Thread.sleep(700);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(!log.contains("NullPointerException"), "no NullPointerException in place of the refusal");
        }
    }

    @Test
    void anEventWhoseLineIsOverTheMaximumIsQuarantinedNeverSentOrCut() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso"), from, Duration.ofSeconds(1), 30));
            String huge = "{\"id\":\"5f00000000000000000000aa\",\"timestamp\":\"" + from.plusSeconds(10).plusMillis(5)
                    + "\",\"service\":\"sso\",\"blob\":\"" + "y".repeat(300_000) + "\"}";
            sim.addEvent(huge); // 300 kB: over the default devo.max-line-bytes (256 KiB; real MDM events reach 76 kB)
            List<SimEvent> expected = sim.events().stream().filter(e -> !e.id().equals("5f00000000000000000000aa")).toList();
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 30, Duration.ofSeconds(20), "the 30 others");
                Thread.sleep(1000);
            }
            DevoLinesOnTheWire.assertExactlyOnce(expected, devo.lines(), "test-collector");
            assertTrue(devo.lines().stream().allMatch(l -> l.length() < 262144), "no line over the maximum, no piece of one");
            List<JsonNode> q = HostileApiTest.quarantine(dir.resolve("state/all.quarantine.ndjson"));
            assertEquals(1, q.size());
            assertEquals("line_too_long", q.get(0).get("reason").asText());
            assertEquals(huge, new String(java.util.Base64.getDecoder().decode(q.get(0).get("raw_base64").asText()),
                    java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(log.contains("over devo.max-line-bytes (262144)"));
        }
    }

    /**
     * The connection cut mid-page, three times, where a killed collector's would end (the relay gets
     * the whole TLS records sent so far, then the end of the stream): the relay holds whole Devo
     * lines only, never the first part of one. (What the cut connection still held in socket buffers
     * after the collector had written it is lost, as with any syslog sender: no acknowledgement; the
     * page whose write fails is sent again.)
     */
    @Test
    void aConnectionCutMidPageLeavesTheRelayWholeLinesOnly() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             RecordCuttingProxy proxy = new RecordCuttingProxy(devo.port())) {
            sim.addEvents(f.series(List.of("sso", "directory", "mdm"), from, Duration.ofMillis(200), 15_000));
            proxy.cutConnections(3, () -> 30_000 + random.nextInt(300_000));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "300")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(proxy.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> proxy.cuts() == 3, Duration.ofSeconds(60), "three cuts");
                int[] seen = {-1};
                CollectorRun.awaitEvery(Duration.ofSeconds(1), () -> {
                    int now = devo.lineCount();
                    boolean settled = now == seen[0] && now > 0;
                    seen[0] = now;
                    return settled;
                }, Duration.ofSeconds(60), "the relay to settle after the cuts");
            }
            List<String> torn = devo.lines().stream().filter(l -> !DevoLinesOnTheWire.LINE.matcher(l).matches()).toList();
            System.out.printf("connection cuts: %d cuts, %d lines at the relay, %d torn (seed %d)%n", proxy.cuts(), devo.lineCount(),
                    torn.size(), seed);
            assertEquals(List.of(), torn.stream().map(l -> l.substring(0, Math.min(120, l.length()))).toList(),
                    "lines cut short at the relay (seed " + seed + ")");
            assertTrue(devo.lineCount() >= sim.eventCount() / 2, "the pages after the cuts arrive: " + devo.lineCount());
        }
    }
}
