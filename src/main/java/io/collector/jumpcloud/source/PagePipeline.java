package io.collector.jumpcloud.source;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The pages of one query of one pull, asked for ahead of their delivery. The request of page k+1
 * leaves as soon as page k's headers came (its cursor is in {@code X-Search_after}), while page k's
 * body is still read and earlier pages are delivered: JumpCloud's answer time, the transfer and the
 * delivery overlap. Bounded twice: a route keeps at most {@value #PAGES_PER_ROUTE} page bodies in
 * memory (the one being delivered and the next), and all routes together at most
 * {@code collector.max-pages-in-memory}; a request leaves only once its page has a place, so no
 * answer is left unread at JumpCloud. At most {@value #AHEAD} requests run ahead of the page being
 * delivered.
 *
 * <p>Only the pull's own thread takes pages; page requests run on other threads and call
 * {@link #acquirePlace} and {@link #headers}. Nothing here moves the checkpoint.
 */
final class PagePipeline {
    static final int PAGES_PER_ROUTE = 2;
    static final int AHEAD = 2;

    final PageMemory memory;
    final Semaphore route = new Semaphore(PAGES_PER_ROUTE, true);
    private final Function<PageSlot, CompletableFuture<FetchedPage>> send;
    private final ArrayDeque<PageSlot> waiting = new ArrayDeque<>(); // issued, not yet taken; in page order
    private PageSlot delivering;
    private PageQuery nextKnown; // the request after the last issued one, known from its headers
    volatile boolean closed;
    private boolean retrying; // the last page taken failed: nothing is asked for ahead until one comes

    /**
     * @param memory the collector's page bodies ({@code collector.max-pages-in-memory})
     * @param send   sends a slot's request (to {@code direct:jumpcloud-page}), answering its exchange
     */
    PagePipeline(PageMemory memory, Function<PageSlot, CompletableFuture<FetchedPage>> send) {
        this.memory = memory;
        this.send = send;
    }

    /**
     * The page of {@code query}: the one asked for ahead when it is the next in line, otherwise asked
     * for now (pages asked for other positions are dropped). The page being delivered before it is
     * done. Waits for the answer; a collector that stops ends the wait.
     */
    FetchedPage take(PageQuery query, BooleanSupplier stopping) throws Exception {
        PageSlot slot;
        synchronized (this) {
            finishDelivering();
            PageSlot head = waiting.peek();
            if (head != null && head.query.samePosition(query)) {
                slot = waiting.poll();
            } else {
                dropWaiting();
                slot = issue(query);
                waiting.poll();
            }
            delivering = slot;
            if (!retrying) {
                issueMore();
            }
        }
        FetchedPage answer;
        try {
            answer = await(slot.answer, stopping);
        } catch (StoppingException e) {
            throw e;
        } catch (Exception e) {
            synchronized (this) {
                // pages asked for after one that failed are not trusted: asked for again after the retry
                retrying = true;
                dropWaiting();
                finishDelivering();
            }
            throw e;
        }
        synchronized (this) {
            if (retrying) {
                retrying = false;
                issueMore();
            }
        }
        return answer;
    }

    /**
     * Page request thread: the page's headers came; {@code next} is the request of its successor when
     * they announce a full page and its cursor (null otherwise), asked for now unless a retry runs
     * (no request ahead while JumpCloud fails or rate limits: it would add to the load).
     */
    void headers(PageSlot slot, PageQuery next) {
        synchronized (this) {
            if (closed || !isLastIssued(slot)) {
                return;
            }
            nextKnown = next;
            if (!retrying) {
                issueMore();
            }
        }
    }

    /**
     * Page request thread, before the request leaves: one of the route's places (a route holds at
     * most {@value #PAGES_PER_ROUTE} pages); false when the pull no longer waits for it. The
     * collector's shared places are taken only once a large body flows ({@link PageSlot#read}).
     */
    boolean acquirePlace(PageSlot slot, BooleanSupplier stopping) throws InterruptedException {
        BooleanSupplier giveUp = () -> closed || slot.dropped || stopping.getAsBoolean();
        try {
            // a route's pages take their places in their order: a later page holding the places the
            // page its pull waits for needs would stop every route (seen with six routes and 4 places)
            PageSlot before = slot.before;
            if (before != null && !FutureWait.until(before.placed, giveUp)) {
                return false;
            }
            while (!route.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (giveUp.getAsBoolean()) {
                    return false;
                }
            }
            slot.holdsRoute.set(true);
            if (closed) {
                slot.releaseNow();
                return false;
            }
            return true;
        } finally {
            slot.before = null; // no chain of every page of the pull stays reachable
            slot.placed.complete(null);
        }
    }

    /** The page being delivered was delivered: its places are free for the pages after it. */
    synchronized void delivered() {
        finishDelivering();
    }

    /** The pull ends (done, failed or stopping): nothing more is asked for, and every place is freed. */
    void close() {
        synchronized (this) {
            closed = true;
            finishDelivering();
            dropWaiting();
        }
    }

    // --- inside the lock ------------------------------------------------------------------------

    private PageSlot issue(PageQuery query) {
        PageSlot last = waiting.peekLast() != null ? waiting.peekLast() : delivering;
        PageSlot s = new PageSlot(query, this, last == null || last.dropped ? null : last);
        waiting.add(s);
        nextKnown = null;
        s.answer = send.apply(s);
        s.answer.whenComplete((e, t) -> {
            s.before = null;
            s.placed.complete(null);
            s.memoryBefore = null;
            s.memoryPlaced.complete(null);
        });
        return s;
    }

    /**
     * Asks for the known next page while fewer than AHEAD requests run ahead of the one delivered,
     * and only while a shared page place is free: an answer asked for ahead is then read at once,
     * not left waiting at JumpCloud for memory (the page the pull waits for is asked for anyway).
     */
    private void issueMore() {
        if (nextKnown != null && !closed && waiting.size() < AHEAD && memory.freePlaces() > 0) {
            issue(nextKnown);
        }
    }

    private boolean isLastIssued(PageSlot slot) {
        PageSlot last = waiting.peekLast();
        return last != null ? last == slot : delivering == slot;
    }

    private void finishDelivering() {
        if (delivering != null) {
            delivering.release();
            delivering = null;
        }
    }

    private void dropWaiting() {
        PageSlot s;
        while ((s = waiting.poll()) != null) {
            s.release(); // once it answered: its body may still be read now
        }
        nextKnown = null;
    }

    private static FetchedPage await(CompletableFuture<FetchedPage> answer, BooleanSupplier stopping) throws Exception {
        if (!FutureWait.until(answer, stopping)) {
            throw new StoppingException();
        }
        try {
            return answer.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                    ? ce.getCause() : e.getCause();
            throw c instanceof Exception x ? x : e;
        }
    }
}
