package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collector.jumpcloud.observe.CollectorMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * The page requests of one pull: the request of a page, the check of its answer, and the requests
 * asked for ahead ({@link PagePipeline}: the request of page k+1 leaves when page k's headers came,
 * so JumpCloud's answer time, the transfer and the delivery overlap). A page is checked whole before
 * anything of it is delivered: complete JSON, X-Result-Count, a new cursor for a full page. The body
 * is read once, never beyond jumpcloud.max-page-bytes.
 */
final class PageFetcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JumpCloudClient client;
    private final PagePipeline pipeline;
    private final ExecutorService threads;
    private final long maxPageBytes;
    private final int pageSize;
    private final BooleanSupplier stopping;
    private final Pull pull;
    private final CollectorMetrics metrics;

    PageFetcher(JumpCloudClient client, PageMemory memory, ExecutorService threads, long maxPageBytes, int pageSize,
                BooleanSupplier stopping, Pull pull, CollectorMetrics metrics) {
        this.client = client;
        this.threads = threads;
        this.maxPageBytes = maxPageBytes;
        this.pageSize = pageSize;
        this.stopping = stopping;
        this.pull = pull;
        this.metrics = metrics;
        this.pipeline = new PagePipeline(memory, slot -> {
            pull.issued();
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return fetch(slot);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, threads);
        });
    }

    /** The page at the pull's position: asked for ahead, or now; a failed request throws its failure. */
    FetchedPage next() throws Exception {
        return pipeline.take(pull.query(pageSize), stopping);
    }

    /** The page being delivered is delivered: its memory may serve the pages after it. */
    void delivered() {
        pipeline.delivered();
    }

    /** Nothing more is asked for; every page place is freed. */
    void close() {
        pipeline.close();
    }

    /** One request and its answer, on a page request thread. */
    private FetchedPage fetch(PageSlot slot) throws Exception {
        PageQuery q = slot.query;
        if (!pipeline.acquirePlace(slot, stopping)) {
            throw new StoppingException(); // the pull no longer waits for it
        }
        JumpCloudClient.Answer answer;
        try {
            answer = client.post(JumpCloudClient.EVENTS, q.org(), body(q), stopping);
        } catch (JumpCloudHttpException e) {
            metrics.apiRequest(pull.service(), pull.org(), "events", Integer.toString(e.status()));
            throw e;
        } catch (java.io.IOException e) {
            metrics.apiRequest(pull.service(), pull.org(), "events", "error");
            throw e;
        }
        try {
            FetchedPage page = read(slot, q, answer);
            answer.close(); // read to its end: the connection serves the next request
            metrics.apiRequest(pull.service(), pull.org(), "events", "200");
            return page;
        } catch (Exception e) {
            answer.abort(); // not read to its end: its connection is closed, not drained
            if (e instanceof java.io.IOException && !(e instanceof PageTooLargeException) && answer.cutBecause() != null) {
                throw new java.io.IOException(answer.cutBecause(), e);
            }
            throw e;
        }
    }

    private FetchedPage read(PageSlot slot, PageQuery q, JumpCloudClient.Answer answer) throws Exception {
        Integer resultCount = intHeader(answer, "X-Result-Count");
        Integer limit = intHeader(answer, "X-Limit");
        int usedLimit = limit != null ? limit : q.limit();
        JsonNode cursor = cursor(answer.header("X-Search_after"));
        long length = answer.contentLength();
        // the headers announce a full page and its cursor: the next request can leave before this body is read
        // (not while answers are too large: one at a time then)
        boolean fullAhead = !q.reduced() && resultCount != null && resultCount >= usedLimit && cursor != null
                && !cursor.equals(q.searchAfter()) && length <= maxPageBytes;
        pipeline.headers(slot, fullAhead ? q.after(cursor, pageSize) : null);
        PageBody body;
        try {
            body = slot.read(answer.body(), length, maxPageBytes, stopping);
        } catch (PageTooLargeException e) {
            throw e.answering(q, cursor);
        }
        // a request for several organizations: each event's own says which of their checkpoints it is under
        // never more elements than asked for (the answer's own X-Limit is not trusted for that)
        EventPage page = EventPage.parse(body, "all".equals(q.service()) ? null : q.service(), q.org() != null && q.org().indexOf(',') >= 0,
                q.limit());
        if (resultCount != null && resultCount != page.elements()) {
            throw new BadPageException("X-Result-Count says " + resultCount + " events but the page holds " + page.elements());
        }
        boolean full = page.elements() > 0 && page.elements() >= usedLimit;
        if (full && (cursor == null || cursor.equals(q.searchAfter()))) {
            throw new BadPageException("a full page came without a new X-Search_after cursor: cannot page further safely");
        }
        return new FetchedPage(page, cursor, full);
    }

    /** The query as JumpCloud's events endpoint takes it. */
    static String body(PageQuery q) {
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
        return body.toString();
    }

    private static Integer intHeader(JumpCloudClient.Answer a, String name) {
        String v = a.header(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw new BadPageException(name + " is not a number: '" + io.collector.jumpcloud.observe.LogSafe.text(v, 40) + "'");
        }
    }

    /** A JumpCloud cursor is the last event's sort values: a timestamp and an id, tens of characters. */
    static final int MAX_CURSOR_CHARS = 4096;

    /** The X-Search_after header as the next request's search_after, or null when absent or empty. */
    static JsonNode cursor(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        if (header.length() > MAX_CURSOR_CHARS) {
            // it would be stored in the state and sent back with every request of the pull
            throw new BadPageException("X-Search_after of " + header.length() + " characters is longer than a JumpCloud cursor (at most "
                    + MAX_CURSOR_CHARS + "): '" + io.collector.jumpcloud.observe.LogSafe.text(header, 80) + "'");
        }
        try {
            JsonNode n = JSON.readTree(header);
            return n.isArray() && n.size() > 0 ? n : null;
        } catch (Exception e) {
            throw new BadPageException("X-Search_after is not a JSON array: '" + io.collector.jumpcloud.observe.LogSafe.text(header, 80) + "'");
        }
    }
}
