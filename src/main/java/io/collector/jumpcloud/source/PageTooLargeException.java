package io.collector.jumpcloud.source;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An answer larger than jumpcloud.max-page-bytes: never read whole (a 1.5 GB Content-Length or an
 * endless body would end the JVM). The pull asks again for half as many events; one event alone
 * above the cap is quarantined and skipped with the answer's cursor.
 */
public final class PageTooLargeException extends java.io.IOException {
    private final long bytes;
    private final long cap;
    private transient PageQuery query;
    private transient JsonNode cursor;

    /** @param bytes what was read before the cap was passed (its Content-Length when {@code announced}) */
    PageTooLargeException(long bytes, long cap, boolean announced) {
        super("an answer of " + (announced ? "" : "more than ") + human(bytes) + " is larger than jumpcloud.max-page-bytes ("
                + human(cap) + ")");
        this.bytes = bytes;
        this.cap = cap;
    }

    /** The request it answered, and the cursor its headers gave (null if none). */
    PageTooLargeException answering(PageQuery query, JsonNode cursor) {
        this.query = query;
        this.cursor = cursor;
        return this;
    }

    PageQuery query() {
        return query;
    }

    JsonNode cursor() {
        return cursor;
    }

    long bytes() {
        return bytes;
    }

    static String human(long bytes) {
        return bytes >= 1 << 20 ? String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0) : bytes + " bytes";
    }
}
