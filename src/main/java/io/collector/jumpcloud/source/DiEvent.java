package io.collector.jumpcloud.source;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One Directory Insights event: the few fields the collector needs, plus a view of the exact bytes
 * JumpCloud sent, so the event reaches Devo byte for byte without being re-serialised.
 */
public final class DiEvent {
    private final PageBody page;
    private final int generation;
    private final int offset;
    private final int length;
    private final String id;
    private final Instant timestamp;
    private final String service;
    private final String organization;

    DiEvent(PageBody page, int offset, int length, String id, Instant timestamp, String service, String organization) {
        this.page = page;
        this.generation = page.generation();
        this.offset = offset;
        this.length = length;
        this.id = id;
        this.timestamp = timestamp;
        this.service = service;
        this.organization = organization;
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

    /** The event's {@code organization} field where a route of several organizations read it, else null. */
    public String getOrganization() {
        return organization;
    }

    /** The event as JumpCloud sent it: compact JSON on one line. */
    public String getJson() {
        return new String(source(), offset, length, StandardCharsets.UTF_8);
    }

    /**
     * The page's array, while the page is the one this event came in: once it was delivered its array
     * holds a later page, and a route step that kept the event (a wireTap to a queue, say) must have
     * taken {@link #getJson()} before.
     */
    private byte[] source() {
        byte[] b = page.bytes();
        if (page.generation() != generation || b == null) {
            throw new IllegalStateException("event " + id + " was delivered with its page, whose memory now holds another page: "
                    + "take ${body.json} inside the split, before the page is delivered");
        }
        return b;
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
        byte[] b = source();
        int i = offset;
        int end = offset + length;
        // eight bytes at a time: this runs over every byte of every event of a backfill
        for (; i + 8 <= end; i += 8) {
            long w = (long) LONGS.get(b, i);
            if ((w & HIGH_BITS) != 0 || hasByte(w, LF8) || hasByte(w, CR8)) {
                return false;
            }
        }
        for (; i < end; i++) {
            int c = b[i];
            if (c < 0 || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long ONES = 0x0101010101010101L;
    private static final long LF8 = ONES * '\n';
    private static final long CR8 = ONES * '\r';

    /** Whether one of the eight (ASCII) bytes of {@code w} is the byte repeated in {@code pattern}. */
    private static boolean hasByte(long w, long pattern) {
        long x = w ^ pattern; // a zero byte where w has that byte
        return ((x - ONES) & ~x & HIGH_BITS) != 0;
    }

    /** Copies the event's JSON bytes into {@code dst} at {@code at}; returns the position after them. */
    public int copyJsonTo(byte[] dst, int at) {
        System.arraycopy(source(), offset, dst, at, length);
        return at + length;
    }

    /** Writes the event's JSON bytes to a buffer (the Devo connection's), without an intermediate array. */
    public void writeJsonTo(io.netty.buffer.ByteBuf out, int from, int n) {
        out.writeBytes(source(), offset + from, n);
    }

    @Override
    public String toString() {
        return getJson();
    }
}
