package io.collector.jumpcloud.devo;

import io.collector.jumpcloud.source.DiEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A page's Devo lines, each noted as its header bytes (cached per table and second) and the event's
 * bytes in the page JumpCloud sent, until they are written: {@link DevoLineFramer} copies them
 * straight into the connection's pooled buffers, so a page costs no array of its own (an 11 MB copy
 * per page, and its GC work, before). Every line ends with LF.
 */
public final class DevoPage {
    private byte[][] prefixes = new byte[1024][];
    private Object[] payloads = new Object[1024]; // DiEvent (its bytes in the page) or byte[]
    private int[] lengths = new int[1024];
    private long bytes;
    private int count;

    void add(byte[] prefix, Object payload, int length) {
        if (count == prefixes.length) {
            int n = count * 2;
            prefixes = Arrays.copyOf(prefixes, n);
            payloads = Arrays.copyOf(payloads, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        prefixes[count] = prefix;
        payloads[count] = payload;
        lengths[count] = length;
        count++;
        bytes += prefix.length + length + 1L;
    }

    /** The number of lines. */
    public int count() {
        return count;
    }

    /** The lines' size in bytes, LFs included: what goes on the connection. */
    public long byteLength() {
        return bytes;
    }

    /**
     * Writes the lines into buffers of {@code chunk} bytes from {@code alloc}, handing each full one to
     * {@code out} (the connection's writes; one TLS record is 16 kB, so 64 kB chunks keep the records
     * full and the writes few).
     */
    public void writeTo(ByteBufAllocator alloc, int chunk, Consumer<ByteBuf> out) {
        ByteBuf buf = alloc.heapBuffer(chunk);
        try {
            for (int i = 0; i < count; i++) {
                buf = put(alloc, chunk, out, buf, prefixes[i], 0, prefixes[i].length);
                Object p = payloads[i];
                int len = lengths[i];
                int from = 0;
                while (from < len) {
                    if (!buf.isWritable()) {
                        out.accept(buf);
                        buf = alloc.heapBuffer(chunk);
                    }
                    int n = Math.min(len - from, buf.writableBytes());
                    if (p instanceof DiEvent e) {
                        e.writeJsonTo(buf, from, n);
                    } else {
                        buf.writeBytes((byte[]) p, from, n);
                    }
                    from += n;
                }
                buf = put(alloc, chunk, out, buf, LF, 0, 1);
            }
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        if (buf.isReadable()) {
            out.accept(buf);
        } else {
            buf.release();
        }
    }

    private static ByteBuf put(ByteBufAllocator alloc, int chunk, Consumer<ByteBuf> out, ByteBuf buf, byte[] b, int from, int len) {
        while (from < len) {
            if (!buf.isWritable()) {
                out.accept(buf);
                buf = alloc.heapBuffer(chunk);
            }
            int n = Math.min(len - from, buf.writableBytes());
            buf.writeBytes(b, from, n);
            from += n;
        }
        return buf;
    }

    private static final byte[] LF = {'\n'};

    /** The lines as one array (the dry run's standard output, type conversion). */
    public byte[] toByteArray() {
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a page of " + count + " lines holds " + bytes + " bytes: more than one array can carry");
        }
        byte[] out = new byte[(int) bytes];
        int at = 0;
        for (int i = 0; i < count; i++) {
            System.arraycopy(prefixes[i], 0, out, at, prefixes[i].length);
            at += prefixes[i].length;
            if (payloads[i] instanceof DiEvent e) {
                at = e.copyJsonTo(out, at);
            } else {
                System.arraycopy((byte[]) payloads[i], 0, out, at, lengths[i]);
                at += lengths[i];
            }
            out[at++] = '\n';
        }
        return out;
    }

    /** The lines, LF-ended, as text. */
    @Override
    public String toString() {
        return new String(toByteArray(), StandardCharsets.UTF_8);
    }
}
