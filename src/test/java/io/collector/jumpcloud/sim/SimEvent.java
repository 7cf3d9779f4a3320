package io.collector.jumpcloud.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * One event as the simulator stores it. {@code raw} is served byte-for-byte; the other fields are
 * read from it once so queries never re-parse JSON.
 *
 * <p>The sort key is (timestamp truncated to epoch millis, tieBreaker), as inferred for the real
 * Elasticsearch-backed API: inside one millisecond the order is by the opaque tie-breaker, not by the
 * sub-millisecond part of the timestamp.
 */
public record SimEvent(String raw, String id, Instant timestamp, String service, String organization,
                       String tieBreaker, Instant visibleAt) {

    /** Ascending API order. */
    public static final Comparator<SimEvent> SORT_ORDER =
            Comparator.comparingLong(SimEvent::epochMillis).thenComparing(SimEvent::tieBreaker);

    private static final JsonFactory JSON = new JsonFactory();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    // RFC 3339 date-time: seconds required, 0-9 fraction digits, Z or a numeric offset.
    private static final Pattern RFC3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    public SimEvent {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(tieBreaker, "tieBreaker");
        if (visibleAt == null) {
            visibleAt = Instant.MIN;
        }
    }

    /** Parses an event that is visible at once. */
    public static SimEvent of(String raw) {
        return of(raw, Instant.MIN);
    }

    /**
     * Parses the top-level {@code id}, {@code timestamp}, {@code service} and {@code organization}
     * with the streaming parser (cheap even for 76 kB MDM events) and draws a fresh tie-breaker.
     *
     * @throws IllegalArgumentException if raw is not a JSON object or has no valid timestamp
     */
    public static SimEvent of(String raw, Instant visibleAt) {
        String text = raw.strip();
        String id = null;
        String ts = null;
        String service = null;
        String org = null;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("event is not a JSON object: " + abbreviate(text));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    switch (name) {
                        case "id" -> id = p.getText();
                        case "timestamp" -> ts = p.getText();
                        case "service" -> service = p.getText();
                        case "organization" -> org = p.getText();
                        default -> { }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("event is not valid JSON: " + abbreviate(text), e);
        }
        if (ts == null) {
            throw new IllegalArgumentException("event has no string timestamp: " + abbreviate(text));
        }
        return new SimEvent(text, id, parseRfc3339(ts), service, org, newTieBreaker(), visibleAt);
    }

    /** A copy that becomes visible to queries only at {@code when} (late indexing). */
    public SimEvent withVisibleAt(Instant when) {
        return new SimEvent(raw, id, timestamp, service, organization, tieBreaker, when);
    }

    /** First element of the cursor: the timestamp truncated (floored) to epoch milliseconds. */
    public long epochMillis() {
        return timestamp.toEpochMilli();
    }

    /** The {@code X-Search_after} value that points at this event: {@code [millis,"tieBreaker"]}. */
    public String searchAfter() {
        return "[" + epochMillis() + ",\"" + tieBreaker + "\"]";
    }

    /** Compares this event's sort key with a cursor key (ascending sense). */
    public int compareToKey(long millis, String tb) {
        int c = Long.compare(epochMillis(), millis);
        return c != 0 ? c : tieBreaker.compareTo(tb);
    }

    /** 20 characters of base64url from 15 random bytes, like an Elasticsearch _id. */
    public static String newTieBreaker() {
        byte[] b = new byte[15];
        ThreadLocalRandom.current().nextBytes(b);
        return B64URL.encodeToString(b);
    }

    /** True if s is an RFC 3339 date-time (with seconds, 0-9 fraction digits, Z or +hh:mm). */
    public static boolean isRfc3339(String s) {
        return s != null && RFC3339.matcher(s).matches();
    }

    /**
     * Parses an RFC 3339 date-time to an instant with nanosecond precision.
     *
     * @throws IllegalArgumentException if s is not RFC 3339
     */
    public static Instant parseRfc3339(String s) {
        if (!isRfc3339(s)) {
            throw new IllegalArgumentException("not an RFC 3339 date-time: " + s);
        }
        try {
            return OffsetDateTime.parse(s.toUpperCase(java.util.Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("not an RFC 3339 date-time: " + s, e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
