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
 * component's shared scheduler (at most 16 threads), not on a thread of their own each, and every
 * organization's events still arrive once.
 */
class ManyRoutesShareThreadsTest {
    @TempDir
    Path dir;

    private static long threads(String namePart) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().contains(namePart)).count();
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
                run.start();
                assertEquals(60, run.context().getRoutes().stream().filter(r -> r.getRouteId().startsWith("jumpcloud-")).count());
                long most = 0;
                for (long end = System.nanoTime() + 60_000_000_000L; devo.lineCount() < sim.eventCount() && System.nanoTime() < end; ) {
                    most = Math.max(most, threads("JumpCloudPull"));
                    Thread.sleep(20);
                }
                most = Math.max(most, threads("JumpCloudPull"));
                assertTrue(most > 0 && most <= 16, "pull threads: " + most);
                assertEquals(0, threads("jumpcloud://events"), "no thread of a route's own");
                Thread.sleep(800);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
        }
    }
}
