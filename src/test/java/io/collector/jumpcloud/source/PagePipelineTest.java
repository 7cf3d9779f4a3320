package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The requests a pull asks for ahead: when they leave, how many, and in which order pages get memory. */
class PagePipelineTest {
    private final List<PageSlot> sent = new ArrayList<>();

    private PagePipeline pipeline(PageMemory memory) {
        return new PagePipeline(memory, slot -> {
            synchronized (sent) {
                sent.add(slot);
            }
            return new CompletableFuture<>();
        });
    }

    private static PageQuery page(int n) {
        return new PageQuery("sso", null, Instant.EPOCH, null, false,
                n == 0 ? null : JsonNodeFactory.instance.arrayNode().add(n), 10_000, false);
    }

    private FetchedPage ok() {
        return new FetchedPage(EventPage.parse("[]".getBytes(java.nio.charset.StandardCharsets.UTF_8), "sso"), null, false);
    }

    private PageSlot sent(int i) {
        synchronized (sent) {
            return sent.get(i);
        }
    }

    private int sentCount() {
        synchronized (sent) {
            return sent.size();
        }
    }

    @Test
    void theNextRequestLeavesOnThePagesHeadersAndAtMostTwoRunAhead() throws Exception {
        PagePipeline p = pipeline(new PageMemory(10));
        CompletableFuture<FetchedPage> first = CompletableFuture.supplyAsync(() -> {
            try {
                return p.take(page(0), () -> false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitSent(1);
        p.headers(sent(0), page(1)); // page 0's headers: page 1 is asked for before page 0's body is read
        assertEquals(2, sentCount());
        p.headers(sent(1), page(2)); // page 1's headers while page 0 is still read: page 2 too
        assertEquals(3, sentCount());
        p.headers(sent(2), page(3)); // but no more than two ahead of the page the pull waits for
        assertEquals(3, sentCount());
        sent(0).answer.complete(ok());
        first.get(5, TimeUnit.SECONDS);
        CompletableFuture<FetchedPage> second = take(p, page(1)); // taking page 1 lets page 3 leave
        awaitSent(4);
        assertEquals(page(3), sent(3).query);
        FetchedPage answer = ok();
        sent(1).answer.complete(answer);
        assertSame(answer, second.get(5, TimeUnit.SECONDS), "the page asked for ahead is the one taken");
        assertEquals(4, sentCount(), "page 1 was not asked for twice");
    }

    @Test
    void afterAFailedPageNothingIsAskedForAheadUntilOneComes() throws Exception {
        PagePipeline p = pipeline(new PageMemory(10));
        CompletableFuture<FetchedPage> first = take(p, page(0));
        awaitSent(1);
        p.headers(sent(0), page(1));
        assertEquals(2, sentCount());
        sent(0).answer.completeExceptionally(new java.io.IOException("reset"));
        java.util.concurrent.ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> first.get(5, TimeUnit.SECONDS));
        assertTrue(String.valueOf(failed.getCause()).contains("reset"), String.valueOf(failed.getCause()));
        // the retry asks again for page 0; page 1, asked for on a failed page's headers, is dropped
        CompletableFuture<FetchedPage> retry = take(p, page(0));
        awaitSent(3);
        assertEquals(page(0), sent(2).query);
        p.headers(sent(2), page(1));
        assertEquals(3, sentCount(), "while retrying, nothing is asked for ahead");
        sent(2).answer.complete(ok());
        retry.get(5, TimeUnit.SECONDS);
        assertEquals(4, sentCount(), "once a page came, the next one is asked for at once");
        assertEquals(page(1), sent(3).query);
    }

    @Test
    void aRoutesPagesGetMemoryInTheirOrder() throws Exception {
        PageMemory memory = new PageMemory(1);
        PagePipeline p = pipeline(memory);
        take(p, page(0));
        awaitSent(1);
        p.headers(sent(0), page(1));
        // page 1 asks for a place before page 0 does: it waits for page 0 to get its place first
        CompletableFuture<Boolean> later = CompletableFuture.supplyAsync(() -> acquire(p, sent(1)));
        Thread.sleep(300);
        assertFalse(later.isDone(), "page 1 waits for page 0");
        assertTrue(acquire(p, sent(0)));
        assertTrue(later.get(5, TimeUnit.SECONDS), "then page 1 takes the route's second place");
    }

    /**
     * The collector's shared page places go to bodies that flow: an answer that stalls (a trickle)
     * holds none, so another route's large page is read meanwhile (one place here).
     */
    @Test
    void aStalledAnswerHoldsNoSharedPlace() throws Exception {
        PageMemory memory = new PageMemory(1);
        PagePipeline stalled = pipeline(memory);
        PagePipeline other = pipeline(memory);
        take(stalled, page(0));
        take(other, page(0));
        awaitSent(2);
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        java.io.InputStream trickle = new java.io.InputStream() {
            int n;

            @Override
            public int read() throws java.io.IOException {
                if (n++ < 10) {
                    return ' ';
                }
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return -1;
            }
        };
        CompletableFuture<PageBody> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return sent(0).read(trickle, 1 << 20, 1 << 30, () -> false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] large = new byte[300_000];
        java.util.Arrays.fill(large, (byte) ' ');
        PageBody read = sent(1).read(new java.io.ByteArrayInputStream(large), large.length, 1 << 30, () -> false);
        assertEquals(large.length, read.length(), "the flowing page took the only place");
        assertFalse(slow.isDone(), "the trickle still waits, holding no place");
        never.countDown();
    }

    private static boolean acquire(PagePipeline p, PageSlot s) {
        try {
            return p.acquirePlace(s, () -> false);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<FetchedPage> take(PagePipeline p, PageQuery q) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return p.take(q, () -> false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void awaitSent(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sentCount() < n) {
            assertTrue(System.nanoTime() < end, "requests sent: " + sentCount() + " of " + n);
            Thread.sleep(5);
        }
    }
}
