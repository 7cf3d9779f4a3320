package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camel-main application of its own with this jar on its class path: camel-main reads the class
 * path's application.properties first, so a root one in the jar took it over (its routes pattern,
 * then 0 routes of its own). The jar now ships none: the application runs its own route unchanged,
 * and the collector's routes only when it adds them.
 */
class EmbeddedMainTest {
    @TempDir
    Path dir;

    private static RouteBuilder ownRoute() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("timer:own?period=50").routeId("own").setBody(constant("tick")).to("mock:own");
            }
        };
    }

    @Test
    void theApplicationsOwnRouteRunsUnchanged() throws Exception {
        Main main = new Main(); // camel-main's defaults: classpath:application.properties, no routes pattern of ours
        main.configure().addRoutesBuilder(ownRoute());
        main.start();
        try {
            var context = main.getCamelContext();
            NotifyBuilder ticks = new NotifyBuilder(context).fromRoute("own").whenDone(3).create();
            assertTrue(ticks.matches(10, TimeUnit.SECONDS), "the application's route runs");
            assertEquals(List.of("own"), context.getRoutes().stream().map(r -> r.getRouteId()).toList(), "its routes only");
            assertNull(context.getPropertiesComponent().resolveProperty("camel.main.routes-include-pattern").orElse(null),
                    "nothing of the collector's camel-main settings");
        } finally {
            main.stop();
        }
    }

    @Test
    void theCollectorsRoutesRunWhenTheApplicationAsksForThem() throws Exception {
        Instant from = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        try (JumpCloudSimulator sim = new JumpCloudSimulator()) {
            sim.addEvents(new EventFactory().series(List.of("directory", "sso"), from, Duration.ofSeconds(1), 40));
            Main main = new Main();
            main.configure().addRoutesBuilder(ownRoute());
            main.configure().addRoutesBuilder(new JumpCloudDevoRoutes());
            main.addInitialProperty("jumpcloud.api-key", JumpCloudSimulator.DEFAULT_API_KEY);
            main.addInitialProperty("jumpcloud.base-url", sim.baseUrl());
            main.addInitialProperty("jumpcloud.poll-interval", "500");
            main.addInitialProperty("jumpcloud.historic-date-utc", CollectorRun.historic(from.minusSeconds(1)));
            main.addInitialProperty("collector.state-dir", dir.resolve("state").toString());
            main.addInitialProperty("devo.endpoint", "mock:devo"); // the application's own destination
            main.start();
            try {
                var context = main.getCamelContext();
                assertNotNull(context.getRoute(ServiceRoutes.routeId("all")), "the collector's route: " + context.getRoutes());
                MockEndpoint devo = context.getEndpoint("mock:devo", MockEndpoint.class);
                // the route started pulling with main.start(): its page may be delivered already, or still coming
                java.util.function.Supplier<String> lines = () -> devo.getExchanges().stream()
                        .map(e -> e.getMessage().getBody(String.class)).reduce("", String::concat);
                CollectorRun.await(() -> lines.get().lines().count() >= 40, Duration.ofSeconds(20), "a page delivered to mock:devo");
                assertEquals(40, lines.get().lines().count(), lines.get());
                NotifyBuilder ticks = new NotifyBuilder(context).fromRoute("own").whenDone(2).create();
                assertTrue(ticks.matches(10, TimeUnit.SECONDS), "the application's route runs beside them");
            } finally {
                main.stop();
            }
        }
    }
}
