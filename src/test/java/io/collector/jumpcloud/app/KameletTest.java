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
 * README "The Kamelet": a YAML route that starts from {@code kamelet:jumpcloud-insights-source?...}
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
}
