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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged collector is killed with SIGKILL at random moments of a 100,000-event backfill and
 * started again on the same state directory: no event is missing, and duplicates stay within the
 * pages that were in flight.
 */
class KillRestartIT {
    @TempDir
    Path dir;

    @Test
    void sigkillThreeTimesDuringABackfillLosesNothing() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Instant from = Instant.now().minus(3, ChronoUnit.HOURS);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        EventFactory f = new EventFactory();
        int pageSize = 5000;
        try (JumpCloudSimulator sim = new JumpCloudSimulator(); TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(f.series(List.of("directory", "sso", "radius", "mdm", "systems", "ldap"), from, Duration.ofMillis(90), 97_000));
            sim.addEvents(f.burst("sso", from.plus(Duration.ofMinutes(70)), 3000));
            int total = sim.eventCount();
            int kills = 0;
            while (true) {
                try (CollectorProcess c = new CollectorProcess(dir.resolve("run" + kills))
                        .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                        .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                        .env("JUMPCLOUD_PAGE_SIZE", Integer.toString(pageSize))
                        .env("JUMPCLOUD_POLL_INTERVAL", "500")
                        .env("JUMPCLOUD_HISTORIC_DATE_UTC", DryRunIT.historic(from.minusSeconds(1)))
                        .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                        .env("DEVO_HOST", "localhost").env("DEVO_PORT", Integer.toString(devo.port()))
                        .env("DEVO_TLS_CERT_FILE", pki.clientCert().toString())
                        .env("DEVO_TLS_KEY_FILE", pki.clientKey().toString())
                        .env("DEVO_TLS_CA_FILE", pki.ca().toString())
                        .start()) {
                    if (kills < 3) {
                        int already = devo.lines().size();
                        int target = Math.min(total - 1, already + 3000 + random.nextInt(25_000));
                        CollectorRun.await(() -> devo.lines().size() >= target || !c.isAlive(), Duration.ofSeconds(90),
                                "lines before kill " + (kills + 1));
                        c.kill();
                        kills++;
                        continue;
                    }
                    CollectorRun.await(() -> c.stderr().contains("The data is up to date!"), Duration.ofSeconds(120), "the end of the backfill");
                    assertEquals(0, c.terminate(15));
                }
                break;
            }
            Map<String, Integer> seen = new HashMap<>();
            for (String l : devo.lines()) {
                seen.merge(DevoLinesOnTheWire.parse(l).id(), 1, Integer::sum);
            }
            long missing = sim.events().stream().map(SimEvent::id).filter(id -> !seen.containsKey(id)).count();
            int duplicates = devo.lines().size() - seen.size();
            System.out.printf("kill -9 x%d (seed %d): %d events, %d lines, %d missing, %d duplicates%n",
                    kills, seed, total, devo.lines().size(), missing, duplicates);
            assertEquals(0, missing, "events lost (seed " + seed + ")");
            assertEquals(total, seen.size());
            assertTrue(duplicates <= kills * pageSize, "duplicates beyond the pages in flight: " + duplicates);
        }
    }
}
