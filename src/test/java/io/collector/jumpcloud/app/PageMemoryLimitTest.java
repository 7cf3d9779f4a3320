package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Six services' routes backfilling at once share collector.max-pages-in-memory page bodies; with
 * fewer places than routes, each route still gets its pages in their order and every event arrives
 * once (the benchmark once found all six routes waiting for each other, with four places).
 */
class PageMemoryLimitTest {
    @TempDir
    Path dir;

    @Test
    void sixRoutesSharingTwoPagePlacesDeliverEverythingOnce() throws Exception {
        deliverWith(2);
    }

    @Test
    void sixRoutesSharingOnePagePlaceDeliverEverythingOnce() throws Exception {
        deliverWith(1);
    }

    private void deliverWith(int places) throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki-" + places));
        Instant from = Instant.now().minus(2, ChronoUnit.HOURS);
        List<String> six = List.of("directory", "systems", "sso", "radius", "ldap", "mdm");
        try (JumpCloudSimulator sim = new JumpCloudSimulator().latency(Duration.ofMillis(5));
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(new EventFactory().series(six, from, Duration.ofMillis(100), 12_000)); // 2,000 a service: 10 pages each
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state-" + places))
                    .set("jumpcloud.services", String.join(",", six)).set("jumpcloud.page-size", "200")
                    .set("collector.max-pages-in-memory", Integer.toString(places))
                    .set("jumpcloud.max-requests-per-second", "1000")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(60),
                        "every route's events with " + places + " page place(s)");
                Thread.sleep(500);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("PullError")), String.join("\n", log.lines()));
        }
    }
}
