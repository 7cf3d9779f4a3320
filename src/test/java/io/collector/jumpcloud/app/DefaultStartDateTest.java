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
 * The settings most users run: no jumpcloud.historic-date-utc (the README's own Docker example). The
 * default start (one day ago) applies to the first start only; a restart resumes exactly where the
 * state is, however old, and only a date the user really changes resets it.
 */
class DefaultStartDateTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    private CollectorRun collector(JumpCloudSimulator sim, TlsLineReceiver devo) {
        // no historic date, the default lag (60 s) and page size: only what a test needs to run fast
        return new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                .set("jumpcloud.poll-interval", "300").devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca());
    }

    @Test
    void aPlainRestartWithoutAStartDateResumesExactly() throws Exception {
        Instant now = Instant.now();
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso", "directory"), now.minus(20, ChronoUnit.HOURS), Duration.ofMinutes(30), 20));
            try (CollectorRun run = collector(sim, devo).start()) {
                CollectorRun.await(() -> devo.lineCount() >= 20, Duration.ofSeconds(20), "the first day's 20 events");
            }
            Thread.sleep(1100); // the next start's "one day ago" is another second
            try (CollectorRun run = collector(sim, devo).start()) {
                CollectorRun.await(() -> log.lines().stream().filter(l -> l.contains("The data is up to date!")).count() >= 4,
                        Duration.ofSeconds(20), "pulls after the restart");
                sim.addEvents(f.series(List.of("sso"), now.minus(5, ChronoUnit.MINUTES), Duration.ofSeconds(10), 3));
                CollectorRun.await(() -> devo.lineCount() >= 23, Duration.ofSeconds(20), "the events after the restart");
                Thread.sleep(700);
            }
            System.out.printf("restart without a start date: %d events, %d lines at the relay%n", sim.eventCount(), devo.lineCount());
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.contains("jumpcloud.historic-date-utc is not set: the default start applied to the first start only"));
            assertTrue(!log.contains("the persisted state is reset"), "no reset without a changed setting");
        }
    }

    /** A state older than a day, written by an earlier start's default: everything after it is asked for. */
    @Test
    void aCheckpointOlderThanADayResumesThereWithoutTheSetting() throws Exception {
        Instant now = Instant.now();
        Instant checkpoint = now.minus(50, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            List<SimEvent> before = f.series(List.of("sso"), checkpoint.minus(10, ChronoUnit.HOURS), Duration.ofHours(1), 5)
                    .stream().map(SimEvent::of).toList();
            List<SimEvent> after = f.series(List.of("sso", "radius"), checkpoint.plusSeconds(1), Duration.ofHours(1), 48)
                    .stream().map(SimEvent::of).toList();
            sim.addSimEvents(before).addSimEvents(after);
            // the state an earlier start left (its default start date three days ago), in our first file version
            Files.createDirectories(dir.resolve("state"));
            Files.writeString(dir.resolve("state/all.json"), "{\"last_polled_timestamp\":" + checkpoint.getEpochSecond()
                    + ",\"historic_date_utc\":" + now.minus(3, ChronoUnit.DAYS).getEpochSecond()
                    + ",\"ids_with_same_timestamp\":[],\"@persistence_version\":1}");
            try (CollectorRun run = collector(sim, devo).start()) {
                CollectorRun.await(() -> devo.lineCount() >= after.size(), Duration.ofSeconds(20), after.size() + " events");
                Thread.sleep(1000);
            }
            System.out.printf("state 50 h old without a start date: %d expected, %d lines%n", after.size(), devo.lineCount());
            DevoLinesOnTheWire.assertExactlyOnce(after, devo.lines(), "test-collector");
        }
    }

    @Test
    void aStartDateTheUserChangesStillResetsTheState() throws Exception {
        Instant now = Instant.now();
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("sso"), now.minus(3, ChronoUnit.HOURS), Duration.ofMinutes(10), 10));
            try (CollectorRun run = collector(sim, devo).start()) { // first start: the default
                CollectorRun.await(() -> devo.lineCount() >= 10, Duration.ofSeconds(20), "10 events");
            }
            try (CollectorRun run = collector(sim, devo).set("jumpcloud.historic-date-utc",
                    CollectorRun.historic(now.minus(125, ChronoUnit.MINUTES))).start()) {
                // the events at -120, -110, -100 and -90 minutes come again
                CollectorRun.await(() -> devo.lineCount() >= 14, Duration.ofSeconds(20), "the events after the new date again");
                Thread.sleep(700);
            }
            assertEquals(14, devo.lineCount(), "the events after the new start date, once more");
            assertTrue(log.contains("the persisted state is reset"));
        }
    }
}
