package io.collector.jumpcloud.source;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes of one page as JumpCloud sent them. A pulled page's array comes from {@link PageMemory}
 * and is reused for a later page once this one was delivered: the events of the page then refuse to
 * be read ({@link DiEvent}), instead of showing another page's bytes.
 */
public final class PageBody {
    private byte[] bytes;
    private int length;
    private volatile int generation;

    PageBody(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** A body of its own (tests, the Kamelet): never reused. */
    public static PageBody of(byte[] bytes) {
        return new PageBody(bytes, bytes.length);
    }

    byte[] bytes() {
        return bytes;
    }

    int capacity() {
        return bytes == null ? 0 : bytes.length;
    }

    public int length() {
        return length;
    }

    int generation() {
        return generation;
    }

    /** Bytes read before a body takes a page place: a small answer (a live trickle) needs none. */
    static final int HEAD = 64 * 1024;

    /**
     * Reads at most {@link #HEAD} bytes into a small array of its own: all of a small answer, or the
     * start of a large one (see {@link #readRest}). A stalled answer holds no page place meanwhile.
     *
     * @return the whole body when it ended within that, else null (the head is in {@code head})
     */
    static PageBody readHead(InputStream in, byte[] head, int[] read) throws IOException {
        int n = in.readNBytes(head, 0, head.length);
        read[0] = n;
        if (n < head.length) {
            return new PageBody(java.util.Arrays.copyOf(head, n), n);
        }
        int next = in.read();
        if (next < 0) {
            return new PageBody(head, n);
        }
        read[0] = -1 - next; // the byte after the head, which the caller hands to readRest
        return null;
    }

    /**
     * Reads the rest of a body of {@code contentLength} bytes (negative: unknown) after its head,
     * into this page's array (growing it when needed): a body that ends early is an error (a
     * truncated page), one that goes on is read to its end, up to {@code cap} bytes (then
     * {@link PageTooLargeException}).
     */
    void readRest(byte[] head, int next, InputStream in, long contentLength, long cap) throws IOException {
        length = 0;
        if (contentLength > cap) {
            throw new PageTooLargeException(contentLength, cap, true);
        }
        ensure(contentLength >= 0 ? (int) contentLength + 1 : head.length * 4);
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) next;
        length = head.length + 1;
        if (contentLength >= 0) {
            length += in.readNBytes(bytes, length, (int) contentLength - length);
            if (length < contentLength) {
                throw new EOFException("the page ended after " + length + " of its " + contentLength + " bytes");
            }
        }
        int n;
        while ((n = in.read(bytes, length, bytes.length - length)) >= 0) {
            length += n;
            if (length > cap) {
                throw new PageTooLargeException(length, cap, false);
            }
            if (length == bytes.length) {
                ensure((int) Math.min(cap + 1, (long) bytes.length * 2));
            }
        }
    }

    /** Reads a whole body into this page's array (tests): {@link #readHead} and {@link #readRest} in one. */
    void readFrom(InputStream in, long contentLength) throws IOException {
        byte[] head = new byte[HEAD];
        int[] read = new int[1];
        PageBody small = readHead(in, head, read);
        if (small != null) {
            if (contentLength >= 0 && small.length < contentLength) {
                throw new EOFException("the page ended after " + small.length + " of its " + contentLength + " bytes");
            }
            copyFrom(java.util.Arrays.copyOf(small.bytes, small.length));
            return;
        }
        readRest(head, -1 - read[0], in, contentLength, Integer.MAX_VALUE - 64);
    }

    /** The body was read by the HTTP client already (a stream cache, an array): copied in. */
    void copyFrom(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, 0, b.length);
        length = b.length;
    }

    private void ensure(int size) {
        if (bytes == null || bytes.length < size) {
            // a little room above this page, so that a slightly larger next page does not reallocate
            byte[] grown = new byte[(int) Math.min(Integer.MAX_VALUE - 64, size + (size >> 3) + 4096L)];
            if (bytes != null && length > 0) {
                System.arraycopy(bytes, 0, grown, 0, length);
            }
            bytes = grown;
        }
    }

    /** The page was delivered: its events' bytes are no longer this page's. */
    void recycle() {
        generation++;
        length = 0;
    }
}
