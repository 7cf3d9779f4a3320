package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.RecordedRequest;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed service provider's many organizations pulled in groups (jumpcloud.orgs-per-request):
 * one request names several organizations, and the routes can change shape between runs — from one
 * route per organization to groups, a new organization joining a group, and back — without an
 * event sent twice or missed.
 */
class OrganizationGroupsTest {
    static final TestPki pki = TestPki.shared();
    static final List<String> ORGS = List.of("5bf6defbdcd8233029e0c598", "64a1b2c3d4e5f60718293a4b", "65aa00000000000000000003",
            "65aa00000000000000000004", "65aa00000000000000000005");

    @TempDir
    Path dir;

    @Test
    void organizationsRegroupedBetweenRunsSendEveryEventOnce() throws Exception {
        Instant from = Instant.now().minus(2, ChronoUnit.HOURS);
        Path state = dir.resolve("state");
        historic = from.minusSeconds(1);
        try (JumpCloudSimulator sim = new JumpCloudSimulator().multiTenant(true); TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            // the fifth organization has events from the start but is configured only in the second run
            for (int i = 0; i < ORGS.size(); i++) {
                sim.addEvents(new EventFactory().withOrganization(ORGS.get(i)).series(List.of("directory", "sso"), from.plusMillis(37 * i),
                        Duration.ofSeconds(3 + i), 150));
            }
            long firstFour = sim.events().stream().filter(e -> !ORGS.get(4).equals(e.organization())).count();

            // 1. one route per organization (the default), four organizations
            run(sim, devo, state, ORGS.subList(0, 4), 1, () -> devo.lineCount() >= firstFour);
            DevoLinesOnTheWire.assertExactlyOnce(sim.events().stream().filter(e -> !ORGS.get(4).equals(e.organization())).toList(),
                    devo.lines(), "test-collector");

            // 2. groups of three: [1,2,3] and [4,5], the fifth new; more events meanwhile
            for (int i = 0; i < ORGS.size(); i++) {
                sim.addEvents(new EventFactory().withOrganization(ORGS.get(i)).series(List.of("directory", "sso"),
                        from.plus(45, ChronoUnit.MINUTES).plusMillis(11 * i), Duration.ofSeconds(2), 100));
            }
            int before = sim.eventRequests().size();
            run(sim, devo, state, ORGS, 3, () -> devo.lineCount() >= sim.eventCount());
            Set<Integer> named = new TreeSet<>();
            for (RecordedRequest r : sim.eventRequests().subList(before, sim.eventRequests().size())) {
                if (r.path().endsWith("/events")) {
                    named.add(r.headers().getOrDefault("x-org-id", List.of()).size());
                }
            }
            assertTrue(named.contains(3) && named.contains(2) && !named.contains(1), "each request names its group's organizations: " + named);
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");

            // 3. back to one route per organization, after more events
            for (int i = 0; i < ORGS.size(); i++) {
                sim.addEvents(new EventFactory().withOrganization(ORGS.get(i)).series(List.of("directory", "sso"),
                        from.plus(80, ChronoUnit.MINUTES).plusMillis(13 * i), Duration.ofSeconds(2), 80));
            }
            run(sim, devo, state, ORGS, 1, () -> devo.lineCount() >= sim.eventCount());
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
        }
    }

    private Instant historic;

    private void run(JumpCloudSimulator sim, TlsLineReceiver devo, Path state, List<String> orgs, int perRequest,
                     java.util.function.BooleanSupplier done) throws Exception {
        try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                .set("jumpcloud.org-id", String.join(",", orgs)).set("jumpcloud.orgs-per-request", Integer.toString(perRequest))
                .set("jumpcloud.page-size", "100").set("jumpcloud.poll-interval", "200")
                .set("jumpcloud.historic-date-utc", CollectorRun.historic(historic))
                .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
            run.start();
            long routes = run.context().getRoutes().stream().filter(r -> r.getId().startsWith("jumpcloud-")).count();
            assertEquals((orgs.size() + perRequest - 1) / perRequest, routes, "one route per group of " + perRequest);
            if (perRequest > 1) {
                assertTrue(run.context().getRoute("jumpcloud-" + orgs.get(0) + "-and-2-more-all") != null, "a group's route id");
            }
            CollectorRun.await(done, Duration.ofSeconds(60), "every event of " + orgs.size() + " organizations, " + perRequest + " a request");
            Thread.sleep(1000); // anything sent twice would arrive by now
        }
    }
}
