package io.collector.jumpcloud.devo;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The syslog line Devo's relay expects, as Devo's own SDKs write it:
 * {@code <14>Mmm dd HH:mm:ss HOST TABLE: PAYLOAD}. PRI 14 is facility user, severity info; the
 * timestamp is the sending time in UTC (Devo keeps its own reception time, the event's own time
 * stays in the JSON); the tag is the Devo table.
 */
public final class DevoLineFormat {
    private static final DateTimeFormatter RFC3164 = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private final String hostname;
    private final Clock clock;
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedHeaderTime;

    public DevoLineFormat(String hostname, Clock clock) {
        this.hostname = hostname;
        this.clock = clock;
    }

    /** Appends one line, without its LF, to {@code out}. */
    public void append(StringBuilder out, String table, CharSequence json) {
        out.append("<14>").append(headerTime()).append(' ').append(hostname).append(' ')
                .append(table).append(": ").append(json);
    }

    public String line(String table, CharSequence json) {
        StringBuilder sb = new StringBuilder(json.length() + 80);
        append(sb, table, json);
        return sb.toString();
    }

    /**
     * The line up to the payload, {@code <14>Mmm dd HH:mm:ss HOST TABLE: }, as UTF-8 bytes: what
     * {@link #append} writes before the JSON. Cached per table within the current second, so a page
     * of lines costs one small array per table and second, not one String per line.
     */
    public byte[] prefix(String table) {
        String time = headerTime();
        synchronized (this) {
            if (!time.equals(prefixTime)) {
                prefixTime = time;
                prefixes.clear();
            }
            byte[] p = prefixes.get(table);
            if (p == null) {
                p = ("<14>" + time + ' ' + hostname + ' ' + table + ": ").getBytes(StandardCharsets.UTF_8);
                prefixes.put(table, p);
            }
            return p;
        }
    }

    private String prefixTime;
    private final java.util.Map<String, byte[]> prefixes = new java.util.HashMap<>();

    private synchronized String headerTime() {
        long now = clock.millis() / 1000;
        if (now != cachedSecond) {
            cachedSecond = now;
            cachedHeaderTime = RFC3164.format(java.time.Instant.ofEpochSecond(now).atOffset(ZoneOffset.UTC));
        }
        return cachedHeaderTime;
    }
}
