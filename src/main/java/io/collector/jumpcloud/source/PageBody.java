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

    /**
     * Reads a body of {@code contentLength} bytes (negative: unknown) into the array, growing it when
     * needed; a body that ends early is an error (a truncated page), one that goes on is read to its end.
     */
    void readFrom(InputStream in, long contentLength) throws IOException {
        length = 0;
        if (contentLength > Integer.MAX_VALUE - 64) {
            throw new IOException("a page of " + contentLength + " bytes is more than one page can hold");
        }
        ensure(contentLength >= 0 ? (int) contentLength + 1 : 1 << 16);
        if (contentLength >= 0) {
            length = in.readNBytes(bytes, 0, (int) contentLength);
            if (length < contentLength) {
                throw new EOFException("the page ended after " + length + " of its " + contentLength + " bytes");
            }
        }
        int n;
        while ((n = in.read(bytes, length, bytes.length - length)) >= 0) {
            length += n;
            if (length == bytes.length) {
                ensure(bytes.length * 2);
            }
        }
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
