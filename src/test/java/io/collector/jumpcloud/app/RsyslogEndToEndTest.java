package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.RsyslogServer;
import io.collector.jumpcloud.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with a real syslog server: JumpCloud simulator → collector → mutual TLS → rsyslogd,
 * and what rsyslog wrote is what Devo would store. CI installs rsyslog; a machine without it skips.
 */
class RsyslogEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void everyEventArrivesOnceUnchangedInARealRsyslog() throws Exception {
        assumeTrue(RsyslogServer.available() || System.getenv("CI") != null, "rsyslogd is not installed");
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Instant from = Instant.now().minus(20, ChronoUnit.MINUTES);
        EventFactory f = new EventFactory();
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             RsyslogServer rsyslog = RsyslogServer.start(dir.resolve("rsyslog"), pki);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(CollectorEndToEndTest.backlog(f, from));
            int expected = sim.eventCount();
            CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.services", "all").set("jumpcloud.page-size", "1000")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(60)))
                    .devo(rsyslog.port(), pki.clientCert(), pki.clientKey(), pki.ca());
            long t0 = System.nanoTime();
            try (run) {
                run.start();
                CollectorRun.await(() -> {
                    try {
                        return rsyslog.rawLines().size() >= expected;
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(90), expected + " lines in rsyslog");
                int done = CollectorEndToEndTest.count(log, "The data is up to date!");
                CollectorRun.await(() -> CollectorEndToEndTest.count(log, "The data is up to date!") > done, Duration.ofSeconds(30), "one more pull");
            }
            System.out.printf("rsyslog: %d events delivered once over mutual TLS in %.2f s%n", expected, (System.nanoTime() - t0) / 1e9);
            List<String> lines = rsyslog.rawLines();
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), lines, "test-collector");
            assertEquals(expected, lines.size());
        }
    }
}
