package io.collector.jumpcloud.source;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One Directory Insights event: the few fields the collector needs, plus a view of the exact bytes
 * JumpCloud sent, so the event reaches Devo byte for byte without being re-serialised.
 */
public final class DiEvent {
    private final byte[] source;
    private final int offset;
    private final int length;
    private final String id;
    private final Instant timestamp;
    private final String service;

    DiEvent(byte[] source, int offset, int length, String id, Instant timestamp, String service) {
        this.source = source;
        this.offset = offset;
        this.length = length;
        this.id = id;
        this.timestamp = timestamp;
        this.service = service;
    }

    public String getId() {
        return id;
    }

    public Instant getTimestamp() {
        return timestamp;
    }

    /** The event's own {@code service} field, or the pulled service when the event has none. */
    public String getService() {
        return service;
    }

    /** The event as JumpCloud sent it: compact JSON on one line. */
    public String getJson() {
        return new String(source, offset, length, StandardCharsets.UTF_8);
    }

    /** Length in bytes of the event's JSON as JumpCloud sent it. */
    public int jsonLength() {
        return length;
    }

    /**
     * Whether the event's bytes can go to Devo as they are: plain ASCII (then the bytes are exactly
     * what {@link #getJson()} would encode back) with no line break (a pretty-printed event would
     * break the one-line framing). Anything else takes the String path, as before.
     */
    public boolean isPlainOneLineAscii() {
        byte[] b = source;
        for (int i = offset, end = offset + length; i < end; i++) {
            int c = b[i];
            if (c < 0 || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    /** Copies the event's JSON bytes into {@code dst} at {@code at}; returns the position after them. */
    public int copyJsonTo(byte[] dst, int at) {
        System.arraycopy(source, offset, dst, at, length);
        return at + length;
    }

    /** Appends the raw JSON to a line being built, without an intermediate String. */
    public void appendJsonTo(java.io.ByteArrayOutputStream out) {
        out.write(source, offset, length);
    }

    @Override
    public String toString() {
        return getJson();
    }
}
