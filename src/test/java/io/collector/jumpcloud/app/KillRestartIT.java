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
                        .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                        .env("COLLECTOR_STATE_DIR", dir.resolve("state").toString())
                        .env("DEVO_HOST", "localhost").env("DEVO_PORT", Integer.toString(devo.port()))
                        .env("DEVO_TLS_CERT_FILE", pki.clientCert().toString())
                        .env("DEVO_TLS_KEY_FILE", pki.clientKey().toString())
                        .env("DEVO_TLS_CA_FILE", pki.ca().toString())
                        .start()) {
                    if (kills < 3) {
                        int already = devo.lineCount();
                        int target = Math.min(total - 1, already + 3000 + random.nextInt(25_000));
                        CollectorRun.await(() -> devo.lineCount() >= target || !c.isAlive(), Duration.ofSeconds(90),
                                "lines before kill " + (kills + 1));
                        c.kill();
                        kills++;
                        continue;
                    }
                    CollectorRun.await(() -> c.stderr().contains("The data is up to date!"), Duration.ofSeconds(120), "the end of the backfill");
                    assertEquals(0, c.terminate(15));
                    for (int i = 0; i <= kills; i++) {
                        LogCapture.assertNoSecrets(java.nio.file.Files.readString(dir.resolve("run" + i).resolve("stderr.txt"))
                                + java.nio.file.Files.readString(dir.resolve("run" + i).resolve("stdout.txt")), JumpCloudSimulator.DEFAULT_API_KEY, pki.clientKey());
                    }
                }
                break;
            }
            // the relay may still be reading what was written before the collector stopped
            int[] last = {-1};
            CollectorRun.awaitEvery(Duration.ofSeconds(1), () -> {
                int now = devo.lineCount();
                boolean settled = now == last[0];
                last[0] = now;
                return settled;
            }, Duration.ofSeconds(30), "the relay to read everything");
            // a SIGKILL in the middle of a write leaves that line torn at the relay (syslog has no
            // transactions); its event was not checkpointed, so it comes again whole after the restart
            Map<String, Integer> seen = new HashMap<>();
            int torn = 0;
            for (String l : devo.lines()) {
                if (!DevoLinesOnTheWire.LINE.matcher(l).matches()) {
                    torn++;
                    continue;
                }
                seen.merge(DevoLinesOnTheWire.parse(l).id(), 1, Integer::sum);
            }
            assertTrue(torn <= kills, "at most one torn line per kill: " + torn);
            long missing = sim.events().stream().map(SimEvent::id).filter(id -> !seen.containsKey(id)).count();
            int duplicates = devo.lineCount() - torn - seen.size();
            System.out.printf("kill -9 x%d (seed %d): %d events, %d lines, %d missing, %d duplicates, %d torn lines%n",
                    kills, seed, total, devo.lineCount(), missing, duplicates, torn);
            if (missing > 0) {
                List<SimEvent> lost = sim.events().stream().filter(e -> !seen.containsKey(e.id())).toList();
                System.out.println("first lost " + lost.get(0).timestamp() + " last lost " + lost.get(lost.size() - 1).timestamp()
                        + " index of first lost " + sim.events().indexOf(lost.get(0)) + " burst at " + from.plus(Duration.ofMinutes(70))
                        + " lost in burst " + lost.stream().filter(e -> e.timestamp().equals(from.plus(Duration.ofMinutes(70)))).count());
                try {
                    System.out.println("state: " + java.nio.file.Files.readString(dir.resolve("state/all.json")).substring(0, 200));
                } catch (Exception ignored) {
                    // diagnostics only
                }
                for (int i = 0; i <= kills; i++) {
                    System.out.println("--- run " + i);
                    try (var r = new java.io.BufferedReader(new java.io.FileReader(dir.resolve("run" + i).resolve("stderr.txt").toFile()))) {
                        r.lines().filter(l -> l.contains("Pull Started") || l.contains("sent to Devo") || l.contains("PullError") || l.contains("resuming"))
                                .map(l -> l.length() > 220 ? l.substring(0, 220) : l).forEach(System.out::println);
                    }
                }
            }
            assertEquals(0, missing, "events lost (seed " + seed + ")");
            assertEquals(total, seen.size());
            assertTrue(duplicates <= kills * pageSize, "duplicates beyond the pages in flight: " + duplicates);
        }
    }
}
