package io.collector.jumpcloud.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of the collector: DOWN when a route has neither completed a pull nor received or delivered a page
 * for three poll intervals (JumpCloud failing, or a pull stuck; a backfill of hours that keeps
 * delivering pages is working) or when the last write to the Devo relay failed. Liveness is
 * left to Camel's own context check: a collector waiting for JumpCloud or Devo is alive and must
 * not be restarted for it.
 */
public final class CollectorHealth extends AbstractHealthCheck {
    private final CollectorMetrics metrics;
    private final Duration stale;
    private final Clock clock;
    private volatile Leadership leadership;

    public CollectorHealth(CollectorMetrics metrics, long pollIntervalMs, Clock clock) {
        super("jumpcloud", "collector");
        this.metrics = metrics;
        this.stale = Duration.ofMillis(3 * pollIntervalMs);
        this.clock = clock;
    }

    /** One of several replicas: only the routes this one leads are judged; the others are another replica's. */
    public void leadership(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Instant now = clock.instant();
        List<String> problems = new ArrayList<>();
        Leadership replicas = leadership;
        List<String> led = new ArrayList<>();
        metrics.routes().forEach((route, g) -> {
            if (replicas != null) {
                boolean leads = replicas.leads(g.service(), g.org());
                builder.detail("route." + route + ".replica", leads ? "leader" : "standby");
                if (!leads) {
                    return; // another replica pulls it
                }
                led.add(g.org() == null ? g.service() : CollectorMetrics.orgLabel(g.org()) + "/" + g.service());
            }
            Instant worked = g.lastWorked();
            Instant since = worked != null && worked.isAfter(g.created()) ? worked : g.created();
            builder.detail("route." + route + ".lastSuccessfulPull", g.lastSuccess() == null ? "never" : g.lastSuccess().toString());
            String problem = g.problem();
            if (problem != null) {
                builder.detail("route." + route + ".problem", problem);
                problems.add(route + ": " + problem);
            } else if (Duration.between(since, now).compareTo(stale) > 0) {
                problems.add(route + " has neither completed a pull nor received or delivered a page since " + since + " (3 poll intervals)");
            }
        });
        if (replicas != null) {
            builder.detail("replica", replicas.replica());
            builder.detail("replica.leads", led.isEmpty() ? "none (standby)" : String.join(",", led));
        }
        builder.detail("devo.connection", !metrics.relay() ? "none (dry run)" : metrics.devoUp() ? "up" : "down");
        if (!metrics.devoUp()) {
            problems.add("the last write to Devo failed at " + metrics.devoDownSince() + ": " + metrics.devoError());
        }
        if (problems.isEmpty()) {
            builder.up();
        } else {
            builder.message(String.join("; ", problems)).down();
        }
    }
}
