package io.collector.jumpcloud.source;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One page request of a {@link PagePipeline}: its answer, and the places its body holds (one of the
 * route's, and one of the collector's shared page places once a large body flows), taken in the
 * route's page order and freed when the page left memory.
 */
final class PageSlot {
    final PageQuery query;
    final PagePipeline pipeline;
    volatile CompletableFuture<FetchedPage> answer;
    final AtomicBoolean holdsRoute = new AtomicBoolean();
    private final AtomicBoolean holdsPlace = new AtomicBoolean();
    private volatile PageBody body;
    /** The route's page before this one, until this one is placed: places go to a route's pages in their order. */
    volatile PageSlot before;
    /** Done once this page has its places, or will never take any (it answered, or was dropped). */
    final CompletableFuture<Void> placed = new CompletableFuture<>();
    volatile boolean dropped;
    /** The route's page before this one, until this one has its shared memory place (or needs none). */
    volatile PageSlot memoryBefore;
    /** Done once this page took its shared memory place, or will never take one (small, failed, dropped). */
    final CompletableFuture<Void> memoryPlaced = new CompletableFuture<>();

    PageSlot(PageQuery query, PagePipeline pipeline, PageSlot before) {
        this.query = query;
        this.pipeline = pipeline;
        this.before = before;
        this.memoryBefore = before;
    }

    /**
     * Reads the page's body: a small one into an array of its own; a large one, once its first
     * {@value PageBody#HEAD} bytes came, into an array of {@link PageMemory}, after taking one of
     * the collector's page places (a stalled or trickling answer holds none meanwhile).
     */
    PageBody read(InputStream in, long contentLength, long cap, BooleanSupplier stopping) throws IOException,
            InterruptedException {
        if (contentLength > cap) {
            throw new PageTooLargeException(contentLength, cap, true);
        }
        byte[] head = new byte[PageBody.HEAD];
        int[] read = new int[1];
        PageBody small;
        try {
            small = PageBody.readHead(in, head, read);
        } catch (IOException | RuntimeException e) {
            memoryPlaced.complete(null);
            throw e;
        }
        if (small != null) {
            memoryPlaced.complete(null);
            if (contentLength >= 0 && small.length() < contentLength) {
                throw new EOFException("the page ended after " + small.length() + " of its " + contentLength + " bytes");
            }
            return small;
        }
        BooleanSupplier giveUp = () -> dropped || pipeline.closed || stopping.getAsBoolean();
        try {
            // a route's pages take the shared places in their order: a later page holding the only
            // place while the page its pull waits for needs one would stop the route (and, with
            // few places, every route)
            PageSlot earlier = memoryBefore;
            if (earlier != null && !FutureWait.until(earlier.memoryPlaced, giveUp)) {
                throw new StoppingException();
            }
            if (!pipeline.memory.place(giveUp)) {
                throw new StoppingException();
            }
            holdsPlace.set(true);
        } finally {
            memoryBefore = null;
            memoryPlaced.complete(null);
        }
        PageBody b = pipeline.memory.array(contentLength);
        body = b;
        b.readRest(head, -1 - read[0], in, contentLength, cap);
        return b;
    }

    /**
     * The page's body left memory (delivered, failed or dropped): its places and its array are
     * free, once its request ended (its body is never reused while it is still being read).
     */
    void release() {
        dropped = true;
        answer.whenComplete((e, t) -> releaseNow());
    }

    synchronized void releaseNow() {
        PageBody b = body;
        body = null;
        if (holdsPlace.compareAndSet(true, false)) {
            if (b != null) {
                pipeline.memory.release(b); // the array and its place
            } else {
                pipeline.memory.releasePlace();
            }
        }
        if (holdsRoute.compareAndSet(true, false)) {
            pipeline.route.release();
        }
    }
}
