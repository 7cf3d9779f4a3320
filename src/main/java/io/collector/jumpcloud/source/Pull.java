package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One pull cycle of one service: the query's start, the cursor of the page loop, and the figures
 * of the statistics line. Lives in the exchange property {@code pull} for the length of the cycle.
 */
public final class Pull {
    private final ServicePuller puller;
    private final String pullingId;
    private final Instant startTime;
    private final long startedNanos = System.nanoTime();
    private final long duplicatesAtStart;
    private JsonNode searchAfter;
    private boolean morePages = true;
    private boolean failed;
    private EventPage page;
    private int requests;
    private int retries;
    private long received;
    private long sent;

    Pull(ServicePuller puller, String pullingId, Instant startTime, long duplicatesAtStart) {
        this.puller = puller;
        this.pullingId = pullingId;
        this.startTime = startTime;
        this.duplicatesAtStart = duplicatesAtStart;
    }

    public boolean hasMorePages() {
        return morePages && !failed;
    }

    public String service() {
        return puller.service();
    }

    ServicePuller puller() {
        return puller;
    }

    String pullingId() {
        return pullingId;
    }

    Instant startTime() {
        return startTime;
    }

    JsonNode searchAfter() {
        return searchAfter;
    }

    /** True when the last request brought a page to deliver (false while a failed request is retried). */
    public boolean hasPage() {
        return page != null;
    }

    void request() {
        requests++;
        page = null;
    }

    int retried() {
        return ++retries;
    }

    void nextPage(EventPage page, JsonNode cursor, boolean more) {
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

    boolean failed() {
        return failed;
    }

    int requests() {
        return requests;
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
