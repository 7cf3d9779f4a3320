package io.collector.jumpcloud.kamelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.source.BadPageException;
import io.collector.jumpcloud.source.EventPage;
import io.collector.jumpcloud.source.EventTimestamps;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of the {@code jumpcloud-insights-source} Kamelet (a local bean of each Kamelet route):
 * the query, and the X-Search_after cursor of the last event handed to the sink, kept in memory.
 * The next pull continues after that event, so each event is emitted once while the route runs; a
 * failed page moves nothing and is read again by the next pull.
 */
public class InsightsPager {
    /** Exchange property: whether the pull goes on with another page. */
    public static final String MORE = "jumpcloudMorePages";
    private static final Logger LOG = LoggerFactory.getLogger(InsightsPager.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private String apiKey;
    private String orgId;
    private String service = "all";
    private int pageSize = 10_000;
    private String startTime;

    private Instant start;          // the query's start_time, fixed once the first pull began
    private JsonNode cursor;        // X-Search_after of the last event emitted
    private JsonNode pageCursor;    // X-Search_after of the page being emitted
    private long emitted;

    public InsightsPager() {
        this(Clock.systemUTC());
    }

    InsightsPager(Clock clock) {
        this.clock = clock;
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    public void setOrgId(String orgId) {
        this.orgId = orgId;
    }

    public void setService(String service) {
        this.service = service;
    }

    public void setPageSize(int pageSize) {
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("pageSize must be 1..10000, not " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /** RFC 3339, e.g. 2026-01-31T23:00:00Z; empty: 24 hours before the first pull. */
    public void setStartTime(String startTime) {
        if (startTime != null && !startTime.isBlank()) {
            Instant.parse(startTime.trim()); // a wrong value fails when the route is created
        }
        this.startTime = startTime;
    }

    /** First step of a pull. */
    public void start(Exchange exchange) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("the apiKey property of jumpcloud-insights-source is empty");
        }
        if (start == null) {
            start = startTime == null || startTime.isBlank()
                    ? clock.instant().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS)
                    : Instant.parse(startTime.trim());
        }
        exchange.setProperty(MORE, true);
    }

    /** The next page's request: only these headers leave (camel-http sends every message header). */
    public void request(Exchange exchange) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("x-api-key", apiKey);
        if (orgId != null && !orgId.isBlank()) {
            m.setHeader("x-org-id", orgId.trim());
        }
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Accept", "application/json");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        ObjectNode q = JSON.createObjectNode();
        q.putArray("service").add(service);
        q.put("start_time", EventTimestamps.queryTime(start));
        q.put("limit", pageSize);
        q.put("sort", "ASC");
        if (cursor != null) {
            q.set("search_after", cursor);
        }
        m.setBody(q.toString());
    }

    /** Reads a page: the body becomes its events (split by the Kamelet), the cursor is kept aside. */
    public EventPage page(Exchange exchange) {
        Message m = exchange.getMessage();
        byte[] body = m.getBody(byte[].class);
        EventPage page = EventPage.parse(body == null ? new byte[0] : body, "all".equals(service) ? null : service);
        String count = m.getHeader("X-Result-Count", String.class);
        if (count != null && !count.isBlank() && Integer.parseInt(count.trim()) != page.size()) {
            throw new BadPageException("X-Result-Count says " + count.trim() + " events but the page holds " + page.size());
        }
        String limit = m.getHeader("X-Limit", String.class);
        int used = limit == null || limit.isBlank() ? pageSize : Integer.parseInt(limit.trim());
        pageCursor = page.size() == 0 ? null : io.collector.jumpcloud.source.PullCoordinator.cursor(m.getHeader("X-Search_after", String.class));
        boolean full = page.size() >= used;
        if (full && (pageCursor == null || pageCursor.equals(cursor))) {
            throw new BadPageException("a full page came without a new X-Search_after cursor: cannot page further safely");
        }
        exchange.setProperty(MORE, full);
        m.removeHeaders("*"); // JumpCloud's response headers are not the events'
        return page;
    }

    /** The page's events are all with the sink: the next request continues after them. */
    public void emitted(Exchange exchange, EventPage page) {
        if (pageCursor != null) {
            cursor = pageCursor;
        }
        emitted += page.size();
    }

    /** A request or page failed: one line (never the key), the cursor stays, the next pull retries. */
    public void failed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.setProperty(MORE, false);
        String what = e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.warn("[jumpcloud-insights-source {}] pull failed, the next one starts again from the last event emitted: {}", service, what);
    }

    /** Events handed to the sink since the route started. */
    public long emitted() {
        return emitted;
    }

    @Override
    public String toString() {
        return "InsightsPager[service=" + service + ", emitted=" + emitted + "]"; // never the key
    }
}
