package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.RecordedRequest;
import io.collector.jumpcloud.sim.SimEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/kamelet.md: a YAML route that starts from {@code kamelet:jumpcloud-insights-source?...}
 * against the simulator receives every event once, as JumpCloud sent it, across pages, across
 * pulls (events added later) and across a failed request; the API key is never logged.
 */
class KameletTest {
    static final String KEY = "kamelet-test-key-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path dir;

    /** What the user's route does with each event: here, keep it. */
    public static final class Received implements Processor {
        final List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void process(Exchange exchange) {
            bodies.add(exchange.getMessage().getBody(String.class));
            ids.add(exchange.getMessage().getHeader("JumpCloudEventId", String.class));
        }
    }

    @Test
    void aYamlRouteFromTheKameletReceivesEveryEventOnce() throws Exception {
        Instant from = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        Received received = new Received();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().validKeys(KEY);
             LogCapture log = LogCapture.capture()) {
            sim.addEvents(f.series(List.of("directory", "sso", "systems", "radius", "mdm", "software"), from, Duration.ofMillis(11), 1200));
            sim.addEvents(f.burst("sso", from.plusSeconds(20), 600)); // one timestamp across pages
            Path route = dir.resolve("my-route.yaml");
            Files.writeString(route, """
                    - route:
                        id: jumpcloud-events
                        from:
                          uri: "kamelet:jumpcloud-insights-source?apiKey={{jumpcloud.api-key}}&baseUrl={{jumpcloud.base-url}}&service=all&pageSize=250&period=300&startTime=%s"
                          steps:
                            - process:
                                ref: received
                    """.formatted(from.minusSeconds(5)), StandardCharsets.UTF_8);

            CamelContext context = new DefaultCamelContext();
            context.getPropertiesComponent().addInitialProperty("jumpcloud.api-key", KEY);
            context.getPropertiesComponent().addInitialProperty("jumpcloud.base-url", sim.baseUrl());
            context.getRegistry().bind("received", received);
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveResource(context, "file:" + route));
            context.start();
            try {
                CollectorRun.await(() -> received.bodies.size() >= sim.eventCount(), Duration.ofSeconds(60),
                        sim.eventCount() + " events (have " + received.bodies.size() + ")");

                // a failed request, then events that arrive later: the next pulls go on from the cursor
                // (asked again within the pull: the route sees each event once)
                sim.failNext(500);
                Instant later = from.plusSeconds(60);
                sim.addEvents(f.series(List.of("ldap", "sso"), later, Duration.ofMillis(5), 400));
                CollectorRun.await(() -> received.bodies.size() >= sim.eventCount(), Duration.ofSeconds(60),
                        sim.eventCount() + " events (have " + received.bodies.size() + ")");
                int requests = sim.eventRequests().size();
                CollectorRun.await(() -> sim.eventRequests().size() >= requests + 3, Duration.ofSeconds(30), "three more pulls");
            } finally {
                context.stop();
            }

            Map<String, String> byId = new HashMap<>();
            List<String> twice = new ArrayList<>();
            for (int i = 0; i < received.bodies.size(); i++) {
                if (byId.put(received.ids.get(i), received.bodies.get(i)) != null) {
                    twice.add(received.ids.get(i));
                }
            }
            assertEquals(List.of(), twice, "events emitted twice");
            Map<String, String> expected = sim.events().stream().collect(Collectors.toMap(SimEvent::id, SimEvent::raw));
            assertEquals(expected.keySet(), byId.keySet(), "every event");
            expected.forEach((id, raw) -> assertEquals(raw, byId.get(id), "event " + id + " as JumpCloud sent it"));

            List<RecordedRequest> requests = sim.eventRequests();
            assertTrue(requests.stream().allMatch(RecordedRequest::apiKeyPresent), "every request carries x-api-key");
            assertTrue(requests.stream().allMatch(r -> r.status() != 401), "and the simulator accepted it");
            assertTrue(requests.stream().anyMatch(r -> r.bodyText("search_after") != null), "the cursor was followed");
            assertTrue(requests.stream().allMatch(r -> r.header("x-search_after") == null), "no response header echoed");
            assertTrue(log.contains("Request failed, retry 1 of"), "the 500 was seen and asked again: " + log.lines());
            assertFalse(log.lines().stream().anyMatch(l -> l.contains(KEY)), "the API key is never logged");
        }
    }

    /**
     * A plain context with no collector settings: the Kamelet by name from the class path, events to
     * a mock: endpoint, its checkpoint in stateDir (the start time in the collector's form). Stopped
     * mid-backfill and started again as a new context, it goes on from the checkpoint: every event
     * once across both runs, including the events that came while it was stopped.
     */
    @Test
    void withAStateFolderTheKameletGoesOnAfterARestartWithoutDuplicates() throws Exception {
        Instant from = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        EventFactory f = new EventFactory();
        Path state = dir.resolve("kamelet-state");
        String route = """
                - route:
                    id: my-jumpcloud-events
                    from:
                      uri: "kamelet:jumpcloud-insights-source"
                      parameters:
                        apiKey: "%s"
                        baseUrl: "%s"
                        service: directory
                        pageSize: 100
                        period: 200
                        startTime: "%s"
                        stateDir: "%s"
                      steps:
                        - to: "mock:events"
                """;
        List<String> ids = new ArrayList<>();
        try (JumpCloudSimulator sim = new JumpCloudSimulator().validKeys(KEY).latency(Duration.ofMillis(20))) {
            sim.addEvents(f.series(List.of("directory"), from, Duration.ofMillis(500), 4000));
            String yaml = route.formatted(KEY, sim.baseUrl(), CollectorRun.historic(from.minusSeconds(1)), state);
            for (int run = 0; run < 2; run++) {
                CamelContext context = new DefaultCamelContext();
                PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("my-route.yaml", yaml));
                context.start();
                org.apache.camel.component.mock.MockEndpoint events = context.getEndpoint("mock:events",
                        org.apache.camel.component.mock.MockEndpoint.class);
                try {
                    if (run == 0) {
                        CollectorRun.await(() -> events.getReceivedCounter() >= 1500, Duration.ofSeconds(60), "part of the backlog");
                    } else {
                        int before = ids.size();
                        CollectorRun.await(() -> before + events.getReceivedCounter() >= sim.eventCount(), Duration.ofSeconds(60),
                                "the rest after the restart (have " + (before + events.getReceivedCounter()) + " of " + sim.eventCount() + ")");
                        int requests = sim.eventRequests().size();
                        CollectorRun.await(() -> sim.eventRequests().size() >= requests + 2, Duration.ofSeconds(30), "two more pulls");
                    }
                } finally {
                    context.stop(); // mid-pull in the first run: the page in flight is finished, its checkpoint saved
                }
                events.getExchanges().forEach(e -> ids.add(e.getMessage().getHeader("JumpCloudEventId", String.class)));
                assertTrue(run == 1 || ids.size() < sim.eventCount(), "the first run stopped mid-backfill: " + ids.size());
                if (run == 0) {
                    sim.addEvents(f.series(List.of("directory"), Instant.now().minus(10, ChronoUnit.MINUTES), Duration.ofMillis(50), 300));
                }
            }
            assertTrue(Files.list(state).findAny().isPresent(), "the checkpoint is in the state folder");
            Map<String, Long> counts = ids.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
            assertEquals(List.of(), counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList(), "twice");
            assertEquals(sim.events().stream().map(SimEvent::id).collect(Collectors.toSet()), counts.keySet(), "every event");
        }
    }
}
