package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MSP's key with 30 organizations and two services: 60 routes. Their pulls run on the jumpcloud
 * component's shared scheduler (at most 16 threads), not on a thread of their own each; their
 * connections to the relay share one group of I/O threads (at most 4), not a group of their own
 * each; and every organization's events still arrive once.
 */
class ManyRoutesShareThreadsTest {
    @TempDir
    Path dir;

    private static long threads(String namePart) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().contains(namePart)).count();
    }

    /** The live threads but the simulator's and the relay's (the test's own). */
    private static long collectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.getName().startsWith("tls-receiver") && !t.getName().startsWith("jumpcloud-sim")).count();
    }

    /** The live threads by name, numbers left out: what a thread count is made of. */
    private static java.util.Map<String, Long> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(java.util.stream.Collectors.groupingBy(
                t -> t.getName().replaceAll("[0-9]+", "#"), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    @Test
    void sixtyRoutesPullOnAtMostSixteenThreads() throws Exception {
        TestPki pki = TestPki.shared();
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        List<String> orgs = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            orgs.add(String.format("%024x", 0x5bf6defbL * 1000 + i));
        }
        try (JumpCloudSimulator sim = new JumpCloudSimulator().multiTenant(true);
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            for (String org : orgs) {
                sim.addEvents(new EventFactory().withOrganization(org).series(List.of("directory", "sso"), from, Duration.ofSeconds(7), 40));
            }
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.org-id", String.join(",", orgs)).set("jumpcloud.services", "directory,sso")
                    .set("jumpcloud.max-requests-per-second", "500").set("jumpcloud.poll-interval", "500")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                long before = collectorThreads();
                run.start();
                assertEquals(60, run.context().getRoutes().stream().filter(r -> r.getRouteId().startsWith("jumpcloud-")).count());
                long most = 0;
                long io = 0;
                long all = 0;
                java.util.Map<String, Long> names = null;
                for (long end = System.nanoTime() + 60_000_000_000L; devo.lineCount() < sim.eventCount() && System.nanoTime() < end; ) {
                    most = Math.max(most, threads("JumpCloudPull"));
                    io = Math.max(io, threads("DevoTlsWorker"));
                    long collectors = collectorThreads();
                    if (collectors > all) {
                        all = collectors;
                        names = threadNames();
                    }
                    Thread.sleep(20);
                }
                most = Math.max(most, threads("JumpCloudPull"));
                assertTrue(most > 0 && most <= 16, "pull threads: " + most);
                assertTrue(io > 0 && io <= 4, "relay I/O threads: " + io);
                // the collector's threads: pulls, relay I/O, the page requests ahead, Camel's and the HTTP server's own
                assertTrue(all - before <= 40, "threads the collector added for 60 routes: " + (all - before) + ": " + names);
                assertEquals(0, threads("jumpcloud://events"), "no thread of a route's own");
                Thread.sleep(800);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            // the start's credentials check: one request naming every organization, not 30 of the budget
            List<io.collector.jumpcloud.sim.RecordedRequest> checks = sim.eventRequests().stream()
                    .filter(r -> r.headers().getOrDefault("x-org-id", List.of()).size() > 1).toList();
            assertEquals(1, checks.size(), "requests with several x-org-id headers");
            assertEquals(orgs, checks.get(0).headers().get("x-org-id"));
        }
    }
}
