package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events the collector must drop as already sent, in numbers larger than its bounded id memory
 * (collector.dedup-cache-size): the burst of the checkpoint's second, which every pull reads again,
 * and a count-check window fetched again. Both are dropped against an exact record of what was
 * delivered, not against the id memory, and the state written per page stays small.
 */
class BeyondTheIdMemoryTest {
    static final TestPki pki = TestPki.shared();
    static final int BURST = 150_000;

    @TempDir
    Path dir;

    @Test
    void aSameSecondBurstLargerThanTheIdMemoryIsSentOnceAcrossPagesPullsAndARestart() throws Exception {
        Instant second = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        Path state = dir.resolve("state");
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("radius"), second.minusSeconds(50), Duration.ofMillis(500), 100));
            sim.addEvents(f.burst("radius", second.plusMillis(250), BURST)); // one second, 15 pages of the default size
            int total = sim.eventCount();
            // the default id memory (100,000) and page size (10,000)
            java.util.function.Supplier<CollectorRun> collector = () -> new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.poll-interval", "300").set("jumpcloud.services", "radius")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(second.minusSeconds(60)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            try (CollectorRun run = collector.get().start()) {
                CollectorRun.await(() -> devo.lineCount() >= total, Duration.ofSeconds(90), total + " events");
                long pulls = upToDate(log);
                CollectorRun.await(() -> upToDate(log) >= pulls + 2, Duration.ofSeconds(60), "two more pulls, each reading the burst again");
            }
            int afterFirstRun = devo.lineCount();
            Path json = state.resolve("radius.json");
            Path ids = state.resolve("radius.ids-" + second.getEpochSecond());
            assertTrue(Files.size(json) < 1024, "the state file stays small: " + Files.size(json) + " bytes");
            assertEquals(16L * BURST, Files.size(ids), "the second's ids as fingerprints, 16 bytes each");
            try (CollectorRun run = collector.get().start()) {
                CollectorRun.await(() -> upToDate(log) >= 1, Duration.ofSeconds(60), "a pull after the restart");
                sim.addEvents(f.series(List.of("radius"), second.plusSeconds(2), Duration.ofMillis(10), 10));
                CollectorRun.await(() -> devo.lineCount() >= total + 10, Duration.ofSeconds(60), "the 10 events after the burst");
                Thread.sleep(700);
            }
            System.out.printf("same-second burst of %,d (id memory 100,000): %,d events, %,d lines after two pulls more, %,d after a restart%n",
                    BURST, sim.eventCount(), afterFirstRun, devo.lineCount());
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.contains("(" + BURST + " duplicates removed)") || log.lines().stream().anyMatch(l -> l.contains("duplicates removed")
                    && !l.contains("(0 duplicates removed)")), "the burst read again is dropped as duplicates");
        }
    }

    /** A count-check window of 5,000 delivered events fetched again, with an id memory of 1,000: only the 3 missing are sent. */
    @Test
    void aCountCheckWindowLargerThanTheIdMemoryIsFetchedAgainWithoutDuplicates() throws Exception {
        Instant from = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("directory", "sso"), from, Duration.ofMillis(700), 5000)); // within the first hour
            List<SimEvent> events = sim.events();
            sim.hideOnce(List.of(events.get(100).id(), events.get(2500).id(), events.get(4900).id()));
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.page-size", "1000").set("jumpcloud.poll-interval", "300")
                    .set("collector.dedup-cache-size", "1000").set("jumpcloud.count-check-window-seconds", "3600")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                CollectorRun.await(() -> log.contains("Events found missing by the count check and sent in this pull: 3"),
                        Duration.ofSeconds(60), "the window fetched again");
                Thread.sleep(1000);
            }
            System.out.printf("count-check window of 5,000 fetched again with an id memory of 1,000: %d lines%n", devo.lineCount());
            DevoLinesOnTheWire.assertExactlyOnce(events, devo.lines(), "test-collector");
        }
    }

    static long upToDate(LogCapture log) {
        return log.lines().stream().filter(l -> l.contains("The data is up to date!")).count();
    }
}
