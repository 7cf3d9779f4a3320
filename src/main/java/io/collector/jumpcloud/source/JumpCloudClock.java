package io.collector.jumpcloud.source;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JumpCloud's own "now", from the {@code Date} header of its answers: a machine whose clock runs
 * ahead of JumpCloud's by more than the lag would otherwise ask for (and close count-check windows
 * on) seconds JumpCloud has not indexed yet, and lose late events without a word. The offset is
 * applied once it exceeds the header's one-second resolution; above {@value #WARN_SECONDS} s it is
 * said in the log (at most hourly).
 */
public final class JumpCloudClock {
    private static final Logger LOG = LoggerFactory.getLogger(JumpCloudClock.class);
    static final long WARN_SECONDS = 5;
    private static final long RESOLUTION_MS = 1500;

    private final Clock local;
    private volatile long offsetMs;
    private volatile long lastWarnMs;
    private volatile Parsed lastParsed;

    private record Parsed(String header, Instant instant) {
    }

    public JumpCloudClock(Clock local) {
        this.local = local;
    }

    /** JumpCloud's now, as far as its last answer told. */
    public Instant now() {
        Instant t = local.instant();
        long o = offsetMs;
        return Math.abs(o) < RESOLUTION_MS ? t : t.plusMillis(o);
    }

    /** The local clock minus JumpCloud's, in milliseconds (positive: this machine is ahead). */
    public long skewMs() {
        return -offsetMs;
    }

    /** An answer's {@code Date} header, received now. */
    public void observe(String dateHeader) {
        observe(dateHeader, local.instant());
    }

    /**
     * An answer's {@code Date} header (RFC 1123, whole seconds), received at local time {@code receivedAt}.
     * Unreadable or absent headers change nothing.
     */
    public void observe(String dateHeader, Instant receivedAt) {
        if (dateHeader == null || dateHeader.isBlank()) {
            return;
        }
        Instant server;
        Parsed last = lastParsed;
        if (last != null && last.header.equals(dateHeader)) {
            server = last.instant; // answers of the same second: parsed once (many routes ask many times a second)
        } else {
            try {
                server = ZonedDateTime.parse(dateHeader.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                return;
            }
            lastParsed = new Parsed(dateHeader, server);
        }
        // the header truncates to the second: JumpCloud's time was within [server, server + 1 s)
        long offset = server.toEpochMilli() + 500 - receivedAt.toEpochMilli();
        offsetMs = offset;
        if (Math.abs(offset) > WARN_SECONDS * 1000) {
            long nowMs = System.currentTimeMillis();
            if (nowMs - lastWarnMs > Duration.ofHours(1).toMillis()) {
                lastWarnMs = nowMs;
                LOG.warn("This machine's clock is {} s {} JumpCloud's (its Date header): queries and the count check follow "
                        + "JumpCloud's time; set up NTP on this machine", Math.round(Math.abs(offset) / 1000.0), offset < 0 ? "ahead of" : "behind");
            }
        }
    }
}
