package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.dedup.EventIdRepository;
import io.collector.jumpcloud.devo.DevoLines;
import io.collector.jumpcloud.devo.DevoTables;
import io.collector.jumpcloud.state.ServiceState;
import io.collector.jumpcloud.state.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
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
    private static final Logger LOG = LoggerFactory.getLogger(PullCoordinator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CollectorSettings settings;
    private final StateStore store;
    private final EventIdRepository ids;
    private final Clock clock;
    private final RetryPolicy retry;
    private final DevoTables tables;
    private final Map<String, ServicePuller> pullers = new ConcurrentHashMap<>();

    public PullCoordinator(CollectorSettings settings, StateStore store, EventIdRepository ids, DevoTables tables, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.ids = ids;
        this.clock = clock;
        this.tables = tables;
        this.retry = new RetryPolicy(settings.maxRetries(), settings.retryDelayMs(), settings.retryMaxDelayMs());
    }

    private ServicePuller puller(String service) {
        return pullers.computeIfAbsent(service, s -> new ServicePuller(s, s, store, ids.partition(s), settings.historicDate()));
    }

    /** Reads the persisted state of every configured service, so a bad state file fails the start. */
    public void loadStates() {
        settings.services().forEach(s -> puller(s).state());
    }

    /** First step of a pull: where to start, and the pull's bookkeeping in exchange property {@code pull}. */
    public void start(Exchange exchange, String service) {
        ServicePuller p = puller(service);
        if (!p.tryStart()) {
            LOG.warn("[{}] The previous pull is still running: skipping this one", service);
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
        Instant start = s.lastPolledTimestamp();
        Instant now = clock.instant();
        if (start.isAfter(now)) {
            // JumpCloud rejects a start_time in the future (an event stamped ahead of our clock).
            start = now;
        }
        Pull pull = new Pull(p, UUID.randomUUID().toString(), start, p.seen().duplicates());
        exchange.setProperty(PULL, pull);
        exchange.setProperty(EventIdRepository.PARTITION, p.stateKey());
        LOG.info("[{}] Pull Started (@devo_pulling_id={}) from start_time {}", service, pull.pullingId(), EventTimestamps.queryTime(start));
    }

    /**
     * Makes the request of the next page. All headers are removed first: camel-http sends every
     * message header, including the previous response's, and nothing but these three must leave.
     */
    public void request(Exchange exchange) {
        Pull pull = pull(exchange);
        pull.request();
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("x-api-key", settings.apiKey());
        settings.orgId().ifPresent(org -> m.setHeader("x-org-id", org));
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Accept", "application/json");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        ObjectNode q = JSON.createObjectNode();
        q.putArray("service").add(pull.service());
        q.put("start_time", EventTimestamps.queryTime(pull.startTime()));
        q.put("limit", settings.pageSize());
        q.put("sort", "ASC");
        if (pull.searchAfter() != null) {
            q.set("search_after", pull.searchAfter());
        }
        m.setBody(q.toString());
    }

    /** Reads a page: checks it, remembers the cursor, and leaves the page's events as the body. */
    public void page(Exchange exchange) {
        Pull pull = pull(exchange);
        Message m = exchange.getMessage();
        byte[] body = m.getBody(byte[].class);
        if (body == null) {
            body = new byte[0];
        }
        String defaultService = "all".equals(pull.service()) ? null : pull.service();
        EventPage page = EventPage.parse(body, defaultService);
        Integer resultCount = intHeader(m, "X-Result-Count");
        Integer limit = intHeader(m, "X-Limit");
        if (resultCount != null && resultCount != page.size()) {
            throw new BadPageException("X-Result-Count says " + resultCount + " events but the page holds " + page.size());
        }
        int usedLimit = limit != null ? limit : settings.pageSize();
        JsonNode cursor = cursor(m.getHeader("X-Search_after", String.class));
        boolean full = page.size() > 0 && page.size() >= usedLimit;
        if (full && (cursor == null || cursor.equals(pull.searchAfter()))) {
            throw new BadPageException("a full page came without a new X-Search_after cursor: cannot page further safely");
        }
        pull.nextPage(page, cursor, full);
        m.removeHeaders("*");
        m.setBody(page);
        LOG.info("[{}] Number of {} events received: {}", pull.service(), pull.service(), page.size());
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
        ServiceState s = pull.puller().commit(page, clock.instant());
        pull.delivered(lines);
        LOG.info("[{}] Number of {} events sent to Devo: {} ({} duplicates removed). State last_polled_timestamp is updated: {}",
                pull.service(), pull.service(), lines, page.size() - lines, s.lastPolledTimestamp());
        LOG.debug("[{}] Saved state: {}", pull.service(), pull.puller().describe(s));
    }

    /**
     * A request or its page failed. A 429, a 5xx, a network error or a broken page is retried: after
     * JumpCloud's Retry-After when it gives one, otherwise after an exponential backoff with jitter.
     * Anything else (401, 403, 400), or the last retry, ends the pull with its error code.
     */
    public void retryOrFail(Exchange exchange) throws Exception {
        Pull pull = pull(exchange);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (!RetryPolicy.retryable(e)) {
            throw e;
        }
        int attempt = pull.retried();
        if (attempt > retry.maxRetries()) {
            throw new GaveUpException(attempt - 1, e);
        }
        long delay = retry.delayMillis(attempt, e, clock.instant());
        LOG.warn("[{}] Request failed, retry {} of {} in {} s: {}", pull.service(), attempt, retry.maxRetries(),
                String.format(Locale.ROOT, "%.1f", delay / 1000.0), reason(e));
        long end = System.nanoTime() + delay * 1_000_000;
        while (System.nanoTime() < end) {
            if (exchange.getContext().isStopping()) {
                throw new GaveUpException(attempt - 1, e); // shutting down: the checkpoint is where it was
            }
            Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    /** The pull failed: nothing after the checkpoint counts as sent, and the page's ids are forgotten. */
    public void failed(Exchange exchange) {
        Pull pull = pull(exchange);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        pull.fail();
        int forgotten = pull.puller().rollback();
        LOG.error("[{}] {} The checkpoint stays at {}{}; the next pull starts from it.", pull.service(), describe(e),
                pull.puller().state().lastPolledTimestamp(),
                forgotten == 0 ? "" : " and the " + forgotten + " events of the failed page will be sent again");
    }

    /** Last step: the reference's statistics line, then when the next pull comes. */
    public void finish(Exchange exchange) {
        Pull pull = exchange.getProperty(PULL, Pull.class);
        if (pull == null) {
            return;
        }
        try {
            long duplicates = pull.puller().seen().duplicates() - pull.duplicatesAtStart();
            double secs = pull.elapsedSeconds();
            LOG.info("[{}] Statistics for this pull cycle (@devo_pulling_id={}):Number of requests made: {}; Number of events received: {}; "
                            + "Number of duplicated events filtered out: {}; Number of events generated and sent: {}; Average of events per second: {}.",
                    pull.service(), pull.pullingId(), pull.requests(), pull.received(), duplicates, pull.sent(),
                    String.format(Locale.ROOT, "%.3f", secs > 0 ? pull.sent() / secs : 0.0));
            if (tables.fallbackEvents() > 0) {
                LOG.info("[{}] Events routed to the fallback table {} since start (services without a table): {}",
                        pull.service(), tables.fallbackTable(), tables.fallbackEvents());
            }
            if (!pull.failed() && !pull.hasMorePages()) {
                LOG.info("[{}] The data is up to date!", pull.service());
            } else if (!pull.failed()) {
                LOG.info("[{}] Pull interrupted by shutdown: it resumes from the checkpoint at the next start", pull.service());
            }
            // the timer counts the interval from the start of this pull (java.util.Timer fixed delay)
            double wait = Math.max(0, settings.pollIntervalMs() / 1000.0 - secs);
            LOG.info("[{}] Data collection completed. Elapsed time: {} seconds. Waiting for {} second(s) until the next one",
                    pull.service(), String.format(Locale.ROOT, "%.3f", secs), String.format(Locale.ROOT, "%.3f", wait));
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

    private static JsonNode cursor(String header) {
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
        if (e instanceof BadPageException) {
            return e.getMessage();
        }
        return e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
