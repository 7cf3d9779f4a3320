package io.collector.jumpcloud.source;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JumpCloud's own "now", from the {@code Date} header of its answers: a machine whose clock runs
 * ahead of JumpCloud's by more than the lag would otherwise ask for (and close count-check windows
 * on) seconds JumpCloud has not indexed yet, and lose late events without a word. The offset is
 * applied once it exceeds the header's one-second resolution; above {@value #WARN_SECONDS} s it is
 * said in the log (at most hourly).
 * <p>
 * Between answers the time runs on the monotonic clock from the last one, not on the wall clock: a
 * wall clock stepped back (NTP, a VM restored) would otherwise put JumpCloud's now behind every
 * checkpoint, so no route would ask anything, and no answer would come to correct it; one stepped
 * forward would read into the lag and close count-check windows in the future. Only a successful
 * answer's header counts (a proxy's error page carries the proxy's clock), and one dated before
 * {@link #EARLIEST} cannot be JumpCloud's now.
 */
public final class JumpCloudClock {
    private static final Logger LOG = LoggerFactory.getLogger(JumpCloudClock.class);
    static final long WARN_SECONDS = 5;
    private static final long RESOLUTION_MS = 1500;
    /** Before this collector was written: a Date header this old is broken, not JumpCloud's time. */
    static final Instant EARLIEST = Instant.parse("2025-01-01T00:00:00Z");

    private final Clock local;
    private final LongSupplier monotonicNanos;
    private volatile Anchor anchor;
    private volatile long lastWarnMs;
    private volatile Parsed lastParsed;

    private record Parsed(String header, Instant instant) {
    }

    /** JumpCloud's time in epoch milliseconds at a reading of the monotonic clock. */
    private record Anchor(long epochMs, long nanos) {
    }

    public JumpCloudClock(Clock local) {
        this(local, System::nanoTime);
    }

    JumpCloudClock(Clock local, LongSupplier monotonicNanos) {
        this.local = local;
        this.monotonicNanos = monotonicNanos;
    }

    /** JumpCloud's now, as far as its last answer told (this machine's clock before the first). */
    public Instant now() {
        Anchor a = anchor;
        if (a == null) {
            return local.instant();
        }
        return Instant.ofEpochMilli(a.epochMs + (monotonicNanos.getAsLong() - a.nanos) / 1_000_000);
    }

    /** The local clock minus JumpCloud's, in milliseconds (positive: this machine is ahead). */
    public long skewMs() {
        return local.millis() - now().toEpochMilli();
    }

    /** A successful answer's {@code Date} header, received now. */
    public void observe(String dateHeader) {
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
            if (server.isBefore(EARLIEST)) {
                return;
            }
            lastParsed = new Parsed(dateHeader, server);
        }
        long nanos = monotonicNanos.getAsLong();
        long receivedAt = local.millis();
        // the header truncates to the second: JumpCloud's time was within [server, server + 1 s)
        long offset = server.toEpochMilli() + 500 - receivedAt;
        anchor = new Anchor(Math.abs(offset) < RESOLUTION_MS ? receivedAt : receivedAt + offset, nanos);
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
