package io.collector.jumpcloud.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestBudgetTest {
    /** Many routes waiting at once share the rate (none gets more), and each one waiting gets its turn. */
    @Test
    void manyWaitersShareTheRateAndEachGetsItsTurn() throws Exception {
        RequestBudget budget = new RequestBudget(20);
        int waiters = 12;
        AtomicInteger granted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(waiters);
        try {
            long t0 = System.nanoTime();
            List<Future<Integer>> each = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                each.add(pool.submit(() -> {
                    int mine = 0;
                    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2)) {
                        if (budget.acquire(() -> false)) {
                            mine++;
                            if (System.nanoTime() - t0 <= TimeUnit.SECONDS.toNanos(2)) {
                                granted.incrementAndGet(); // the slots taken within the 2 s
                            }
                        }
                    }
                    return mine;
                }));
            }
            for (Future<Integer> f : each) {
                assertTrue(f.get(10, TimeUnit.SECONDS) >= 1, "every waiter got at least one slot in 2 s");
            }
            // a burst of one second's worth (20), then 20 a second: about 60 in 2 s, never many more
            assertTrue(granted.get() <= 61, "at most the burst plus the rate in 2 s: " + granted.get());
            assertTrue(granted.get() >= 40, "the rate is used: " + granted.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Routes that come back for their next page at once (a backfill) and routes that waited long
     * share the slots in turn: none is overtaken again and again (with 14 routes at 5 a second,
     * two of them once got no request in 8 s).
     */
    @Test
    void routesThatKeepComingBackDoNotStarveTheOthers() throws Exception {
        RequestBudget budget = new RequestBudget(10);
        int routes = 8;
        for (int i = 0; i < 10; i++) {
            assertTrue(budget.acquire(() -> false)); // the burst used up: from here on every slot is waited for
        }
        ExecutorService pool = Executors.newFixedThreadPool(routes);
        try {
            long t0 = System.nanoTime();
            List<Future<Integer>> each = new ArrayList<>();
            for (int i = 0; i < routes; i++) {
                each.add(pool.submit(() -> {
                    int mine = 0;
                    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3)) {
                        if (budget.acquire(() -> false)) {
                            mine++;
                        }
                    }
                    return mine;
                }));
            }
            List<Integer> counts = new ArrayList<>();
            for (Future<Integer> f : each) {
                counts.add(f.get(10, TimeUnit.SECONDS));
            }
            int least = counts.stream().min(Integer::compare).orElseThrow();
            int most = counts.stream().max(Integer::compare).orElseThrow();
            // 10 a second for 3 s: about 4 slots each, in turn
            assertTrue(most - least <= 2, "each route's slots in 3 s, in turn: " + counts);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A stop is seen by a waiter still in the queue behind another, not only by the one at the front. */
    @Test
    void aStopReachesWaitersInTheQueue() throws Exception {
        RequestBudget budget = new RequestBudget(0.2); // one slot, then the next after 5 s
        assertTrue(budget.acquire(() -> false));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> waiting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiting.add(pool.submit(() -> budget.acquire(stop::get)));
            }
            Thread.sleep(300);
            long t0 = System.nanoTime();
            stop.set(true);
            for (Future<Boolean> f : waiting) {
                assertFalse(f.get(2, TimeUnit.SECONDS), "gave up instead of taking a slot");
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 1500, "all three gave up within a second and a half of the stop: " + ms + " ms");
            assertEquals(0, pool.shutdownNow().size());
        } finally {
            pool.shutdownNow();
        }
    }
}
