package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.RecordedRequest;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.testing.TestPki;
import io.collector.jumpcloud.testing.TlsLineReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A managed service provider's key: several organizations, every service, one request budget. */
class OrganizationsAndBudgetTest {
    static final TestPki pki = TestPki.shared();
    static final String ORG_A = "5bf6defbdcd8233029e0c598";
    static final String ORG_B = "64a1b2c3d4e5f60718293a4b";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void twoOrganizationsEachGetTheirOwnRoutesAndStateAndNothingCrosses() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator().multiTenant(true);
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true)) {
            sim.addEvents(new EventFactory().withOrganization(ORG_A).series(List.of("directory", "sso"), from, Duration.ofMillis(300), 3000));
            // B's events stop earlier: its checkpoint must not follow A's
            sim.addEvents(new EventFactory().withOrganization(ORG_B).series(List.of("directory", "sso"), from, Duration.ofMillis(200), 2000));
            Path state = dir.resolve("state");
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, state)
                    .set("jumpcloud.org-id", ORG_A + "," + ORG_B).set("jumpcloud.services", "directory,sso")
                    .set("jumpcloud.page-size", "400").set("jumpcloud.poll-interval", "300")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                run.start();
                assertEquals(4, run.context().getRoutes().stream().filter(r -> r.getId().startsWith("jumpcloud-")).count(),
                        "one route per organization and service");
                assertTrue(run.context().getRoute("devo-relay") != null, "and the Devo relay route they share");
                assertTrue(run.context().getRoute("jumpcloud-" + ORG_B + "-sso") != null, "route ids name the organization");
                CollectorRun.await(() -> devo.lineCount() >= sim.eventCount(), Duration.ofSeconds(60), "both organizations' events");
                Thread.sleep(800);
            }
            DevoLinesOnTheWire.assertExactlyOnce(sim.events(), devo.lines(), "test-collector");
            int several = 0;
            for (RecordedRequest r : sim.eventRequests()) {
                List<String> named = r.headers().getOrDefault("x-org-id", List.of());
                assertTrue(!named.isEmpty() && List.of(ORG_A, ORG_B).containsAll(named), "every request names its organizations: " + named);
                several += named.size() > 1 ? 1 : 0;
            }
            assertEquals(1, several, "only the start's check names both organizations; each pull names its own");
            // each organization and service has its own state file, at its own newest event
            for (String org : List.of(ORG_A, ORG_B)) {
                for (String service : List.of("directory", "sso")) {
                    JsonNode s = JSON.readTree(state.resolve(org).resolve(service + ".json").toFile());
                    Instant newest = sim.events().stream().filter(e -> org.equals(e.organization()) && service.equals(e.service()))
                            .map(SimEvent::timestamp).max(Instant::compareTo).orElseThrow();
                    assertEquals(newest, Instant.parse(s.path("last_polled_utc").asText()), org + "/" + service + " checkpoint");
                }
            }
        }
    }

    /**
     * Seven services × two organizations = 14 routes polling every 100 ms, against an API that
     * answers 429 above 10 requests in a second: with a budget of 5 per second the rate stays under
     * it, no 429 comes back, and every event still arrives (services without a reference table go
     * to their mapped table or the fallback).
     */
    @Test
    void theSharedBudgetHoldsTheRequestRateForFourteenRoutes() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS);
        List<String> services = List.of("directory", "systems", "sso", "radius", "ldap", "mdm", "software");
        try (JumpCloudSimulator sim = new JumpCloudSimulator().multiTenant(true).rateLimit(10);
             TlsLineReceiver devo = TlsLineReceiver.start(pki, true);
             LogCapture log = LogCapture.capture()) {
            for (String org : List.of(ORG_A, ORG_B)) {
                sim.addEvents(new EventFactory().withOrganization(org).series(services, from, Duration.ofMillis(500), 1400));
            }
            Instant started;
            try (CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.org-id", ORG_A + "," + ORG_B).set("jumpcloud.services", String.join(",", services))
                    .set("jumpcloud.page-size", "100").set("jumpcloud.poll-interval", "100")
                    .set("jumpcloud.max-requests-per-second", "5")
                    .set("devo.table.software", "my.jumpcloud.software.events")
                    .set("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)))
                    .devo(devo.port(), pki.clientCert(), pki.clientKey(), pki.ca())) {
                started = Instant.now();
                run.start();
                Thread.sleep(8000);
            }
            Instant stopped = Instant.now();
            List<RecordedRequest> reqs = sim.requests();
            long tooMany = reqs.stream().filter(r -> r.status() == 429).count();
            double seconds = Duration.between(started, stopped).toMillis() / 1000.0;
            int maxInOneSecond = 0;
            Map<Long, Integer> perSecond = new HashMap<>();
            for (RecordedRequest r : reqs) {
                maxInOneSecond = Math.max(maxInOneSecond, perSecond.merge(r.arrivedAt().getEpochSecond(), 1, Integer::sum));
            }
            System.out.printf("budget 5/s, 14 routes polling every 100 ms: %d requests in %.1f s = %.2f/s, at most %d in one second, %d answered 429%n",
                    reqs.size(), seconds, reqs.size() / seconds, maxInOneSecond, tooMany);
            assertEquals(0, tooMany, "no request was rate limited");
            assertTrue(reqs.size() / seconds <= 5 * 1.1 + 5 / seconds, "average rate within the budget: " + reqs.size() / seconds);
            assertTrue(reqs.size() >= 5 * seconds * 0.6, "the budget is used, not starved: " + reqs.size());
            // and shared: every route had its turn (two once waited the whole run while others paged on)
            for (String org : List.of(ORG_A, ORG_B)) {
                for (String service : services) {
                    assertTrue(reqs.stream().anyMatch(r -> org.equals(r.header("x-org-id")) && r.body() != null
                            && r.body().path("service").toString().equals("[\"" + service + "\"]")), org + "/" + service + " was never asked");
                }
            }
            // whatever was delivered went to its table: the seventh service to its mapped table
            List<String> softwareTables = new ArrayList<>();
            for (String l : devo.lines()) {
                DevoLinesOnTheWire.Line line = DevoLinesOnTheWire.parse(l);
                String service = JSON.readTree(line.json()).path("service").asText();
                if (service.equals("software")) {
                    softwareTables.add(line.table());
                } else {
                    assertEquals(DevoLinesOnTheWire.TABLES.get(service), line.table());
                }
            }
            assertTrue(!softwareTables.isEmpty() && softwareTables.stream().allMatch("my.jumpcloud.software.events"::equals),
                    "software events in devo.table.software: " + softwareTables.size());
            log.assertNoSecrets(JumpCloudSimulator.DEFAULT_API_KEY, pki.clientKey());
        }
    }

    /**
     * The start checks the organizations a hundred to a request; when JumpCloud refuses one of them,
     * they are asked again one at a time and the start stops naming the refused organization.
     */
    @Test
    void anOrganizationRefusedAmongSeveralIsNamedAtStart() throws Exception {
        String orgC = "cccccccccccccccccccccccc";
        try (JumpCloudSimulator sim = new JumpCloudSimulator().multiTenant(true).diDisabledOrg(orgC)) {
            CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                    .set("jumpcloud.org-id", ORG_A + "," + orgC + "," + ORG_B);
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, run::start);
            var bad = CollectorApplication.settingsProblem(e);
            assertTrue(bad != null && bad.getMessage().contains("Directory Insights is not enabled for organization " + orgC + " (HTTP 402"),
                    String.valueOf(bad));
            List<List<String>> asked = sim.eventRequests().stream().map(r -> r.headers().getOrDefault("x-org-id", List.of())).toList();
            assertEquals(List.of(List.of(ORG_A, orgC, ORG_B), List.of(ORG_A), List.of(orgC)), asked,
                    "all three at once, then one at a time until the refused one");
            run.close();
        }
    }
}
