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
import org.junit.jupiter.api.Test;

class RequestBudgetTest {
    /** Many routes waiting at once share the rate (none gets more), and each one waiting gets its turn. */
    @Test
    void manyWaitersShareTheRateAndEachGetsItsTurn() throws Exception {
        List<Integer> slots = slotsEachRouteTakes(new RequestBudget(20), 12, 2);
        assertTrue(slots.stream().allMatch(n -> n >= 1), "every waiter got at least one slot in 2 s: " + slots);
        int granted = slots.stream().mapToInt(Integer::intValue).sum();
        // a burst of one second's worth (20), then 20 a second: about 60 in 2 s, never many more
        assertTrue(granted <= 61, "at most the burst plus the rate in 2 s: " + granted);
        assertTrue(granted >= 40, "the rate is used: " + granted);
    }

    /**
     * Routes that come back for their next page at once (a backfill) and routes that waited long
     * share the slots in turn: none is overtaken again and again (with 14 routes at 5 a second,
     * two of them once got no request in 8 s).
     */
    @Test
    void routesThatKeepComingBackDoNotStarveTheOthers() throws Exception {
        RequestBudget budget = new RequestBudget(10);
        for (int i = 0; i < 10; i++) {
            assertTrue(budget.acquire(() -> false)); // the burst used up: from here on every slot is waited for
        }
        List<Integer> slots = slotsEachRouteTakes(budget, 8, 3);
        int least = slots.stream().min(Integer::compare).orElseThrow();
        int most = slots.stream().max(Integer::compare).orElseThrow();
        // 10 a second for 3 s: about 4 slots each, in turn
        assertTrue(most - least <= 2, "each route's slots in 3 s, in turn: " + slots);
    }

    /** Waiters that gave up hand their slots back: the next request does not wait behind them. */
    @Test
    void aWaiterThatGivesUpHandsItsSlotBack() throws Exception {
        RequestBudget budget = new RequestBudget(1); // one slot a second
        long t0 = System.nanoTime();
        assertTrue(budget.acquire(() -> false));
        threeWaitersStoppedAfter(budget, 300); // they held the slots of +1 s, +2 s, +3 s
        assertTrue(budget.acquire(() -> false));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 2500, "the next request took the slot of +1 s, not the one after the three given up: " + ms + " ms");
    }

    /** Each route asks for its next slot as soon as it has one, for {@code seconds}: the slots each took in that time. */
    private static List<Integer> slotsEachRouteTakes(RequestBudget budget, int routes, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(routes);
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Future<Integer>> each = new ArrayList<>();
            for (int i = 0; i < routes; i++) {
                each.add(pool.submit(() -> {
                    int mine = 0;
                    while (System.nanoTime() < end) {
                        if (budget.acquire(() -> false) && System.nanoTime() <= end) {
                            mine++; // a slot that came after the end is not counted
                        }
                    }
                    return mine;
                }));
            }
            List<Integer> slots = new ArrayList<>();
            for (Future<Integer> f : each) {
                slots.add(f.get(seconds + 10L, TimeUnit.SECONDS));
            }
            return slots;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A stop is seen by a waiter still in the queue behind another, not only by the one at the front. */
    @Test
    void aStopReachesWaitersInTheQueue() throws Exception {
        RequestBudget budget = new RequestBudget(0.2); // one slot, then the next after 5 s
        assertTrue(budget.acquire(() -> false));
        long ms = threeWaitersStoppedAfter(budget, 300);
        assertTrue(ms < 1500, "all three gave up within a second and a half of the stop: " + ms + " ms");
    }

    /**
     * Three requests wait for the budget; after {@code waitMs} their stop turns true. Each must give
     * up (false), not take a slot; returns the milliseconds from the stop until all three had.
     */
    private static long threeWaitersStoppedAfter(RequestBudget budget, long waitMs) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> waiting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiting.add(pool.submit(() -> budget.acquire(stop::get)));
            }
            Thread.sleep(waitMs);
            long t0 = System.nanoTime();
            stop.set(true);
            for (Future<Boolean> f : waiting) {
                assertFalse(f.get(2, TimeUnit.SECONDS), "gave up instead of taking a slot");
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(0, pool.shutdownNow().size());
            return ms;
        } finally {
            pool.shutdownNow();
        }
    }
}
