package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This machine's clock runs 30 s ahead of JumpCloud's. Events are indexed up to 4 s late; the lag
 * (6 s) covers that in JumpCloud's time, not in this machine's: reading up to the local now - lag
 * would read (and count-check) seconds JumpCloud has not indexed yet, and lose the late events
 * without a word. The collector follows JumpCloud's Date header, and says how far off it is.
 */
class ClockSkewTest {
    static final TestPki pki = TestPki.shared();

    @TempDir
    Path dir;

    @Test
    void aClockAheadOfJumpCloudsLosesNoLateEvent() throws Exception {
        EventFactory f = new EventFactory();
        Random random = new Random(7);
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            Instant start = Instant.now();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(30)))
                    .set("jumpcloud.poll-interval", "250").set("jumpcloud.lag-seconds", "6")
                    .set("jumpcloud.count-check-window-seconds", "5")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(start.minusSeconds(5)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                // 12 s of live events, each indexed 0 to 4 s after its timestamp (JumpCloud's time: the real clock)
                while (Duration.between(start, Instant.now()).toSeconds() < 12) {
                    Instant t = Instant.now();
                    sim.addSimEvents(java.util.List.of(SimEvent.of(f.event("sso", t)).withVisibleAt(t.plusMillis(random.nextInt(4000)))));
                    Thread.sleep(40);
                }
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(30), sim.eventCount() + " events");
                Thread.sleep(1500);
            }
            System.out.printf("clock 30 s ahead of JumpCloud's, events up to 4 s late: %d events, %d lines%n",
                    sim.eventCount(), devo.lineCount());
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.contains("This machine's clock is 30 s ahead of JumpCloud's"), "the skew is said");
            assertTrue(sim.eventRequests().stream().noneMatch(r -> r.status() != 200), "no request refused (no start_time in the future)");
        }
    }

    /**
     * This machine's clock is stepped back two hours between two polls, then ahead by one while live
     * events come in (each indexed up to 4 s late). Stepped back, JumpCloud's now (this clock plus the
     * last Date header's offset) fell behind the checkpoint: the route asked nothing, so no answer came
     * to correct it, for two hours. Stepped ahead, a query read into the lag, so late events were lost
     * (and the count check, when on, closed its windows an hour ahead). Between answers JumpCloud's
     * time now runs on the monotonic clock.
     */
    @Test
    void aWallClockSteppedBackOrAheadStopsNothingAndLosesNoLateEvent() throws Exception {
        EventFactory f = new EventFactory();
        Random random = new Random(11);
        io.collector.jumpcloud.testing.SteppedClock wall = io.collector.jumpcloud.testing.SteppedClock.overSystem();
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            Instant start = Instant.now();
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .clock(wall)
                    .set("jumpcloud.poll-interval", "2000").set("jumpcloud.lag-seconds", "3")
                    // off: its windows would make requests whose answers correct the clock, and catch what the lag missed
                    .set("jumpcloud.count-check-window-seconds", "0")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(start.minusSeconds(5)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca()).start()) {
                // between two polls (an answer in flight would carry the correction): back two hours
                int asked = sim.eventRequests().size();
                CollectorRun.await(() -> sim.eventRequests().size() > asked, Duration.ofSeconds(10), "a poll");
                Thread.sleep(300);
                wall.offset(Duration.ofHours(-2));
                sim.addEvents(f.series(java.util.List.of("sso"), Instant.now(), Duration.ofMillis(50), 20));
                CollectorRun.await(() -> devo.lineCount() >= 20, Duration.ofSeconds(15), "the events after the clock went back");
                wall.offset(Duration.ofHours(1));
                Instant ahead = Instant.now();
                while (Duration.between(ahead, Instant.now()).toSeconds() < 6) {
                    Instant t = Instant.now();
                    sim.addSimEvents(java.util.List.of(SimEvent.of(f.event("sso", t)).withVisibleAt(t.plusMillis(random.nextInt(4000)))));
                    Thread.sleep(40);
                }
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(30), sim.eventCount() + " events");
                Thread.sleep(1500);
            }
            System.out.printf("wall clock stepped back 2 h, then ahead 1 h, events up to 4 s late: %d events, %d lines%n",
                    sim.eventCount(), devo.lineCount());
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
        }
    }
}
