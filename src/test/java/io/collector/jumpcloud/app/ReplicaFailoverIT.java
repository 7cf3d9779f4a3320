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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged collectors as two replicas (collector.cluster=file:<shared folder>, one state folder
 * they share), one simulator, one mutual-TLS relay, a 100,000-event backfill. The active replica is
 * killed with SIGKILL three times at random points (and started again as the standby each time), then
 * stopped with SIGTERM: every event reaches the relay; each kill doubles at most the page in flight;
 * the SIGTERM hand-over doubles nothing; and the relay never sees two replicas' lines interleaved
 * (each line's HOSTNAME is its replica's devo.hostname).
 */
class ReplicaFailoverIT {
    private static final int EVENTS = 100_000;
    private static final int PAGE = 500;
    private static final long RETRY_PERIOD_MS = 1000;

    @TempDir
    Path dir;

    private final Map<String, Integer> starts = new HashMap<>();

    private CollectorProcess replica(String name, JumpCloudSimulator sim, TlsLineReceiver devo, TestPki pki, Instant from)
            throws Exception {
        int n = starts.merge(name, 1, Integer::sum);
        return new CollectorProcess(dir.resolve(name + "-" + n)).jvm("-Xmx192m")
                .env("JUMPCLOUD_API_KEY", JumpCloudSimulator.DEFAULT_API_KEY)
                .env("JUMPCLOUD_BASE_URL", sim.baseUrl())
                .env("JUMPCLOUD_SERVICES", "directory")
                .env("JUMPCLOUD_PAGE_SIZE", Integer.toString(PAGE))
                .env("JUMPCLOUD_POLL_INTERVAL", "1000")
                .env("JUMPCLOUD_HISTORIC_DATE_UTC", CollectorRun.historic(from.minusSeconds(1)))
                .env("COLLECTOR_STATE_DIR", dir.resolve("shared/state").toString())
                .env("COLLECTOR_CLUSTER", "file:" + dir.resolve("shared/cluster"))
                .env("COLLECTOR_CLUSTER_RETRY_PERIOD", Long.toString(RETRY_PERIOD_MS))
                .env("DEVO_HOST", "localhost")
                .env("DEVO_PORT", Integer.toString(devo.port()))
                .env("DEVO_TLS_CERT_FILE", pki.clientCert().toString())
                .env("DEVO_TLS_KEY_FILE", pki.clientKey().toString())
                .env("DEVO_TLS_CA_FILE", pki.ca().toString())
                .env("DEVO_HOSTNAME", name)
                .start();
    }

    private static String lastHost(TlsLineReceiver devo) {
        List<String> lines = devo.lines();
        if (lines.isEmpty()) {
            return null;
        }
        java.util.regex.Matcher m = DevoLinesOnTheWire.LINE.matcher(lines.get(lines.size() - 1));
        return m.matches() ? m.group(1) : null;
    }

    @Test
    void theStandbyTakesOverFromTheCheckpointAfterKillsAndAStop() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Random random = new Random();
        Instant from = Instant.now().minus(3, ChronoUnit.HOURS);
        Map<String, CollectorProcess> running = new HashMap<>();
        List<Long> takeoverMs = new ArrayList<>();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().latency(Duration.ofMillis(120));
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(new EventFactory().series(List.of("directory"), from, Duration.ofMillis(100), EVENTS));
            running.put("replica-a", replica("replica-a", sim, devo, pki, from));
            CollectorRun.await(() -> devo.lineCount() > 0, Duration.ofSeconds(60), "the first replica's first lines");
            running.put("replica-b", replica("replica-b", sim, devo, pki, from));
            CollectorRun.await(() -> running.get("replica-b").stderr().contains("Health and metrics on"), Duration.ofSeconds(60),
                    "the second replica started");
            Thread.sleep(2000); // as the standby
            // health and metrics say which replica leads the route; both are ready
            String leaderHealth = get(running.get("replica-a"), "/observe/health?data=true").replaceAll("\\s", "");
            String standbyHealth = get(running.get("replica-b"), "/observe/health?data=true").replaceAll("\\s", "");
            assertTrue(leaderHealth.contains("\"replica.leads\":\"directory\"") && leaderHealth.startsWith("{\"status\":\"UP\""),
                    leaderHealth);
            assertTrue(standbyHealth.contains("\"replica.leads\":\"none(standby)\"") && standbyHealth.startsWith("{\"status\":\"UP\""),
                    standbyHealth);
            assertTrue(get(running.get("replica-a"), "/observe/metrics")
                    .contains("collector_replica_leader{replica=\"replica-a\",route=\"jumpcloud-directory\"} 1.0"));
            assertTrue(get(running.get("replica-b"), "/observe/metrics")
                    .contains("collector_replica_leader{replica=\"replica-b\",route=\"jumpcloud-directory\"} 0.0"));

            for (int kill = 1; kill <= 3; kill++) {
                int target = devo.lineCount() + PAGE * (4 + random.nextInt(12));
                CollectorRun.await(() -> devo.lineCount() >= target, Duration.ofSeconds(120), "more of the backfill before kill " + kill);
                String active = lastHost(devo);
                String standby = active.equals("replica-a") ? "replica-b" : "replica-a";
                running.get(active).kill(); // SIGKILL: no word to the other replica
                long killed = System.nanoTime();
                int atKill = devo.lineCount();
                CollectorRun.await(() -> devo.lineCount() > atKill && standby.equals(lastHost(devo)), Duration.ofSeconds(60),
                        "the standby " + standby + " takes over after kill " + kill);
                takeoverMs.add((System.nanoTime() - killed) / 1_000_000);
                running.put(active, replica(active, sim, devo, pki, from)); // back, as the standby
            }

            // SIGTERM of the active one: it hands over at a page boundary, nothing doubled
            int target = devo.lineCount() + PAGE * 6;
            CollectorRun.await(() -> devo.lineCount() >= target, Duration.ofSeconds(120), "more of the backfill before the stop");
            String active = lastHost(devo);
            String standby = active.equals("replica-a") ? "replica-b" : "replica-a";
            long dupsBefore = duplicates(devo.lines());
            long stopped = System.nanoTime();
            assertEquals(0, running.get(active).terminate(20), running.get(active).stderr());
            int atStop = devo.lineCount();
            CollectorRun.await(() -> devo.lineCount() > atStop && standby.equals(lastHost(devo)), Duration.ofSeconds(30),
                    "the standby " + standby + " takes over after SIGTERM");
            long handoverMs = (System.nanoTime() - stopped) / 1_000_000;

            Set<String> expected = sim.events().stream().map(SimEvent::id).collect(Collectors.toSet());
            CollectorRun.await(() -> distinct(devo.lines()) >= expected.size(), Duration.ofSeconds(180),
                    "every event at the relay (" + distinct(devo.lines()) + " of " + expected.size() + ")");
            Thread.sleep(2 * RETRY_PERIOD_MS);

            List<String> lines = devo.lines();
            List<DevoLinesOnTheWire.Line> parsed = lines.stream().map(DevoLinesOnTheWire::parse).toList();
            assertEquals(expected, parsed.stream().map(DevoLinesOnTheWire.Line::id).collect(Collectors.toSet()), "every event");
            long dups = duplicates(lines);
            System.out.printf("replica failover: takeover after SIGKILL %s ms; after SIGTERM %d ms; %d duplicate lines for 3 kills "
                    + "(%d before the SIGTERM, %d after it)%n", takeoverMs, handoverMs, dups, dupsBefore, dups - dupsBefore);
            assertTrue(dupsBefore <= 3L * PAGE, "at most the page in flight doubled per kill: " + dupsBefore);
            assertEquals(dupsBefore, dups, "the SIGTERM hand-over doubled nothing");
            // one replica at a time: the senders change only at a kill or the stop
            int switches = 0;
            for (int i = 1; i < parsed.size(); i++) {
                if (!parsed.get(i).host().equals(parsed.get(i - 1).host())) {
                    switches++;
                }
            }
            assertTrue(switches <= 4, "the replicas' lines interleave: " + switches + " changes of sender");
            long bound = 5 * RETRY_PERIOD_MS + RETRY_PERIOD_MS + 1000;
            assertTrue(takeoverMs.stream().allMatch(t -> t <= bound + 6000), "takeover within the bound " + bound + " ms: " + takeoverMs);
            assertTrue(handoverMs <= 10_000, "SIGTERM hands over within 10 s: " + handoverMs);
        } finally {
            for (CollectorProcess p : running.values()) {
                p.close();
            }
        }
    }

    /** GET on the replica's management port, which its log names. */
    private static String get(CollectorProcess replica, String path) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Health and metrics on http://([0-9.]+:\\d+)/").matcher(replica.stderr());
        assertTrue(m.find(), replica.stderr());
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + m.group(1) + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long duplicates(List<String> lines) {
        return lines.size() - distinct(lines);
    }

    private static int distinct(List<String> lines) {
        Set<String> ids = new HashSet<>();
        for (String l : lines) {
            int i = l.indexOf("\"id\":\"");
            ids.add(i < 0 ? l : l.substring(i + 6, l.indexOf('"', i + 6)));
        }
        return ids.size();
    }
}
