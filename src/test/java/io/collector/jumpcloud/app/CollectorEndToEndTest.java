package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.RecordedRequest;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real collector (camel-main, routes/*.yaml) between the JumpCloud simulator and a mutual-TLS
 * syslog receiver: every event arrives once, in its table, unchanged; restarts and a changed
 * historic date behave as the README says.
 */
class CollectorEndToEndTest {
    static final String KEY = JumpCloudSimulator.DEFAULT_API_KEY;
    static final List<String> SIX = List.of("directory", "systems", "sso", "radius", "ldap", "mdm");

    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;


    /** A backlog of the six services plus one JumpCloud added later, with bursts across page boundaries. */
    static List<String> backlog(EventFactory f, Instant from) {
        List<String> raw = new ArrayList<>();
        List<String> services = new ArrayList<>(SIX);
        services.add("software");
        raw.addAll(f.series(services, from, Duration.ofMillis(7), 3500));
        raw.addAll(f.burst("sso", from.plusSeconds(5), 2500));                 // one timestamp, three pages
        raw.addAll(f.sameMillisecond("mdm", from.plusSeconds(6).plusMillis(3), 40)); // tie-breaker order
        raw.add(f.largeEvent(from.plusSeconds(7)));                               // ~76 kB
        raw.add(f.event("directory", from.plusSeconds(8)).replace("\"service\":\"directory\"",
                "\"service\":\"directory\",\"note\":\"Zoë Ünal ✓ 😀\""));        // non-ASCII survives
        return raw;
    }

    static List<SimEvent> ofServices(JumpCloudSimulator sim, List<String> services) {
        return sim.events().stream().filter(e -> services.contains("all") || services.contains(e.service())).toList();
    }

    private void runUntilUpToDate(CollectorRun run, LogCapture log, TlsLineReceiver devo, int expected, int routes) throws Exception {
        try (run) {
            run.start();
            CollectorRun.await(() -> devo.lineCount() >= expected, Duration.ofSeconds(60),
                    expected + " lines (have " + devo.lineCount() + ")");
            // a further complete pull of every route, to see that nothing more (no duplicate) arrives
            int done = count(log, "The data is up to date!");
            CollectorRun.await(() -> count(log, "The data is up to date!") >= done + routes, Duration.ofSeconds(30), "one more pull");
        }
    }

    static int count(LogCapture log, String text) {
        return (int) log.lines().stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void allRoutesEveryEventOnceIntoItsTable() throws Exception {
        Instant from = Instant.now().minus(2, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(backlog(new EventFactory(), from));
            List<SimEvent> expected = ofServices(sim, List.of("all"));
            CollectorRun run = new CollectorRun(sim.baseUrl(), KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "all").set("jumpcloud.page-size", "1000")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(60)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            long t0 = System.nanoTime();
            runUntilUpToDate(run, log, devo, expected.size(), 1);
            System.out.printf("all: %d events delivered once, 0 duplicates, in %.2f s%n", expected.size(), (System.nanoTime() - t0) / 1e9);
            DevoLinesOnTheWire.assertExactlyOnce(expected, devo.lines(), "test-collector");
            assertTrue(log.contains("Events of service 'software' have no Devo table of their own"), "fallback is logged");
            assertTrue(log.contains("The data is up to date!"));
            assertTrue(log.contains("Statistics for this pull cycle"));
            // the requests: only the three headers, the cursor followed, never the key in any log line
            for (RecordedRequest r : sim.eventRequests()) {
                assertEquals(null, r.header("x-search_after"), "response headers are not echoed back");
                assertEquals(null, r.header("x-result-count"));
            }
            assertTrue(log.lines().stream().noneMatch(l -> l.contains(KEY)), "the API key never appears in the log");
            log.assertNoSecrets(KEY, pki.clientKey());
            assertTrue(Files.readString(dir.resolve("state/all.json")).contains("\"same_second_ids\""));
        }
    }

    @Test
    void oneRoutePerServiceEveryEventOnceIntoItsTable() throws Exception {
        Instant from = Instant.now().minus(3, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(backlog(new EventFactory(), from));
            List<SimEvent> expected = ofServices(sim, SIX);
            CollectorRun run = new CollectorRun(sim.baseUrl(), KEY, dir.resolve("state"))
                    .set("jumpcloud.services", String.join(",", SIX)).set("jumpcloud.page-size", "700")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(60)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            runUntilUpToDate(run, log, devo, expected.size(), SIX.size());
            DevoLinesOnTheWire.assertExactlyOnce(expected, devo.lines(), "test-collector");
            for (String s : SIX) {
                assertTrue(Files.exists(dir.resolve("state/" + s + ".json")), "state of " + s);
                assertTrue(sim.eventRequests().stream().anyMatch(r -> r.bodyText("service").contains(s)));
            }
        }
    }

    @Test
    void restartWithTheSameStateContinuesWithoutLossOrDuplicates() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            Instant lastSecond = from.plusSeconds(30);
            sim.addEvents(f.series(List.of("sso", "directory"), from, Duration.ofMillis(10), 2000));
            sim.addEvents(f.burst("sso", lastSecond.plusMillis(400), 1200));
            int first = sim.eventCount();
            CollectorRun run1 = new CollectorRun(sim.baseUrl(), KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "all").set("jumpcloud.page-size", "500")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            runUntilUpToDate(run1, log, devo, first, 1);
            assertEquals(first, devo.lineCount());

            // while it was stopped: more events in the very second of the checkpoint, earlier and
            // later within it, and after it
            sim.addEvents(f.burst("sso", lastSecond.plusMillis(400), 300));
            sim.addEvents(f.burst("radius", lastSecond.plusMillis(100), 5));
            sim.addEvents(f.series(List.of("mdm", "ldap"), lastSecond.plusSeconds(1), Duration.ofMillis(3), 900));
            sim.clearRequests();
            CollectorRun run2 = new CollectorRun(sim.baseUrl(), KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "all").set("jumpcloud.page-size", "500")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            runUntilUpToDate(run2, log, devo, sim.eventCount(), 1);
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            // the first pull's request (the credentials check asks for one event of the last minute)
            String start = sim.eventRequests().stream().filter(r -> r.bodyText("limit").equals("500")).findFirst().orElseThrow().bodyText("start_time");
            assertEquals(lastSecond.toString(), start, "the restart resumes at the checkpoint's second");
            assertTrue(log.contains("No changes detected in the persistence"));
        }
    }

    @Test
    void changingTheHistoricDateResetsTheState() throws Exception {
        Instant from = Instant.now().minus(5, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("directory"), from, Duration.ofSeconds(1), 600)); // 10 minutes
            Instant later = from.plusSeconds(300);
            CollectorRun run1 = new CollectorRun(sim.baseUrl(), KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "directory")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(later))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            runUntilUpToDate(run1, log, devo, 300, 1);
            assertEquals(300, devo.lineCount(), "only the events from the historic date on");

            CollectorRun run2 = new CollectorRun(sim.baseUrl(), KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "directory")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            runUntilUpToDate(run2, log, devo, 900, 1);
            assertTrue(log.contains("jumpcloud.historic-date-utc changed from " + CollectorRun.historic(later) + " to " + CollectorRun.historic(from)
                    + ": the persisted state is reset"), String.join("\n", log.lines()));
            assertEquals(900, devo.lineCount(), "a reset collects again from the new date");
            assertTrue(Files.readString(dir.resolve("state/directory.json")).contains("\"historic_date_utc\":" + from.getEpochSecond() + "."));
        }
    }
}
