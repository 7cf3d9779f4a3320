package io.collector.jumpcloud.source;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.dedup.EventIdRepository;
import io.collector.jumpcloud.observe.CollectorMetrics;
import io.collector.jumpcloud.state.OrganizationStates;
import io.collector.jumpcloud.state.Quarantine;
import io.collector.jumpcloud.state.StateFileException;
import io.collector.jumpcloud.state.StateStore;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every route reading JumpCloud shares: the settings, the JumpCloud client and its request
 * budget, the page memory, the state of each route (service and organization), the metrics. The
 * {@code jumpcloud:} component's consumers take their routes' pulls from here; one instance serves
 * every route of a context.
 */
public final class JumpCloudSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JumpCloudSource.class);

    private final CollectorSettings settings;
    private final StateStore store;
    private final EventIdRepository ids;
    private final CollectorMetrics metrics;
    private final Clock clock;
    private final JumpCloudClock jumpCloudClock;
    private final JumpCloudClient client;
    private final EventCounts counts;
    private final PageMemory pageMemory;
    private final Quarantine quarantine;
    private final QueryPlanner planner;
    private final PullLog log;
    private final Map<String, RouteState> routes = new ConcurrentHashMap<>();
    private final OrganizationStates orgStates;
    private volatile boolean replicated;
    /** Threads for the page requests: most of their time is waiting for JumpCloud or for a page place. */
    private final ExecutorService pageThreads;

    public JumpCloudSource(CollectorSettings settings, StateStore store, EventIdRepository ids, RequestBudget budget,
                           CollectorMetrics metrics, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.ids = ids;
        this.metrics = metrics;
        this.clock = clock;
        this.jumpCloudClock = new JumpCloudClock(clock);
        this.client = new JumpCloudClient(settings, budget, jumpCloudClock);
        this.counts = new EventCounts(client, (service, org, status) -> metrics.apiRequest(service, org, "events/count", status));
        this.pageMemory = new PageMemory(settings.maxPagesInMemory());
        this.quarantine = new Quarantine(store);
        this.orgStates = new OrganizationStates(store);
        this.planner = new QueryPlanner(settings, jumpCloudClock, metrics);
        this.log = new PullLog(settings, clock);
        AtomicInteger n = new AtomicInteger();
        this.pageThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "JumpCloudPageRequest-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The state of one service's route (and organization's): with organizations each has its own state
     * folder ({@code <state-dir>/<org>/<service>.json}) and id memory; a single organization adopts a
     * state written before it was set.
     */
    public RouteState route(String service, String org) {
        String o = org == null || org.isBlank() ? null : org.trim();
        String key = key(service, org);
        String legacy = o != null && settings.orgIds().size() == 1 ? service : null;
        return routes.computeIfAbsent(key, k -> {
            orgStates.remember(o);
            RouteState r = new RouteState(service, o, k, legacy, store, ids.partition(k), settings.historicDate(),
                    settings.historicDateGiven(), settings.countCheckWindowSeconds(), o == null ? null : orgStates);
            metrics.route(r.service(), r.org(), r::checkpointOrNull);
            return r;
        });
    }

    /**
     * Reads the persisted state of every configured route. A state file that cannot be trusted stops
     * its own route only (one ERROR line, and health says why); the other routes run.
     */
    public void loadStates() {
        List<String> orgs = settings.orgGroups().isEmpty() ? Collections.singletonList(null) : settings.orgGroups();
        for (String org : orgs) {
            for (String s : settings.services()) {
                load(route(s, org));
            }
        }
    }

    /** The route of a consumer about to start: its state read (a route added after the start, or an endpoint of its own). */
    public void prepare(String service, String org) {
        load(route(service, org));
    }

    /** One of several replicas (collector.cluster): routes start and stop as this replica leads them or not. */
    public void replicated(boolean replicated) {
        this.replicated = replicated;
    }

    public boolean replicated() {
        return replicated;
    }

    /**
     * A replica that takes over a route: its state is read again from the shared state folder, where
     * the replica that led it before saved its checkpoint (what this replica read at its own start,
     * or when it last led the route, is behind).
     */
    public void takeOver(String service, String org) {
        routes.remove(key(service, org));
        prepare(service, org);
    }

    /**
     * Waits until the route's pull in progress (if any) ended: it ends at its next page boundary once
     * its consumer stops, the page in flight delivered and its checkpoint saved. False after {@code timeoutMs}.
     */
    public boolean awaitPullEnd(String service, String org, long timeoutMs) throws InterruptedException {
        RouteState r = routes.get(key(service, org));
        return awaitIdle(() -> r != null && r.busy(), timeoutMs);
    }

    /** As {@link #awaitPullEnd} for every route. */
    public boolean awaitPullsEnd(long timeoutMs) throws InterruptedException {
        return awaitIdle(() -> routes.values().stream().anyMatch(RouteState::busy), timeoutMs);
    }

    private static boolean awaitIdle(java.util.function.BooleanSupplier busy, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (busy.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private static String key(String service, String org) {
        return OrganizationStates.key(service, org);
    }

    /**
     * Reads the route's state if it is not read yet: true when it is. A state file that cannot be
     * trusted blocks the route; a save that fails while the route resumes (a full disk, a folder it
     * cannot write) leaves it unread, said in the log, and read again at the route's next poll.
     */
    boolean load(RouteState p) {
        if (p.blocked() != null) {
            return false;
        }
        try {
            p.state();
            return true;
        } catch (java.io.UncheckedIOException e) {
            metrics.routeProblem(p.service(), p.org(), "its state cannot be written as it resumes: " + e.getMessage());
            LOG.warn("[{}] Its state cannot be written as it resumes: {}. This route tries again at its next poll; the other routes run.",
                    p.name(), e.getMessage());
            return false;
        } catch (StateFileException e) {
            p.block(e);
            metrics.routeProblem(p.service(), p.org(), e.getMessage() + "; this route does not run");
            LOG.error("[{}] The state file {} cannot be trusted: {}. This route does not run; the other routes do. "
                            + "To go on, move the file aside (the route then starts from jumpcloud.historic-date-utc: set it to "
                            + "where the route should start) or put back a good copy, then restart.",
                    p.name(), e.file().toAbsolutePath(), e.problem());
            return false;
        }
    }

    public CollectorSettings settings() {
        return settings;
    }

    public JumpCloudClient client() {
        return client;
    }

    public JumpCloudClock jumpCloudClock() {
        return jumpCloudClock;
    }

    public CollectorMetrics metrics() {
        return metrics;
    }

    Clock clock() {
        return clock;
    }

    EventCounts counts() {
        return counts;
    }

    PageMemory pageMemory() {
        return pageMemory;
    }

    ExecutorService pageThreads() {
        return pageThreads;
    }

    Quarantine quarantine() {
        return quarantine;
    }

    QueryPlanner planner() {
        return planner;
    }

    PullLog log() {
        return log;
    }

    @Override
    public void close() {
        pageThreads.shutdownNow();
        client.close();
    }
}
