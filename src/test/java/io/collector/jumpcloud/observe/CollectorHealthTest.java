package io.collector.jumpcloud.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.testing.SteppedClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Readiness judged on a clock the test moves: from when the route's pulls start, kept UP by pages. */
class CollectorHealthTest {
    static final long POLL_MS = 200;

    final SteppedClock clock = SteppedClock.at(Instant.parse("2026-12-06T12:00:00Z"));
    final CollectorMetrics metrics = new CollectorMetrics(new SimpleMeterRegistry(), clock);
    final CollectorHealth health = new CollectorHealth(metrics, POLL_MS, clock);

    HealthCheck.Result check() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            health.setCamelContext(context);
            return health.call(Map.of());
        }
    }

    @Test
    void theStartsOwnWorkBeforeThePullsDoesNotCountAgainstTheRoute() throws Exception {
        metrics.route("all", null, () -> null);
        clock.step(Duration.ofMillis(10 * POLL_MS)); // the state files read, the relay probed: a slow start
        metrics.routeActive("all", null); // the consumer starts pulling
        clock.step(Duration.ofMillis(2 * POLL_MS));
        assertEquals(HealthCheck.State.UP, check().getState(), "the first request has had 2 intervals");
        metrics.pageReceived("all", null); // JumpCloud answered the first page; its delivery is under way
        clock.step(Duration.ofMillis(2 * POLL_MS));
        assertEquals(HealthCheck.State.UP, check().getState());
    }

    @Test
    void aRouteThatNeitherReceivesNorDeliversGoesDownAfterThreeIntervals() throws Exception {
        metrics.route("sso", "org1", () -> null);
        metrics.routeActive("sso", "org1");
        metrics.pageReceived("sso", "org1");
        clock.step(Duration.ofMillis(3 * POLL_MS + 1));
        HealthCheck.Result r = check();
        assertEquals(HealthCheck.State.DOWN, r.getState());
        assertTrue(r.getMessage().orElse("").contains("sso@org1 has neither completed a pull nor received or delivered a page"),
                r.getMessage().orElse(""));
        metrics.pageDelivered("sso", "org1");
        assertEquals(HealthCheck.State.UP, check().getState(), "UP again with the next page");
        clock.step(Duration.ofMillis(3 * POLL_MS + 1));
        metrics.pullSucceeded("sso", "org1");
        assertEquals(HealthCheck.State.UP, check().getState(), "a completed pull counts as well");
    }
}
