package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.collector.jumpcloud.completeness.CountCheck.Shortfall;
import java.time.Instant;

/**
 * One pull cycle of one service: the query's start, the cursor of the page loop, and the figures
 * of the statistics line. Lives as long as the cycle: one poll of the route's jumpcloud: consumer.
 */
public final class Pull {
    private final RouteState puller;
    private final String pullingId;
    private Instant startTime;
    private Instant endTime;
    private final Instant mainEnd;
    private Shortfall refetching;
    private long recovered;
    private long recoveredAtWindowStart;
    private int shortWindows;
    private long lastProgressNanos = System.nanoTime();
    private final long startedNanos = System.nanoTime();
    private final long duplicatesAtStart;
    private JsonNode searchAfter;
    private boolean morePages = true;
    private boolean failed;
    private EventPage page;
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    private int retries;
    private long received;
    private long sent;
    private final PagingGuard paging = new PagingGuard();
    /** Events asked for at most while answers are too large (jumpcloud.max-page-bytes); 0 when not reduced. */
    private int limitCap;
    private String pagePosition = "";
    private Exception failure;

    Pull(RouteState puller, String pullingId, Instant startTime, Instant endTime, Instant mainEnd, long duplicatesAtStart) {
        this.puller = puller;
        this.pullingId = pullingId;
        this.startTime = startTime;
        this.endTime = endTime;
        this.mainEnd = mainEnd;
        this.duplicatesAtStart = duplicatesAtStart;
    }

    public boolean hasMorePages() {
        return morePages && !failed;
    }

    public String service() {
        return puller.service();
    }

    /** The organization (x-org-id), or null for a single-tenant key. */
    public String org() {
        return puller.org();
    }

    /** How the logs name this route: the service, and the organization when there is one. */
    public String name() {
        return puller.name();
    }

    RouteState puller() {
        return puller;
    }

    String pullingId() {
        return pullingId;
    }

    Instant startTime() {
        return startTime;
    }

    /** The query's end: now − lag for the main query, the window's end for a re-fetch; null = none. */
    Instant endTime() {
        return endTime;
    }

    /** The end_time of the pull's main query (everything before it was read). */
    Instant mainEnd() {
        return mainEnd;
    }

    /** The current query is the re-fetch of a window the count check found short (not the main query). */
    Shortfall refetching() {
        return refetching;
    }

    /**
     * Once the current query is done: a finished re-fetch leaves the pending list, and the next
     * pending one starts. False when none is left.
     */
    boolean nextRefetch(java.util.Deque<Shortfall> pending) {
        if (morePages || failed) {
            return false;
        }
        if (refetching != null) {
            pending.remove(refetching);
            refetching = null;
        }
        if (pending.isEmpty()) {
            return false;
        }
        refetching = pending.peek();
        recoveredAtWindowStart = recovered;
        startTime = Instant.ofEpochSecond(refetching.from());
        endTime = Instant.ofEpochSecond(refetching.to());
        searchAfter = null;
        morePages = true;
        paging.reset();
        return true;
    }

    /** The main query has nothing to read (the checkpoint is within the lag): the pull fetches count-check windows only. */
    void skipMainQuery() {
        morePages = false;
    }

    boolean queryDone() {
        return !morePages;
    }

    void recovered(int lines) {
        recovered += lines;
    }

    long recovered() {
        return recovered;
    }

    long recoveredAtWindowStart() {
        return recoveredAtWindowStart;
    }

    void countChecked(int windowsShort) {
        shortWindows += windowsShort;
    }

    long lastProgressNanos() {
        return lastProgressNanos;
    }

    void progressLogged(long nanos) {
        lastProgressNanos = nanos;
    }

    int shortWindows() {
        return shortWindows;
    }

    JsonNode searchAfter() {
        return searchAfter;
    }

    /** True when the last request brought a page to deliver (false while a failed request is retried). */
    public boolean hasPage() {
        return page != null;
    }

    /** The request of the query's current position: where the query starts, or after the last page's cursor. */
    PageQuery query(int pageSize) {
        // the route's very first page is a small one: a start shows its first events in Devo within
        // seconds (10,000 events through code the JVM has not compiled yet take a second or more)
        int limit = puller.firstPageDelivered() ? pageSize : Math.min(pageSize, FIRST_PAGE);
        boolean reduced = limitCap > 0 && limitCap < limit;
        return new PageQuery(puller.service(), puller.org(), startTime, endTime, refetching != null, searchAfter,
                reduced ? limitCap : limit, reduced);
    }

    /** The size of a route's first page after the start. */
    static final int FIRST_PAGE = 100;

    /** A request left (asked for now, or ahead from a page request's thread). */
    void issued() {
        requests.incrementAndGet();
    }

    /** The loop waits for its next page: until it comes, there is none to deliver. */
    void awaitingPage() {
        page = null;
    }

    int retried() {
        return ++retries;
    }


    /** Checks that the paging moves forward before the page is taken ({@link PagingGuard}). */
    void checkProgress(EventPage page, JsonNode cursor, boolean more) {
        paging.check(page, cursor, more);
    }

    private static String abbreviate(String s) {
        return PagingGuard.abbreviate(s);
    }

    /** The answer was too large at {@code limit} events: ask for half as many (the caller handles 1). */
    void reduceLimit(int limit) {
        limitCap = Math.max(1, limit / 2);
    }

    /** The one event after the current position is larger than jumpcloud.max-page-bytes: go on after it. */
    void skipOne(JsonNode cursor) {
        paging.skipped(cursor);
        searchAfter = cursor;
        morePages = true;
        retries = 0;
        limitCap = 2; // the events after it are likely of ordinary size: back up step by step
    }

    /** Where the page being delivered was asked for, as the quarantine file and the log say it. */
    String pagePosition() {
        return pagePosition;
    }

    /** A request's position in words: its query, and the cursor it asked after. */
    String positionOf(PageQuery q) {
        return "the " + (q.window() ? "count check's window" : "query") + " from start_time " + EventTimestamps.queryTime(q.start())
                + (q.searchAfter() == null ? " (its first page)" : " after cursor " + abbreviate(q.searchAfter().toString()));
    }

    void nextPage(EventPage page, JsonNode cursor, boolean more) {
        pagePosition = "the page of the " + (refetching != null ? "count check's window" : "query") + " from start_time "
                + EventTimestamps.queryTime(startTime) + (searchAfter == null ? " (its first page)" : " after cursor "
                + abbreviate(searchAfter.toString()));
        paging.taken(page, cursor, more);
        if (limitCap > 0) {
            limitCap = limitCap >= 1 << 20 ? 0 : limitCap * 2; // a page came: ask for more again, step by step
        }
        this.retries = 0;
        this.page = page;
        this.received += page.size();
        this.searchAfter = cursor;
        this.morePages = more;
    }

    EventPage page() {
        return page;
    }

    void delivered(int lines) {
        sent += lines;
        page = null;
    }

    void fail() {
        failed = true;
        morePages = false;
    }

    /** The page's route failed, or its commit did: the pull ends with {@code e}. */
    void failWith(Exception e) {
        if (failure == null) {
            failure = e;
        }
    }

    /** Why the last page did not complete, or null. */
    Exception failure() {
        return failure;
    }

    boolean failed() {
        return failed;
    }

    int requests() {
        return requests.get();
    }

    long received() {
        return received;
    }

    long sent() {
        return sent;
    }

    long duplicatesAtStart() {
        return duplicatesAtStart;
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
