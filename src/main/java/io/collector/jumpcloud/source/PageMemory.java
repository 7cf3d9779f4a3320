package io.collector.jumpcloud.source;

import java.util.ArrayDeque;
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
    private final ArrayDeque<PageBody> free = new ArrayDeque<>();

    public PageMemory(int pages) {
        this.places = new Semaphore(pages, true);
    }

    /** A place and a body of unknown size at once (tests); null when {@code giveUp} says so first. */
    PageBody acquire(BooleanSupplier giveUp) throws InterruptedException {
        return place(giveUp) ? array(-1) : null;
    }

    /**
     * A place for one large page body, taken once the body flows (a stalled answer holds none).
     * False when {@code giveUp} says so first.
     */
    boolean place(BooleanSupplier giveUp) throws InterruptedException {
        while (!places.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (giveUp.getAsBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** Shared places free now (requests asked for ahead leave only while one is). */
    int freePlaces() {
        return places.availablePermits();
    }

    /** A place taken by {@link #place} whose page never got an array (its request failed). */
    void releasePlace() {
        places.release();
    }

    /**
     * The array for a page of {@code size} bytes (negative: unknown), within a place already taken:
     * the free array that fits it best, so the pages of a service with large events (MDM's are twice
     * the others) do not make every array that large.
     */
    PageBody array(long size) {
        synchronized (free) {
            PageBody smallestFit = null;
            PageBody largest = null;
            for (PageBody b : free) {
                if (size >= 0 && b.capacity() > size && (smallestFit == null || b.capacity() < smallestFit.capacity())) {
                    smallestFit = b;
                }
                if (largest == null || b.capacity() > largest.capacity()) {
                    largest = b;
                }
            }
            PageBody b = smallestFit != null ? smallestFit : largest; // else the one that grows least
            if (b != null) {
                free.remove(b);
                return b;
            }
        }
        return new PageBody(null, 0);
    }

    /** The page left memory: its array serves a later page. */
    void release(PageBody b) {
        b.recycle();
        synchronized (free) {
            free.push(b);
        }
        places.release();
    }
}
