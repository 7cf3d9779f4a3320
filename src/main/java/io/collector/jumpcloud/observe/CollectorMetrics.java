package io.collector.jumpcloud.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The collector's own figures, in the Micrometer registry that camel-micrometer-prometheus serves
 * at /observe/metrics (bound as {@code metricsRegistry}). Per route they carry the tags
 * {@code service} and {@code org} ("" for a single-tenant key); names follow Prometheus' rules
 * ({@code jumpcloud_events_sent_total}, {@code jumpcloud_lag_seconds}, ...).
 */
public final class CollectorMetrics {
    private final MeterRegistry registry;
    private final Clock clock;
    private final AtomicInteger devoUp = new AtomicInteger(1);
    private final boolean relay;
    private volatile Instant devoDownSince;
    private volatile String devoError;
    private final Map<String, PullGauges> pulls = new ConcurrentHashMap<>();

    public CollectorMetrics(MeterRegistry registry, Clock clock) {
        this(registry, clock, true);
    }

    /** @param relay false for a dry run: no Devo connection exists, none is reported */
    public CollectorMetrics(MeterRegistry registry, Clock clock, boolean relay) {
        this.registry = registry;
        this.clock = clock;
        this.relay = relay;
        if (relay) {
            Gauge.builder("devo.connection.up", devoUp, AtomicInteger::get)
                    .description("1 when the last write to the Devo relay succeeded, 0 when it failed").register(registry);
        }
    }

    /** Whether the routes write to a Devo relay (false in a dry run). */
    public boolean relay() {
        return relay;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The org label: the organization, or for a group of them (ids joined by commas) "<first>+<how many more>". */
    public static String orgLabel(String org) {
        if (org == null) {
            return "";
        }
        int comma = org.indexOf(',');
        return comma < 0 ? org : org.substring(0, comma).trim() + "+" + org.chars().filter(c -> c == ',').count();
    }

    private Counter counter(String name, String description, String service, String org) {
        return Counter.builder(name).description(description).tag("service", service).tag("org", orgLabel(org))
                .register(registry);
    }

    public void received(String service, String org, long n) {
        counter("jumpcloud.events.received", "events received from JumpCloud", service, org).increment(n);
    }

    public void sent(String service, String org, long n, long bytes) {
        counter("jumpcloud.events.sent", "events written to Devo", service, org).increment(n);
        counter("devo.bytes.sent", "bytes of Devo lines written", service, org).increment(bytes);
    }

    public void duplicates(String service, String org, long n) {
        counter("jumpcloud.events.duplicates", "events dropped as already sent", service, org).increment(n);
    }

    public void recovered(String service, String org, long n) {
        counter("jumpcloud.events.recovered", "events found missing by the count check and sent", service, org).increment(n);
    }

    public void countMismatch(String service, String org) {
        counter("jumpcloud.count.check.mismatches", "windows where JumpCloud counted more events than were sent", service, org).increment();
    }

    /** {@code n} events of {@code eventService} ("" for none) that a route sent to the fallback table. */
    public void fallback(String service, String org, String eventService, long n) {
        Counter.builder("jumpcloud.events.fallback").description("events sent to the fallback table").tag("service", service)
                .tag("org", orgLabel(org)).tag("event_service", eventService == null ? "" : eventService)
                .register(registry).increment(n);
    }

    /**
     * An API answer: its HTTP status, or "error" for a network failure; {@code endpoint} is "events"
     * (the pages) or "events/count" (the count check).
     */
    public void apiRequest(String service, String org, String endpoint, String status) {
        Counter.builder("jumpcloud.api.requests").description("JumpCloud API requests by answer").tag("service", service)
                .tag("org", orgLabel(org)).tag("endpoint", endpoint).tag("status", status).register(registry).increment();
    }

    /** An element or event set aside in the route's quarantine file; {@code reason} is one of a fixed set of words. */
    public void quarantined(String service, String org, String reason) {
        Counter.builder("jumpcloud.events.quarantined").description("elements and events set aside in the quarantine file")
                .tag("service", service).tag("org", orgLabel(org)).tag("reason", reason).register(registry).increment();
    }

    public void retry(String service, String org) {
        counter("jumpcloud.api.retries", "requests retried within a pull", service, org).increment();
    }

    /** Lag and last success gauges of one route; {@code checkpoint} reads its last_polled_timestamp. */
    public void route(String service, String org, Supplier<Instant> checkpoint) {
        PullGauges known = pulls.get(service + "@" + org);
        if (known != null) {
            known.checkpoint = checkpoint; // the route's state read again (a replica taking the route over)
            return;
        }
        pulls.computeIfAbsent(service + "@" + org, k -> {
            PullGauges g = new PullGauges(service, org, checkpoint);
            g.created = clock.instant();
            String o = orgLabel(org);
            Gauge.builder("jumpcloud.lag", g, x -> x.lagSeconds(clock)).baseUnit("seconds")
                    .description("now - last_polled_timestamp").tag("service", service).tag("org", o).register(registry);
            Gauge.builder("jumpcloud.last.successful.pull", g, PullGauges::lastSuccessEpoch).baseUnit("seconds")
                    .description("when a pull last read everything there was (epoch seconds, 0 = not yet)")
                    .tag("service", service).tag("org", o).register(registry);
            return g;
        });
    }

    /**
     * What keeps a route from working that waiting does not cure (its state file cannot be trusted or
     * written, JumpCloud's cursor loops): readiness is DOWN with it. Null clears it.
     */
    public void routeProblem(String service, String org, String problem) {
        PullGauges g = pulls.get(service + "@" + org);
        if (g != null) {
            g.problem = problem;
        }
    }

    /**
     * The route (re)started its pulls here (the collector started, or a replica took it over): it is
     * judged from now on, not from the start's own work before it (the relay probe, the state files).
     */
    public void routeActive(String service, String org) {
        PullGauges g = pulls.get(service + "@" + org);
        if (g != null) {
            g.created = clock.instant();
        }
    }

    public void pullSucceeded(String service, String org) {
        PullGauges g = pulls.get(service + "@" + org);
        if (g != null) {
            g.lastSuccess = clock.instant();
        }
    }

    /**
     * JumpCloud answered a page: the route is working, though its pull is not done (a relay that then
     * hangs stops the next answers: the page ahead waits for it).
     */
    public void pageReceived(String service, String org) {
        pageDelivered(service, org);
    }

    /** A page of a pull still catching up was delivered: the route is working, though its pull is not done. */
    public void pageDelivered(String service, String org) {
        PullGauges g = pulls.get(service + "@" + org);
        if (g != null) {
            g.lastProgress = clock.instant();
        }
    }

    /** When the route last completed a pull, or null if never. */
    public Instant lastSuccess(String service, String org) {
        PullGauges g = pulls.get(service + "@" + org);
        return g == null ? null : g.lastSuccess;
    }

    public Map<String, PullGauges> routes() {
        return pulls;
    }

    public void devoWritten() {
        devoUp.set(1);
        devoDownSince = null;
        devoError = null;
    }

    public void devoFailed(String why) {
        if (devoUp.getAndSet(0) == 1) {
            devoDownSince = clock.instant();
        }
        devoError = why;
    }

    public boolean devoUp() {
        return devoUp.get() == 1;
    }

    public String devoError() {
        return devoError;
    }

    public Instant devoDownSince() {
        return devoDownSince;
    }

    /** A route's gauges' state. */
    public static final class PullGauges {
        /** The later of the last completed pull and the last page delivered, or null. */
        public Instant lastWorked() {
            Instant a = lastSuccess;
            Instant b = lastProgress;
            return a == null ? b : b == null || a.isAfter(b) ? a : b;
        }

        private final String service;
        private final String org;
        private volatile Supplier<Instant> checkpoint;
        private volatile Instant created;
        volatile Instant lastSuccess;
        volatile Instant lastProgress;
        volatile String problem;

        /** What keeps the route from working (readiness DOWN), or null. */
        public String problem() {
            return problem;
        }

        PullGauges(String service, String org, Supplier<Instant> checkpoint) {
            this.service = service;
            this.org = org;
            this.checkpoint = checkpoint;
        }

        public String service() {
            return service;
        }

        /** The organization, or null. */
        public String org() {
            return org;
        }

        double lagSeconds(Clock clock) {
            Instant c = checkpoint.get();
            return c == null ? Double.NaN : Math.max(0, (clock.millis() - c.toEpochMilli()) / 1000.0);
        }

        double lastSuccessEpoch() {
            Instant t = lastSuccess;
            return t == null ? 0 : t.toEpochMilli() / 1000.0;
        }

        public Instant lastSuccess() {
            return lastSuccess;
        }

        /** When the route started here (or this replica took it over): the staleness of a route counts from it. */
        public Instant created() {
            return created;
        }
    }
}
