package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.completeness.CountCheck;
import io.collector.jumpcloud.completeness.CountLedger;
import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.dedup.EventIdRepository;
import io.collector.jumpcloud.devo.DevoLines;
import io.collector.jumpcloud.devo.DevoTables;
import io.collector.jumpcloud.observe.CollectorMetrics;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the pull route that YAML cannot say well, called by name from
 * {@code routes/jumpcloud-to-devo.yaml} as bean {@code pulls}: start a pull from the checkpoint,
 * build each page request, read each page, move the checkpoint once a page is in Devo, and log the
 * reference collector's statistics.
 */
public final class PullCoordinator {
    public static final String PULL = "pull";
    /** Exchange property of the page request route: the {@link PageQuery} asked for. */
    public static final String QUERY = "jumpcloudQuery";
    static final String SLOT = "jumpcloudPageSlot";
    /** The page request route (routes/jumpcloud-to-devo.yaml): one request of the events endpoint. */
    public static final String PAGE_ENDPOINT = "direct:jumpcloud-page";
    private static final Logger LOG = LoggerFactory.getLogger(PullCoordinator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CollectorSettings settings;
    private final StateStore store;
    private final EventIdRepository ids;
    private final Clock clock;
    private final RetryPolicy retry;
    private final DevoTables tables;
    /** A mid-backfill count check runs once this many delivered ids wait for one (memory bound). */
    static final int CHECK_EVERY_IDS = 100_000;

    private final Map<String, ServicePuller> pullers = new ConcurrentHashMap<>();
    private final RequestBudget budget;
    private final EventCounts counts;
    private final CollectorMetrics metrics;
    private volatile ProducerTemplate template;
    private volatile ExecutorService pageThreads;
    /** The page bodies all routes may hold at once (collector.max-pages-in-memory), and their arrays. */
    private final PageMemory pageMemory;
    /** jumpcloud.request-timeout for every page request; the events endpoint's httpClientConfigurer. */
    private final RequestDeadlines deadlines;
    /** JumpCloud's now, from its answers' Date header: the queries' end and the count check follow it. */
    private final JumpCloudClock jumpCloudClock;
    /** Events and elements set aside: the dead-letter file of each route. */
    private final io.collector.jumpcloud.state.Quarantine quarantine;
    /** jumpcloud.max-page-bytes: no answer is read beyond it. */
    private final long maxPageBytes;
    /** Exchange property of the page request route: its {@link RequestDeadlines} id. */
    static final String REQUEST_ID = "jumpcloudRequestId";

    public PullCoordinator(CollectorSettings settings, StateStore store, EventIdRepository ids, DevoTables tables,
                           RequestBudget budget, CollectorMetrics metrics, Clock clock) {
        this(settings, store, ids, tables, budget, metrics, clock, new RequestDeadlines(settings.requestTimeoutMs()),
                new JumpCloudClock(clock));
    }

    public PullCoordinator(CollectorSettings settings, StateStore store, EventIdRepository ids, DevoTables tables,
                           RequestBudget budget, CollectorMetrics metrics, Clock clock, RequestDeadlines deadlines,
                           JumpCloudClock jumpCloudClock) {
        this.deadlines = deadlines;
        this.jumpCloudClock = jumpCloudClock;
        this.quarantine = new io.collector.jumpcloud.state.Quarantine(store);
        this.maxPageBytes = settings.maxPageBytes();
        this.metrics = metrics;
        this.settings = settings;
        this.store = store;
        this.ids = ids;
        this.clock = clock;
        this.tables = tables;
        this.budget = budget;
        this.counts = new EventCounts(settings, budget, (service, org, status) -> metrics.apiRequest(service, org, "events/count", status));
        this.pageMemory = new PageMemory(settings.maxPagesInMemory());
        this.retry = new RetryPolicy(settings.maxRetries(), settings.retryDelayMs(), settings.retryMaxDelayMs());
    }

    /**
     * One puller per service and organization. With organizations, each has its own state folder
     * ({@code <state-dir>/<org>/<service>.json}) and its own id memory; a single organization adopts
     * a state written before it was set.
     */
    private ServicePuller puller(String service, String org) {
        String o = org == null || org.isBlank() ? null : org.trim();
        String key = o == null ? service : o + "/" + service;
        String legacy = o != null && settings.orgIds().size() == 1 ? service : null;
        return pullers.computeIfAbsent(key, k -> new ServicePuller(service, o, k, legacy, store, ids.partition(k),
                settings.historicDate(), settings.historicDateGiven(), settings.countCheckWindowSeconds()));
    }

    /**
     * Reads the persisted state of every configured service. A state file that cannot be trusted
     * stops its own route only (one ERROR line, and health says why); the other routes run.
     */
    public void loadStates() {
        List<String> orgs = settings.orgIds().isEmpty() ? java.util.Collections.singletonList(null) : settings.orgIds();
        for (String org : orgs) {
            for (String s : settings.services()) {
                ServicePuller p = puller(s, org);
                metrics.route(p.service(), p.org(), p::checkpointOrNull);
                try {
                    p.state();
                } catch (io.collector.jumpcloud.state.StateFileException e) {
                    p.block(e);
                    metrics.routeProblem(p.service(), p.org(), e.getMessage() + "; this route does not run");
                    LOG.error("[{}] The state file {} cannot be trusted: {}. This route does not run; the other routes do. "
                                    + "To go on, move the file aside (the route then starts from jumpcloud.historic-date-utc: set it to "
                                    + "where the route should start) or put back a good copy, then restart.",
                            p.name(), e.file().toAbsolutePath(), e.problem());
                }
            }
        }
    }

    public void start(Exchange exchange, String service) {
        start(exchange, service, null);
    }

    /** First step of a pull: where to start, and the pull's bookkeeping in exchange property {@code pull}. */
    public void start(Exchange exchange, String service, String org) {
        ServicePuller p = puller(service, org);
        if (p.blocked() != null) {
            exchange.setRouteStop(true); // said once at start: the state file cannot be trusted
            return;
        }
        if (!p.tryStart()) {
            LOG.warn("[{}] The previous pull is still running: skipping this one", p.name());
            exchange.setRouteStop(true);
            return;
        }
        ServiceState s;
        try {
            s = p.state();
        } catch (RuntimeException e) {
            p.finished();
            throw e;
        }
        if (!p.saveUnsaved()) {
            // delivered pages are ahead of the state file: nothing new is asked for until it can be written
            if (p.sayUnsaved()) {
                LOG.warn("[{}] The state file still cannot be written ({}): nothing is asked from JumpCloud until it can", p.name(), p.unsaved());
            }
            metrics.routeProblem(p.service(), p.org(), "the state file cannot be written: " + p.unsaved());
            p.finished();
            exchange.setRouteStop(true);
            return;
        }

        Instant start = s.lastPolledTimestamp();
        Instant now = jumpCloudClock.now(); // JumpCloud's: a clock ahead of it would read seconds not indexed yet
        if (start.isAfter(now)) {
            // JumpCloud rejects a start_time in the future (an event stamped ahead of our clock).
            start = now;
        }
        // Late indexing: read only up to now - lag, so events JumpCloud indexes up to lag seconds
        // after their timestamp are there when their second is read. No end_time with a lag of 0.
        Instant end = now.minusSeconds(settings.lagSeconds()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        boolean pending = p.ledger() != null && !p.ledger().pending().isEmpty();
        boolean withinLag = settings.lagSeconds() > 0 && !end.isAfter(start.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        if (withinLag && !pending) {
            // end_time must come after start_time: nothing older than the lag is new yet
            LOG.info("[{}] Nothing to read yet: the checkpoint {} is within the lag ({} s) of now", p.name(), start, settings.lagSeconds());
            p.finished();
            exchange.setRouteStop(true);
            return;
        }
        Instant mainEnd = end.isAfter(start) ? end : start;
        Pull pull = new Pull(p, UUID.randomUUID().toString(), start, settings.lagSeconds() > 0 ? mainEnd : null, mainEnd,
                p.seen().duplicates());
        exchange.setProperty(PULL, pull);
        exchange.setProperty(EventIdRepository.PARTITION, p.stateKey());
        if (withinLag) {
            // nothing new is older than the lag, but windows wait to be fetched again: only those (a main
            // query now would have end_time = start_time, which JumpCloud refuses)
            pull.skipMainQuery();
            LOG.info("[{}] Pull Started (@devo_pulling_id={}) for the count check's windows only: the checkpoint {} is within the lag",
                    p.name(), pull.pullingId(), start);
            startRefetch(pull, p);
            return;
        }
        LOG.info("[{}] Pull Started (@devo_pulling_id={}) from start_time {}{}", p.name(), pull.pullingId(), EventTimestamps.queryTime(start),
                pull.endTime() == null ? "" : " to end_time " + EventTimestamps.queryTime(pull.endTime()));
    }

    /** The next window the count check found short becomes the pull's query, its delivered ids seeded as duplicates. */
    private static void startRefetch(Pull pull, ServicePuller p) {
        if (pull.nextRefetch(p.ledger().pending())) {
            CountCheck.Shortfall w = pull.refetching();
            p.seen().refetching(w.deliveredIds()); // what was sent in the window is dropped as a duplicate, exactly
            LOG.warn("[{}] Count check: JumpCloud counts {} events from {} to {} but {} were sent: fetching that window again",
                    pull.name(), w.jumpcloud(), utc(w.from()), utc(w.to()), w.delivered());
        }
    }

    /**
     * The page loop's step: the next page, asked for ahead while the previous one was delivered (or
     * asked for now). The request of the page after it already left when its headers came
     * ({@link PagePipeline}), so JumpCloud's answer time, the transfer and the delivery overlap. The
     * checkpoint still moves only after a page's delivery; pages asked for ahead by a pull that fails
     * or stops are dropped.
     */
    public void nextPage(Exchange exchange) throws Exception {
        Pull pull = pull(exchange);
        if (pull.pipeline() == null) {
            CamelContext context = exchange.getContext();
            pull.pipeline(new PagePipeline(pageMemory, slot -> {
                pull.issued();
                Exchange e = org.apache.camel.builder.ExchangeBuilder.anExchange(context).build();
                e.setProperty(QUERY, slot.query);
                e.setProperty(SLOT, slot);
                return CompletableFuture.supplyAsync(() -> template(context).send(PAGE_ENDPOINT, e), pageThreads(context));
            }));
        }
        pull.awaitingPage();
        Exchange answer = pull.pipeline().take(pull.query(settings.pageSize()), () -> exchange.getContext().isStopping());
        if (answer.getException() != null) {
            throw answer.getException();
        }
        FetchedPage fetched = answer.getMessage().getBody(FetchedPage.class);
        if (fetched == null) {
            throw new IllegalStateException("the route of " + PAGE_ENDPOINT + " must end with the bean pulls.page (it answered "
                    + answer.getMessage().getBody() + ")");
        }
        EventPage page = fetched.page();
        pull.checkProgress(page, fetched.cursor(), fetched.full()); // a cursor that loops ends the pull (PullError 305)
        pull.nextPage(page, fetched.cursor(), fetched.full());
        metrics.apiRequest(pull.service(), pull.org(), "events", "200");
        metrics.received(pull.service(), pull.org(), page.size());
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setBody(page);
        LOG.info("[{}] Number of {} events received: {}", pull.name(), pull.service(), page.size());
    }

    private ProducerTemplate template(CamelContext context) {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = context.createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }

    /** Threads for the page requests: most of their time is waiting for JumpCloud or for a page place. */
    private ExecutorService pageThreads(CamelContext context) {
        ExecutorService e = pageThreads;
        if (e == null) {
            synchronized (this) {
                if (pageThreads == null) {
                    pageThreads = context.getExecutorServiceManager().newCachedThreadPool(this, "JumpCloudPageRequest");
                }
                e = pageThreads;
            }
        }
        return e;
    }

    /**
     * First step of the page request route: the request of the page asked for. All headers are
     * removed first: camel-http sends every message header, and nothing but these must leave.
     */
    public void request(Exchange exchange) throws Exception {
        PageQuery q = query(exchange);
        PagePipeline.Slot slot = exchange.getProperty(SLOT, PagePipeline.Slot.class);
        if (slot != null && !slot.pipeline.acquirePlace(slot, () -> exchange.getContext().isStopping())) {
            throw new StoppingException(); // its body will have memory: a place first, then the request
        }
        if (!budget.acquire(() -> exchange.getContext().isStopping())) {
            throw new StoppingException();
        }
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        String id = deadlines.newRequest();
        exchange.setProperty(REQUEST_ID, id);
        exchange.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                deadlines.done(id);
            }

            @Override
            public int getOrder() {
                return Integer.MAX_VALUE; // after camel-http's own clean-up of the answer
            }
        });
        m.setHeader(RequestDeadlines.HEADER, id); // removed by the deadline interceptor before the request leaves
        m.setHeader("x-api-key", settings.apiKey());
        if (q.org() != null) {
            m.setHeader("x-org-id", q.org());
        }
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Accept", "application/json");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        ObjectNode body = JSON.createObjectNode();
        body.putArray("service").add(q.service());
        body.put("start_time", EventTimestamps.queryTime(q.start()));
        if (q.window()) {
            body.put("end_time", EventTimestamps.endTimeBefore(q.end())); // the window [from, to)
        } else if (q.end() != null) {
            body.put("end_time", EventTimestamps.queryTime(q.end()));
        }
        body.put("limit", q.limit());
        body.put("sort", "ASC");
        if (q.searchAfter() != null) {
            body.set("search_after", q.searchAfter());
        }
        m.setBody(body.toString());
    }

    /**
     * Last step of the page request route: checks the page (complete JSON events, X-Result-Count, a
     * new cursor for a full page) before anything of it is sent, and answers it as a {@link FetchedPage}.
     */
    public void page(Exchange exchange) throws Exception {
        PageQuery q = query(exchange);
        Message m = exchange.getMessage();
        String requestId = exchange.getProperty(REQUEST_ID, String.class);
        jumpCloudClock.observe(deadlines.date(requestId), clock.instant());
        try {
            Integer resultCount = intHeader(m, "X-Result-Count");
            Integer limit = intHeader(m, "X-Limit");
            int usedLimit = limit != null ? limit : q.limit();
            JsonNode cursor = cursor(m.getHeader("X-Search_after", String.class));
            Long length = m.getHeader("Content-Length", Long.class);
            PagePipeline.Slot slot = exchange.getProperty(SLOT, PagePipeline.Slot.class);
            if (slot != null) {
                // the headers announce a full page and its cursor: the next request can leave before this body is read
                // (not while answers are too large: one at a time then)
                boolean fullAhead = !q.reduced() && resultCount != null && resultCount >= usedLimit && cursor != null
                        && !cursor.equals(q.searchAfter()) && (length == null || length <= maxPageBytes);
                slot.pipeline.headers(slot, fullAhead ? q.after(cursor, settings.pageSize()) : null);
            }
            PageBody body;
            try {
                body = read(m, slot, length == null ? -1 : length, () -> exchange.getContext().isStopping());
            } catch (PageTooLargeException e) {
                throw e.answering(q, cursor);
            }
            String defaultService = "all".equals(q.service()) ? null : q.service();
            EventPage page = EventPage.parse(body, defaultService);
            if (resultCount != null && resultCount != page.elements()) {
                throw new BadPageException("X-Result-Count says " + resultCount + " events but the page holds " + page.elements());
            }
            boolean full = page.elements() > 0 && page.elements() >= usedLimit;
            if (full && (cursor == null || cursor.equals(q.searchAfter()))) {
                throw new BadPageException("a full page came without a new X-Search_after cursor: cannot page further safely");
            }
            m.removeHeaders("*");
            m.setBody(new FetchedPage(page, cursor, full));
        } catch (Exception e) {
            // the answer is not read to its end: its connection is closed rather than drained
            deadlines.abort(requestId, e.getMessage());
            String deadline = deadlines.aborted(requestId);
            if (e instanceof java.io.IOException && !(e instanceof PageTooLargeException) && deadline != null
                    && !deadline.equals(e.getMessage())) {
                throw new java.io.IOException(deadline, e);
            }
            throw e;
        }
    }

    /**
     * Reads the page's body once: the endpoint has disableStreamCache=true, so the body is still
     * JumpCloud's stream (a stream cache, and a copy of it, were two more 11 MB arrays per page).
     * Never more than jumpcloud.max-page-bytes of it.
     */
    private PageBody read(Message m, PagePipeline.Slot slot, long length, java.util.function.BooleanSupplier stopping) throws Exception {
        Object b = m.getBody();
        if (b instanceof java.io.InputStream in) {
            try (in) {
                if (slot != null) {
                    return slot.read(in, length, maxPageBytes, stopping);
                }
                PageBody body = new PageBody(null, 0);
                byte[] head = new byte[PageBody.HEAD];
                int[] n = new int[1];
                PageBody small = PageBody.readHead(in, head, n);
                if (small != null) {
                    return small;
                }
                body.readRest(head, -1 - n[0], in, length, maxPageBytes);
                return body;
            }
        }
        byte[] bytes = m.getBody(byte[].class);
        if (bytes != null && bytes.length > maxPageBytes) {
            throw new PageTooLargeException(bytes.length, maxPageBytes, true);
        }
        return PageBody.of(bytes == null ? new byte[0] : bytes);
    }

    private static PageQuery query(Exchange exchange) {
        PageQuery q = exchange.getProperty(QUERY, PageQuery.class);
        if (q == null) {
            throw new IllegalStateException("no page request: " + PAGE_ENDPOINT + " is called by pulls.nextPage");
        }
        return q;
    }

    /** The page's lines are written to the Devo connection: the checkpoint may now move past them. */
    public void delivered(Exchange exchange) {
        Pull pull = pull(exchange);
        EventPage page = pull.page();
        if (page == null) {
            return;
        }
        int lines = exchange.getProperty(DevoLines.COUNT, 0, Integer.class);
        exchange.removeProperty(DevoLines.COUNT);
        long bytes = lines == 0 ? 0 : io.collector.jumpcloud.devo.DevoLineFramer.wireLength(exchange.getMessage().getBody());
        ServiceState s = pull.puller().commit(page, jumpCloudClock.now());
        pull.delivered(lines);
        if (pull.pipeline() != null) {
            pull.pipeline().delivered(); // its body may leave memory: the next page's body may be read
        }
        metrics.sent(pull.service(), pull.org(), lines, bytes);
        if (exchange.removeProperty(DevoLines.FALLBACK) instanceof java.util.Map<?, ?> fallback && lines > 0) {
            fallback.forEach((eventService, n) -> metrics.fallback(pull.service(), pull.org(), (String) eventService, ((Number) n).longValue()));
        }
        metrics.pageDelivered(pull.service(), pull.org());
        quarantine(pull, page, exchange);
        metrics.duplicates(pull.service(), pull.org(), page.size() - lines - tooLong(exchange));
        if (lines > 0) {
            metrics.devoWritten();
        }
        if (pull.refetching() != null) {
            pull.recovered(lines);
            metrics.recovered(pull.service(), pull.org(), lines);
        }
        progress(pull, s.lastPolledTimestamp());
        LOG.info("[{}] Number of {} events sent to Devo: {} ({} duplicates removed). State last_polled_timestamp is updated: {}",
                pull.name(), pull.service(), lines, page.size() - lines, s.lastPolledTimestamp());
        LOG.debug("[{}] Saved state: {}", pull.name(), pull.puller().describe(s));
    }

    /**
     * The page's elements that are not events, and the events whose line is over devo.max-line-bytes,
     * go to the route's quarantine file (written when the page is delivered, so a page read again
     * after a failure is not set aside twice); each is said once in the log and counted.
     */
    private void quarantine(Pull pull, EventPage page, Exchange exchange) {
        for (EventPage.BadElement b : page.quarantined()) {
            if (!pull.puller().firstQuarantine(b.raw())) {
                continue; // set aside already (the checkpoint's second read again)
            }
            String position = "element " + (b.index() + 1) + " of " + page.elements() + " of " + pull.pagePosition()
                    + " (byte " + b.offset() + ")";
            quarantine.write(pull.puller().stateKey(), pull.name(), b.reason(), position, b.raw().length, b.raw(), clock.instant());
            metrics.quarantined(pull.service(), pull.org(), b.reason());
            LOG.warn("[{}] Quarantined {}: {}; written to {}. The other events of the page are delivered.", pull.name(), position,
                    b.detail(), quarantine.file(pull.puller().stateKey()).toAbsolutePath());
        }
        if (exchange.removeProperty(DevoLines.TOO_LONG) instanceof java.util.List<?> long_) {
            for (Object o : long_) {
                DevoLines.TooLong t = (DevoLines.TooLong) o;
                String position = "event " + io.collector.jumpcloud.observe.LogSafe.text(t.id(), 80) + " of " + pull.pagePosition();
                quarantine.write(pull.puller().stateKey(), pull.name(), "line_too_long", position, t.lineBytes(), t.json(), clock.instant());
                metrics.quarantined(pull.service(), pull.org(), "line_too_long");
                LOG.warn("[{}] Quarantined {}: its Devo line of {} bytes is over devo.max-line-bytes ({}); a relay would cut it into "
                        + "lines that reach no table. Written to {}.", pull.name(), position, t.lineBytes(), settings.maxLineBytes(),
                        quarantine.file(pull.puller().stateKey()).toAbsolutePath());
            }
        }
    }

    private static int tooLong(Exchange exchange) {
        Integer n = exchange.getProperty(DevoLines.TOO_LONG_COUNT, Integer.class);
        exchange.removeProperty(DevoLines.TOO_LONG_COUNT);
        return n == null ? 0 : n;
    }

    /**
     * The completeness check, after each request of the loop. Once the main query is done (and during
     * a long backfill every {@value #CHECK_EVERY_IDS} events), closed windows are counted by JumpCloud
     * and compared with what was sent; a window that misses events is fetched again within this
     * pull, the id memory dropping what was already sent.
     */
    public void checkCounts(Exchange exchange) {
        Pull pull = pull(exchange);
        ServicePuller p = pull.puller();
        CountLedger ledger = p.ledger();
        if (ledger == null || pull.failed()) {
            return;
        }
        if (pull.refetching() == null) {
            Long upTo = null;
            if (pull.queryDone()) {
                upTo = pull.mainEnd().getEpochSecond(); // every window before the main query's end was read
            } else if (ledger.size() >= CHECK_EVERY_IDS) {
                upTo = p.state().lastPolledTimestamp().getEpochSecond(); // before the checkpoint's second: all sent
            }
            if (upTo != null) {
                check(exchange, pull, ledger, upTo);
            }
        } else if (pull.queryDone()) {
            CountCheck.Shortfall w = pull.refetching();
            LOG.info("[{}] Count check: fetching {} to {} again sent {} missing events", pull.name(), utc(w.from()), utc(w.to()),
                    pull.recovered() - pull.recoveredAtWindowStart());
        }
        startRefetch(pull, p);
    }

    private void check(Exchange exchange, Pull pull, CountLedger ledger, long upTo) {
        ServicePuller p = pull.puller();
        long from = ledger.checkedUpTo();
        try {
            List<CountCheck.Shortfall> short_ = new CountCheck(ledger, (a, b) -> counts.count(p.service(), p.org(),
                    Instant.ofEpochSecond(a), Instant.ofEpochSecond(b), () -> exchange.getContext().isStopping())).check(upTo);
            pull.countChecked(short_.size());
            short_.forEach(x -> metrics.countMismatch(p.service(), p.org()));
            if (ledger.checkedUpTo() > from) {
                LOG.info("[{}] Count check from {} to {}: {}", pull.name(), utc(from), utc(ledger.checkedUpTo()),
                        short_.isEmpty() ? "every event JumpCloud counts was sent" : short_.size() + " window(s) miss events");
            }
            p.saveLedger();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("[{}] Count check from {} could not run ({}); it is tried again at the next pull", pull.name(), utc(from),
                    e.getMessage());
        }
    }

    /**
     * While a pull catches up, every 30 s (collector.progress-log-interval): what was sent, how fast, how far behind now the
     * checkpoint is, and when it should be caught up at the pace of this pull.
     */
    private void progress(Pull pull, Instant checkpoint) {
        long now = System.nanoTime();
        if (!pull.hasMorePages() || now - pull.lastProgressNanos() < settings.progressIntervalMs() * 1_000_000) {
            return;
        }
        pull.progressLogged(now);
        double secs = pull.elapsedSeconds();
        Instant wall = clock.instant();
        double behind = Math.max(0, (wall.toEpochMilli() - checkpoint.toEpochMilli()) / 1000.0);
        double covered = (checkpoint.toEpochMilli() - pull.startTime().toEpochMilli()) / 1000.0; // event time read so far
        String eta = covered <= 0 ? "unknown" : human((long) (behind * secs / covered));
        LOG.info("[{}] Catching up: {} events sent in {} s ({} events/s), {} behind now, caught up in about {}", pull.name(),
                pull.sent(), String.format(Locale.ROOT, "%.0f", secs), String.format(Locale.ROOT, "%.0f", pull.sent() / Math.max(secs, 0.001)),
                human((long) behind), eta);
    }

    /** 93784 -> "1d 2h 3m 4s": how operators read a backlog. */
    static String human(long seconds) {
        StringBuilder b = new StringBuilder();
        long[] units = {86400, 3600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            long n = seconds / units[i];
            seconds %= units[i];
            if (n > 0 || (i == units.length - 1 && b.length() == 0)) {
                b.append(b.length() == 0 ? "" : " ").append(n).append(names[i]);
            }
        }
        return b.toString();
    }


    private static String utc(long epochSecond) {
        return Instant.ofEpochSecond(epochSecond).toString();
    }

    /**
     * A request or its page failed. A 429, a 5xx, a network error or a broken page is retried: after
     * JumpCloud's Retry-After when it gives one, otherwise after an exponential backoff with jitter.
     * Anything else (401, 403, 400), or the last retry, ends the pull with its error code.
     */
    public void retryOrFail(Exchange exchange) throws Exception {
        Pull pull = pull(exchange);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof PageTooLargeException big && big.query() != null) {
            tooLarge(pull, big);
            return;
        }
        if (e instanceof HttpOperationFailedException h) {
            metrics.apiRequest(pull.service(), pull.org(), "events", Integer.toString(h.getStatusCode()));
        } else if (!(e instanceof BadPageException) && !pull.hasPage()) {
            metrics.apiRequest(pull.service(), pull.org(), "events", "error");
        }
        if (!RetryPolicy.retryable(e)) {
            throw e;
        }
        metrics.retry(pull.service(), pull.org());
        int attempt = pull.retried();
        if (attempt > retry.maxRetries()) {
            throw new GaveUpException(attempt - 1, e);
        }
        long delay = retry.delayMillis(attempt, e, clock.instant());
        LOG.warn("[{}] Request failed, retry {} of {} in {} s: {}", pull.name(), attempt, retry.maxRetries(),
                String.format(Locale.ROOT, "%.1f", delay / 1000.0), reason(e));
        long end = System.nanoTime() + delay * 1_000_000;
        while (System.nanoTime() < end) {
            if (exchange.getContext().isStopping()) {
                throw new GaveUpException(attempt - 1, e); // shutting down: the checkpoint is where it was
            }
            Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    /**
     * An answer over jumpcloud.max-page-bytes: asked again for half as many events; one event alone
     * over it is quarantined (its bytes were never read) and the pull goes on after it, with the
     * cursor the answer's headers gave.
     */
    private void tooLarge(Pull pull, PageTooLargeException big) {
        PageQuery q = big.query();
        metrics.apiRequest(pull.service(), pull.org(), "events", "too_large");
        if (q.limit() > 1) {
            pull.reduceLimit(q.limit());
            LOG.warn("[{}] {} at {} events a page: asking for {} at a time until the answers fit", pull.name(), big.getMessage(),
                    q.limit(), Math.max(1, q.limit() / 2));
            return;
        }
        if (big.cursor() == null || big.cursor().equals(q.searchAfter())) {
            throw new IllegalStateException(big.getMessage() + " for a single event, and the answer gives no new cursor to go on after it");
        }
        String position = "the event after " + pull.positionOf(q);
        pull.skipOne(big.cursor());
        if (!pull.puller().firstQuarantine(big.cursor().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return; // set aside already: its window fetched again, or its second read again
        }
        quarantine.write(pull.puller().stateKey(), pull.name(), "too_large", position, big.bytes(), null, clock.instant());
        metrics.quarantined(pull.service(), pull.org(), "too_large");
        LOG.warn("[{}] Quarantined {}: {} for that one event; its bytes were not read. The pull goes on after it (its entry in {}).",
                pull.name(), position, big.getMessage(), quarantine.file(pull.puller().stateKey()).toAbsolutePath());
    }

    /** The pull failed: nothing after the checkpoint counts as sent, and the page's ids are forgotten. */
    public void failed(Exchange exchange) {
        Pull pull = pull(exchange);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (pull.page() != null) {
            // the page came and was not written: the Devo side failed
            metrics.devoFailed(e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        pull.fail();
        pull.closePipeline();
        int forgotten = pull.puller().rollback();
        if (e instanceof StateWriteException) {
            metrics.routeProblem(pull.service(), pull.org(), "the state file cannot be written: " + e.getMessage());
            LOG.error("[{}] The page was sent to Devo, but its state could not be saved: {}. The route asks JumpCloud for nothing "
                    + "new until the state file can be written (tried at each pull); its events are not sent again meanwhile, "
                    + "but a restart before then would send again what came after the last saved checkpoint.", pull.name(), e.getMessage());
            return;
        }
        if (e instanceof CursorLoopException) {
            metrics.routeProblem(pull.service(), pull.org(), describe(e));
        }
        if (e instanceof StoppingException) {
            LOG.info("[{}] Pull interrupted by shutdown: it resumes from the checkpoint {} at the next start", pull.name(),
                    pull.puller().state().lastPolledTimestamp());
            return;
        }
        LOG.error("[{}] {} The checkpoint stays at {}{}; the next pull starts from it.", pull.name(), describe(e),
                pull.puller().state().lastPolledTimestamp(),
                forgotten == 0 ? "" : " and the " + forgotten + " events of the failed page will be sent again");
    }

    /** Last step: the reference's statistics line, then when the next pull comes. */
    public void finish(Exchange exchange) {
        Pull pull = exchange.getProperty(PULL, Pull.class);
        if (pull == null) {
            return;
        }
        pull.closePipeline();
        pull.puller().seen().refetching(null);
        try {
            long duplicates = pull.puller().seen().duplicates() - pull.duplicatesAtStart();
            double secs = pull.elapsedSeconds();
            LOG.info("[{}] Statistics for this pull cycle (@devo_pulling_id={}):Number of requests made: {}; Number of events received: {}; "
                            + "Number of duplicated events filtered out: {}; Number of events generated and sent: {}; Average of events per second: {}.",
                    pull.name(), pull.pullingId(), pull.requests(), pull.received(), duplicates, pull.sent(),
                    String.format(Locale.ROOT, "%.3f", secs > 0 ? pull.sent() / secs : 0.0));
            if (tables.fallbackEvents() > 0) {
                LOG.info("[{}] Events routed to the fallback table {} since start (services without a table): {}",
                        pull.name(), tables.fallbackTable(), tables.fallbackEvents());
            }
            if (pull.recovered() > 0) {
                LOG.info("[{}] Events found missing by the count check and sent in this pull: {}", pull.name(), pull.recovered());
            }
            pull.puller().saveLedger();
            if (!pull.failed() && !pull.hasMorePages()) {
                metrics.pullSucceeded(pull.service(), pull.org());
                metrics.routeProblem(pull.service(), pull.org(), null);
                LOG.info("[{}] The data is up to date!", pull.name());
            } else if (!pull.failed()) {
                LOG.info("[{}] Pull interrupted by shutdown: it resumes from the checkpoint at the next start", pull.name());
            }
            // the timer counts the interval from the start of this pull (java.util.Timer fixed delay)
            double wait = Math.max(0, settings.pollIntervalMs() / 1000.0 - secs);
            LOG.info("[{}] Data collection completed. Elapsed time: {} seconds. Waiting for {} second(s) until the next one",
                    pull.name(), String.format(Locale.ROOT, "%.3f", secs), String.format(Locale.ROOT, "%.3f", wait));
        } finally {
            pull.puller().finished();
        }
    }

    private static Pull pull(Exchange exchange) {
        Pull pull = exchange.getProperty(PULL, Pull.class);
        if (pull == null) {
            throw new IllegalStateException("no pull in progress: call pulls.start first");
        }
        return pull;
    }

    private static Integer intHeader(Message m, String name) {
        String v = m.getHeader(name, String.class);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw new BadPageException(name + " is not a number: '" + v + "'");
        }
    }

    /** The X-Search_after header as the next request's search_after, or null when absent or empty. */
    public static JsonNode cursor(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(header);
            return n.isArray() && n.size() > 0 ? n : null;
        } catch (Exception e) {
            throw new BadPageException("X-Search_after is not a JSON array: '" + header + "'");
        }
    }

    /** A one-line reason with the reference's error code; never the API key (it is not in any of these). */
    static String describe(Exception e) {
        if (e instanceof GaveUpException g && g.getCause() instanceof Exception cause) {
            return code(cause) + ": " + reason(cause) + " (still failing after " + g.retries() + " retries).";
        }
        return code(e) + ": " + reason(e) + ".";
    }

    /** The reference collector's error code for a failed pull. */
    static String code(Exception e) {
        if (e instanceof CursorLoopException) {
            return "PullError 305";
        }
        if (e instanceof HttpOperationFailedException h) {
            return switch (h.getStatusCode()) {
                case 401 -> "PullError 301";
                case 403 -> "PullError 302";
                case 429 -> "PullError 304";
                default -> "PullError 303";
            };
        }
        return "PullError 300";
    }

    static String reason(Exception e) {
        if (e instanceof HttpOperationFailedException h) {
            String body = h.getResponseBody() == null ? "" : h.getResponseBody().replaceAll("\\s+", " ");
            if (body.length() > 300) {
                body = body.substring(0, 300) + "…";
            }
            String what = switch (h.getStatusCode()) {
                case 401 -> "JumpCloud refused the API key (HTTP 401, check jumpcloud.api-key and jumpcloud.org-id)";
                case 403 -> "the API key lacks permission (HTTP 403, use an administrator's key)";
                case 429 -> "JumpCloud is rate limiting (HTTP 429)";
                default -> "unexpected HTTP status " + h.getStatusCode() + " from JumpCloud";
            };
            return what + ": " + body;
        }
        if (e instanceof BadPageException || e instanceof CursorLoopException) {
            return e.getMessage();
        }
        return e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
