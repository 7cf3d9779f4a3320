package io.collector.jumpcloud.source;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The page bodies all routes hold at once ({@code collector.max-pages-in-memory}), and their arrays,
 * reused page after page: a backfill of millions of events allocates no new 11 MB array per page, so
 * neither the heap nor the garbage collector's work grows with the backlog, the number of routes or
 * organizations.
 */
public final class PageMemory {
    private final Semaphore places;
    private final ConcurrentLinkedDeque<PageBody> free = new ConcurrentLinkedDeque<>();

    public PageMemory(int pages) {
        this.places = new Semaphore(pages, true);
    }

    /** A body to read a page into, once a place is free; null when {@code giveUp} says so first. */
    PageBody acquire(BooleanSupplier giveUp) throws InterruptedException {
        while (!places.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (giveUp.getAsBoolean()) {
                return null;
            }
        }
        PageBody b = free.poll();
        return b != null ? b : new PageBody(null, 0);
    }

    /** The page left memory: its array serves a later page. */
    void release(PageBody b) {
        b.recycle();
        free.push(b);
        places.release();
    }
}
