package io.collector.jumpcloud.devo;

import io.collector.jumpcloud.source.DiEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A page's Devo lines, each noted as its header bytes (cached per table and second) and the event's
 * bytes in the page JumpCloud sent, until they are written: {@link DevoLineFramer} streams them
 * straight into the connection's pooled buffers as it takes them, so a page costs no array of its
 * own (an 11 MB copy per page, and its GC work, before). Every line ends with LF.
 */
public final class DevoPage {
    private byte[][] prefixes = new byte[1024][];
    private Object[] payloads = new Object[1024]; // DiEvent (its bytes in the page) or byte[]
    private int[] lengths = new int[1024];
    private long bytes;
    private int count;
    /** Lines that went to the fallback table, by the event's service ("" for none); null when none did. */
    private java.util.Map<String, Integer> fallback;

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

    private java.util.List<DevoLines.TooLong> tooLong;

    void tooLong(DevoLines.TooLong t) {
        if (tooLong == null) {
            tooLong = new java.util.ArrayList<>();
        }
        tooLong.add(t);
    }

    /** The events kept out because their line is over devo.max-line-bytes. */
    java.util.List<DevoLines.TooLong> tooLong() {
        return tooLong == null ? java.util.List.of() : tooLong;
    }

    void fallback(String service) {
        if (fallback == null) {
            fallback = new java.util.TreeMap<>();
        }
        fallback.merge(service == null ? "" : service, 1, Integer::sum);
    }

    /** Lines sent to the fallback table, by the event's service ("" for an event without one). */
    public java.util.Map<String, Integer> fallbackLines() {
        return fallback == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(fallback);
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
     * The lines as a stream of buffers of at most {@code chunk} bytes, read as the connection can take
     * them (netty's ChunkedWriteHandler): a page of 11 MB is never all in the connection's buffers at
     * once. A buffer holds whole lines only (a line longer than {@code chunk} is the one exception, cut
     * across buffers), so each can go out as whole TLS records ({@link WholeLineRecords}).
     */
    public ChunkedInput<ByteBuf> chunks(int chunk) {
        return new Chunks(chunk);
    }

    private final class Chunks implements ChunkedInput<ByteBuf> {
        private final int chunk;
        private int line;   // the line being copied
        private int part;   // 0 its header, 1 its event, 2 its LF
        private int offset; // within that part
        private long progress;

        Chunks(int chunk) {
            this.chunk = chunk;
        }

        @Override
        public boolean isEndOfInput() {
            return line >= count;
        }

        @Override
        public void close() {
            line = count;
        }

        @Deprecated
        @Override
        public ByteBuf readChunk(ChannelHandlerContext ctx) {
            return readChunk(ctx.alloc());
        }

        @Override
        public ByteBuf readChunk(ByteBufAllocator alloc) {
            if (isEndOfInput()) {
                return null;
            }
            ByteBuf buf = alloc.heapBuffer((int) Math.min(chunk, bytes - progress));
            try {
                while (line < count && buf.isWritable()) {
                    if (part == 0 && offset == 0 && buf.isReadable() && lineLength(line) > buf.writableBytes()) {
                        break; // whole lines only: the next one starts the next chunk (one longer than a chunk is cut)
                    }
                    int len = part == 0 ? prefixes[line].length : part == 1 ? lengths[line] : 1;
                    int n = Math.min(len - offset, buf.writableBytes());
                    if (part == 0) {
                        buf.writeBytes(prefixes[line], offset, n);
                    } else if (part == 1) {
                        if (payloads[line] instanceof DiEvent e) {
                            e.writeJsonTo(buf, offset, n);
                        } else {
                            buf.writeBytes((byte[]) payloads[line], offset, n);
                        }
                    } else {
                        buf.writeByte('\n');
                    }
                    offset += n;
                    if (offset == len) {
                        offset = 0;
                        if (++part == 3) {
                            part = 0;
                            line++;
                        }
                    }
                }
            } catch (RuntimeException e) {
                buf.release();
                throw e;
            }
            progress += buf.readableBytes();
            return buf;
        }

        private int lineLength(int i) {
            return prefixes[i].length + lengths[i] + 1;
        }

        @Override
        public long length() {
            return bytes;
        }

        @Override
        public long progress() {
            return progress;
        }
    }

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
