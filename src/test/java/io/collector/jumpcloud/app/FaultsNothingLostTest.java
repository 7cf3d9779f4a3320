package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When JumpCloud or the relay misbehaves, a pull fails, the checkpoint stays, and the next pull
 * sends what was not delivered: in the end every event is in Devo.
 */
class FaultsNothingLostTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    @Test
    void brokenApiAnswersAreRetriedByTheNextPullAndNothingIsLost() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("directory", "sso", "radius", "mdm"), from, Duration.ofMillis(20), 4000));
            sim.addEvents(f.burst("sso", from.plusSeconds(30), 900));
            // one of each, on successive requests: the pull fails at a different page each time
            sim.failNext(502)                                    // taken by the start-up credentials check, which carries on
                    .failNext(500).truncateNextBody().wrongCountNext().nonJsonNext().resetNext()
                    .failNext(503).delayNext(Duration.ofSeconds(3)).dropSearchAfterNext().failNext(429, "{\"message\":\"Too Many Requests\"}", Map.of("Retry-After", "1"));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.page-size", "500").set("jumpcloud.poll-interval", "200").set("jumpcloud.retry-delay", "50")
                    .set("jumpcloud.request-timeout", "1000")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> sim.pendingFaults() == 0 && devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(60),
                        "all faults served and all events delivered");
                Thread.sleep(600);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            log.assertNoSecrets(JumpCloudSimulator.DEFAULT_API_KEY, pki.clientKey());
            // each fault is retried within the pull; the sixth in a row exceeds jumpcloud.max-retries (5)
            for (String cause : List.of("retry 1 of 5 in", "unexpected HTTP status 500", "the page is not complete JSON",
                    "X-Result-Count says", "a body that is not a JSON array: '<html>oops</html>'", "Premature end of Content-Length",
                    "PullError 303: unexpected HTTP status 503 from JumpCloud: {\"message\":\"simulated failure 503\"} (still failing after 5 retries).",
                    "without a new X-Search_after", "JumpCloud is rate limiting (HTTP 429)", "no complete answer within jumpcloud.request-timeout (1.0 s)")) {
                assertTrue(log.contains(cause), cause + " in\n" + String.join("\n", log.lines().stream().filter(l -> l.contains("retry") || l.contains("PullError")).toList()));
            }
        }
    }

    @Test
    void aRelayOutageMidBackfillLosesNothing() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("directory", "sso"), from, Duration.ofMillis(20), 3000));
            TlsLineReceiver first = TlsLineReceiver.start(pki, true);
            int port = first.port();
            List<String> received = new ArrayList<>();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.page-size", "500").set("jumpcloud.poll-interval", "300")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(port, pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> first.lineCount() >= 3000, Duration.ofSeconds(30), "the backlog");
                first.close();                                   // the relay goes down
                received.addAll(first.lines());
                sim.addEvents(f.series(List.of("radius", "mdm"), from.plusSeconds(61), Duration.ofMillis(20), 2000));
                CollectorRun.await(() -> log.contains("PullError"), Duration.ofSeconds(20), "a failed pull while the relay is down");
                Thread.sleep(1000);                              // it stays down for a few pulls
                try (TlsLineReceiver second = TlsLineReceiver.start(pki, true, port)) {
                    CollectorRun.await(() -> second.lineCount() >= 2000, Duration.ofSeconds(30), "the rest after the relay is back");
                    Thread.sleep(700);
                    received.addAll(second.lines());
                }
            }
            Set<String> ids = new HashSet<>();
            int duplicates = 0;
            for (String l : received) {
                if (!ids.add(DevoLinesOnTheWire.parse(l).id())) {
                    duplicates++;
                }
            }
            for (SimEvent e : sim.events()) {
                assertTrue(ids.contains(e.id()), "lost " + e.id());
            }
            assertEquals(sim.eventCount(), ids.size());
            assertTrue(duplicates <= 500, "duplicates are at most the page in flight: " + duplicates);
            System.out.printf("relay outage: %d events, 0 lost, %d duplicates%n", sim.eventCount(), duplicates);
            log.assertNoSecrets(JumpCloudSimulator.DEFAULT_API_KEY, pki.clientKey());
        }
    }

    @Test
    void aRelayClosingIdleConnectionsLosesNothing() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true).idleTimeout(Duration.ofMillis(300));
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso"), from, Duration.ofMillis(20), 200));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "1000")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                for (int batch = 1; batch <= 4; batch++) {
                    int expected = sim.eventCount();
                    CollectorRun.await(() -> devo.lineCount() >= expected, Duration.ofSeconds(20), expected + " lines");
                    int closes = devo.idleCloses();
                    CollectorRun.await(() -> devo.idleCloses() > closes, Duration.ofSeconds(5), "the relay closing the idle connection");
                    sim.addEvents(f.series(List.of("directory"), from.plusSeconds(60L * batch), Duration.ofMillis(20), 100));
                }
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(20), "the last batch");
                Thread.sleep(1200);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(devo.connectionsAccepted() >= 5, "a new connection after each idle close: " + devo.connectionsAccepted());
        }
    }

    @Test
    void aRelayDownAtStartGetsEverythingOnceItIsUp() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); LogCapture log = LogCapture.capture()) {
            sim.addEvents(new EventFactory().series(List.of("ldap", "systems"), from, Duration.ofMillis(20), 1500));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "300")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(port, pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                assertTrue(log.contains("Cannot reach the Devo relay"), "the start says the relay is down, and goes on");
                CollectorRun.await(() -> log.contains("PullError 300: ConnectException"), Duration.ofSeconds(10), "a pull failing on the relay");
                try (TlsLineReceiver devo = TlsLineReceiver.start(pki, true, port)) {
                    CollectorRun.await(() -> devo.lineCount() >= 1500, Duration.ofSeconds(30), "the backlog once the relay is up");
                    Thread.sleep(700);
                    DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
                }
            }
        }
    }

    @Test
    void anEventStampedInTheFutureNeverMakesAFutureStartTime() throws Exception {
        // JumpCloud answers 400 to a start_time in the future; a peer stopped collecting for good that way
        Instant now = Instant.now();
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso"), now.minusSeconds(120), Duration.ofSeconds(1), 60));
            String future = f.event("sso", now.plusSeconds(600));               // a clock ahead somewhere
            sim.addEvent(future);
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.poll-interval", "300")
                    .set("jumpcloud.lag-seconds", "0") // no end_time: the future event is in the answers at once
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(now.minusSeconds(300)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> devo.lineCount() >= 61, Duration.ofSeconds(20), "61 lines");
                // events of the present keep coming: they are after the checkpoint, not before a future one
                sim.addEvents(f.series(List.of("radius"), Instant.now(), Duration.ofMillis(1), 3));
                CollectorRun.await(() -> devo.lineCount() >= 64, Duration.ofSeconds(20), "the events after the future one");
                Thread.sleep(700);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(sim.eventRequests().stream().allMatch(r -> r.status() == 200), "no request was refused");
            assertTrue(sim.eventRequests().stream().noneMatch(r -> SimEventTime.after(r.bodyText("start_time"), r.arrivedAt())),
                    "no start_time in the future");
            assertTrue(!log.contains("HTTP 400"));
            // read again at every poll until its time: it waited in the count check's memory once per poll, unbounded
            io.collector.jumpcloud.state.StateStore store = new io.collector.jumpcloud.state.StateStore(dir.resolve("state"));
            Instant checkpoint = store.load("all").orElseThrow().state().lastPolledTimestamp();
            io.collector.jumpcloud.completeness.CountLedger ledger = store.loadLedger("all", checkpoint, 300).orElseThrow();
            io.collector.jumpcloud.dedup.IdFingerprint futureId = io.collector.jumpcloud.dedup.IdFingerprint.of(
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(future).get("id").asText());
            long copies = ledger.windows().values().stream()
                    .mapToLong(ids -> java.util.stream.IntStream.range(0, ids.size()).filter(i -> ids.get(i).equals(futureId)).count()).sum();
            assertEquals(0, copies, "the future event in the count check's memory before its time");
        }
    }
}
