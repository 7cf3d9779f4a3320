package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API that answers badly on purpose or by accident: one broken event in a page, answers too
 * large to hold, a cursor that loops, answers that trickle. One bad answer never stops a service
 * for good, never ends the JVM, and never stops the other services.
 */
class HostileApiTest {
    static final TestPki pki = TestPki.shared();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CollectorRun collector(JumpCloudSimulator sim, TlsLineReceiver devo, Instant from) {
        return new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                .set("jumpcloud.poll-interval", "300").set("jumpcloud.retry-delay", "50")
                .set("jumpcloud.historic-date-utc", CollectorRun.historic(from))
                .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
    }

    static List<JsonNode> quarantine(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String l : Files.readAllLines(file)) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }

    /**
     * An API that answers with events after the query's end_time as well. With a lag of 6 s, an event
     * stamped 1 s ago came with the first answer, and one stamped 3 s ago, indexed 1 s later, did
     * not: the checkpoint moved to the first, over the second, which was never read (no count check
     * here to catch it). The checkpoint now stops at end_time; what came after it is read again by
     * the next pull and dropped as a duplicate.
     */
    @Test
    void anApiThatAnswersPastEndTimeMovesNoCheckpointOverLateEvents() throws Exception {
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().ignoresEndTime(true); TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            Instant begin = Instant.now();
            sim.addEvents(f.series(List.of("sso"), begin.minusSeconds(30), Duration.ofSeconds(1), 10));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "250").set("jumpcloud.lag-seconds", "6")
                    .set("jumpcloud.count-check-window-seconds", "0")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(begin.minusSeconds(60)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 10, Duration.ofSeconds(20), "the backlog");
                Instant now = Instant.now();
                SimEvent late = SimEvent.of(f.event("sso", now.minusSeconds(3))).withVisibleAt(now.plusMillis(1500));
                sim.addSimEvents(List.of(late, SimEvent.of(f.event("sso", now.minusSeconds(1)))));
                CollectorRun.await(() -> devo.lines().stream().anyMatch(l -> l.contains(late.id())), Duration.ofSeconds(20),
                        "the event indexed late, stamped before one already answered");
                Thread.sleep(1500);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
        }
    }

    @Test
    void aPageWithBrokenElementsDeliversTheOthersAndQuarantinesEachOnce() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso"), from, Duration.ofSeconds(10), 10));
            List<SimEvent> events = sim.events();
            Map<Integer, byte[]> broken = Map.of(
                    4, events.get(4).raw().replace("\"sso\"", "\"sso\u00ff\"").getBytes(StandardCharsets.ISO_8859_1), // invalid UTF-8
                    6, events.get(6).raw().replaceFirst("\"id\":\"[^\"]*\",", "").getBytes(StandardCharsets.UTF_8),    // no id
                    7, "42".getBytes(StandardCharsets.UTF_8),                                                              // not an object
                    9, events.get(9).raw().replace("\"timestamp\":\"", "\"timestamp\":\"yesterday").getBytes(StandardCharsets.UTF_8));
            broken.forEach((i, bytes) -> sim.rawBytes(events.get(i).id(), bytes));
            List<SimEvent> good = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                if (!broken.containsKey(i)) {
                    good.add(events.get(i));
                }
            }
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 6, Duration.ofSeconds(20), "the six good events");
                Thread.sleep(1500); // several pulls read the last (broken) element's second again
                sim.addEvents(f.series(List.of("sso"), from.plusSeconds(600), Duration.ofSeconds(1), 5));
                good.addAll(sim.events().subList(10, 15));
                CollectorRun.await(() -> devo.lineCount() >= 11, Duration.ofSeconds(20), "the events after them");
                Thread.sleep(700);
            }
            DevoLinesOnTheWire.assertExactlyOnce(good, devo.lines(), "test-collector");
            List<JsonNode> q = quarantine(dir.resolve("state/all.quarantine.ndjson"));
            assertEquals(4, q.size(), "each broken element once, however many pulls read it: " + q);
            List<String> reasons = q.stream().map(n -> n.get("reason").asText()).sorted().toList();
            assertEquals(List.of("bad_timestamp", "no_id", "not_json", "not_object"), reasons);
            for (JsonNode n : q) {
                byte[] raw = Base64.getDecoder().decode(n.get("raw_base64").asText());
                assertTrue(broken.values().stream().anyMatch(b -> java.util.Arrays.equals(b, raw)), "its bytes as sent: " + n);
                assertTrue(n.get("position").asText().startsWith("element "), n.toString());
            }
            assertTrue(log.contains("Quarantined element 5 of 10 of the page"), "logged with its position");
            assertTrue(!log.contains("PullError"), "no pull failed");
            System.out.printf("broken elements: 10 events, 4 broken: %d delivered, %d quarantined%n", devo.lineCount(), q.size());
        }
    }

    @Test
    void answersTooLargeToHoldNeverEndTheJvmAndAnEventAboveTheCapIsQuarantined() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso", "directory"), from, Duration.ofSeconds(5), 300));
            String big = "{\"id\":\"5f0000000000000000000bbb\",\"timestamp\":\"" + from.plusSeconds(100).plusMillis(1)
                    + "\",\"service\":\"sso\",\"blob\":\"" + "x".repeat(3 << 20) + "\"}";
            sim.addEvent(big);
            List<SimEvent> expected = sim.events().stream().filter(e -> !e.id().equals("5f0000000000000000000bbb")).toList();
            sim.failNext(503)                       // taken by the start-up credentials check
                    .hugeContentLengthNext()          // Content-Length: 1,500,000,000
                    .endlessBodyNext(200L << 20);     // 200 MB of whitespace, chunked
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).set("jumpcloud.page-size", "100")
                    .set("jumpcloud.max-page-bytes", Integer.toString(1 << 20)).start()) {
                CollectorRun.await(() -> devo.lineCount() >= expected.size(), Duration.ofSeconds(60), "every event but the 3 MB one");
                Thread.sleep(1000);
            }
            DevoLinesOnTheWire.assertExactlyOnce(expected, devo.lines(), "test-collector");
            List<JsonNode> q = quarantine(dir.resolve("state/all.quarantine.ndjson"));
            assertEquals(1, q.size(), q.toString());
            assertEquals("too_large", q.get(0).get("reason").asText());
            assertTrue(q.get(0).get("bytes").asLong() > 3 << 20, q.toString());
            assertTrue(log.contains("an answer of 1430.5 MB is larger than jumpcloud.max-page-bytes (1.0 MB)"),
                    "the 1.5 GB Content-Length is refused unread");
            assertTrue(log.contains("an answer of more than 1.0 MB is larger than jumpcloud.max-page-bytes"), "the endless body is cut");
            assertTrue(log.contains("asking for 50 at a time"), "halved");
            System.out.printf("answers too large: %d events delivered, 1 quarantined, the JVM alive (heap used %d MB)%n",
                    devo.lineCount(), (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        }
    }

    @Test
    void headersTooLargeToHoldAreRefusedAndThePageIsReadAgain() throws Exception {
        // a header line of 8 MB, 100,000 headers, a 10 KB cursor: none is held, stored or sent back;
        // each answer fails as it comes, and the pages are read again
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(new EventFactory().series(List.of("sso", "directory"), from, Duration.ofSeconds(5), 300));
            sim.failNext(503)                       // taken by the start-up credentials check
                    .hugeCursorNext(8 << 20)
                    .manyHeadersNext(100_000)
                    .hugeCursorNext(10_000);
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).set("jumpcloud.page-size", "100").start()) {
                CollectorRun.await(() -> devo.lineCount() >= 300 && sim.pendingFaults() == 0, Duration.ofSeconds(60), "every event");
                Thread.sleep(1000);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.contains("answered with headers too large to hold (Maximum line length limit exceeded; at most 64 KB a line"),
                    "the 8 MB header line is refused as it is read");
            assertTrue(log.contains("Maximum header count exceeded"), "so are 100,000 headers");
            assertTrue(log.contains("X-Search_after of 10000 characters is longer than a JumpCloud cursor (at most 4096)"),
                    "a cursor that is too long is not stored nor sent back");
            assertTrue(sim.eventRequests().stream().allMatch(r -> r.rawBody() == null || r.rawBody().length() < 10_000),
                    "no request carried the long cursor back");
        }
    }

    @Test
    void aCursorThatLoopsEndsThePullWithACodedErrorAndHealthSaysSo() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        int port = HealthAndMetricsTest.freePort();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(new EventFactory().series(List.of("sso"), from, Duration.ofSeconds(5), 300));
            sim.cycleCursors(true);
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).set("jumpcloud.page-size", "100")
                    .set("jumpcloud.poll-interval", "60000").set("camel.server.port", Integer.toString(port)).start()) {
                CollectorRun.await(() -> log.contains("PullError 305"), Duration.ofSeconds(20), "the loop found");
                Thread.sleep(500); // a request asked for ahead may still be answered
                int requests = sim.eventRequests().size();
                assertTrue(requests <= 5, "found within a few requests (the credentials check, two pages, two ahead): " + requests);
                String health = HealthAndMetricsTest.get("http://127.0.0.1:" + port + "/observe/health").body();
                assertTrue(health.contains("DOWN") && health.contains("PullError 305"), health);
                Thread.sleep(1000);
                assertEquals(requests, sim.eventRequests().size(), "nothing more until the next pull");
            }
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("PullError 305: JumpCloud answered")
                    && l.contains("its paging")), String.join("\n", log.lines().stream().filter(l -> l.contains("PullError")).toList()));
        }
    }

    @Test
    void answersAllTooLargeWhileTheCursorGoesRoundEndThePull() throws Exception {
        // each event alone is over jumpcloud.max-page-bytes, and X-Search_after alternates A, B, A: the
        // events are skipped one by one after the cursor each answer gives, which would go on forever
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            for (int i = 0; i < 6; i++) {
                sim.addEvent("{\"id\":\"5f000000000000000000000" + i + "\",\"timestamp\":\"" + from.plusSeconds(10L * i)
                        + "\",\"service\":\"sso\",\"blob\":\"" + "x".repeat(100_000) + "\"}");
            }
            sim.swapCursors(true);
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).set("jumpcloud.page-size", "4")
                    .set("jumpcloud.poll-interval", "60000").set("jumpcloud.max-page-bytes", "65536").start()) {
                CollectorRun.await(() -> log.contains("PullError 305"), Duration.ofSeconds(20), "the loop found");
                Thread.sleep(500);
                int requests = sim.eventRequests().size();
                Thread.sleep(1500);
                assertEquals(requests, sim.eventRequests().size(), "nothing more until the next pull");
                assertTrue(requests <= 10, "found within a few requests: " + requests);
            }
            assertTrue(log.contains("after an answer too large to read: its paging loops"), String.join("\n",
                    log.lines().stream().filter(l -> l.contains("PullError")).toList()));
        }
    }

    @Test
    void twoServicesTricklingDoNotStopAHealthyThird() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso", "directory"), from, Duration.ofSeconds(5), 200));
            sim.trickle("sso", Duration.ofSeconds(1)).trickle("directory", Duration.ofSeconds(1));
            try (CollectorRun run = collector(sim, devo, from.minusSeconds(1)).set("jumpcloud.services", "sso,directory,radius")
                    .set("jumpcloud.poll-interval", "500").set("jumpcloud.lag-seconds", "0")
                    .set("jumpcloud.request-timeout", "3000").start()) {
                Thread.sleep(1500);
                List<Long> delays = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    Instant t = Instant.now();
                    int before = devo.lineCount();
                    sim.addEvent(f.event("radius", t));
                    CollectorRun.await(() -> devo.lineCount() > before, Duration.ofSeconds(10), "live radius event " + i);
                    delays.add(Duration.between(t, Instant.now()).toMillis());
                    Thread.sleep(700);
                }
                System.out.printf("two services trickling: the third's live events arrived after %s ms (poll interval 500 ms)%n", delays);
                assertTrue(delays.stream().allMatch(d -> d < 2500), "radius keeps its poll interval: " + delays);
                assertTrue(log.contains("no complete answer within jumpcloud.request-timeout (3.0 s)"), "the trickles are cut at the deadline");
                sim.trickle("sso", null).trickle("directory", null);
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(30), "sso and directory once they answer");
                Thread.sleep(700);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
        }
    }
}
