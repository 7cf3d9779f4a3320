package io.collector.jumpcloud.source;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One request budget for the API key, shared by every route (all services, all organizations) and
 * by the count check: adding services or organizations spreads the same request rate over more
 * routes instead of multiplying the load on JumpCloud. A token bucket (Bucket4j) refilled greedily
 * at {@code jumpcloud.max-requests-per-second}, with a burst of one second's worth.
 */
public final class RequestBudget {
    private final Bucket bucket;
    private final double perSecond;
    private static final long LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    public RequestBudget(double requestsPerSecond) {
        this.perSecond = requestsPerSecond;
        // a burst of one second's worth, refilled evenly: 2.5/s is 3 tokens per 1.2 s
        long tokens = (long) Math.max(1, Math.ceil(requestsPerSecond));
        Duration period = Duration.ofNanos(Math.round(tokens * 1e9 / requestsPerSecond));
        this.bucket = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(tokens).refillGreedy(tokens, period).build())
                .build();
    }

    public double perSecond() {
        return perSecond;
    }

    /**
     * Takes a request slot: at once when one is free, else the next slot not yet promised, and
     * sleeps until it. Reserving makes the waiters first come, first served: a route that waited
     * is never overtaken by one that keeps coming back for its next page (a queue that a waiter
     * left and re-joined to look at {@code stop} let the busy routes starve the others). Gives up
     * (false) when {@code stop} turns true, handing its slot back, so a shutdown is never held by
     * the budget.
     */
    public boolean acquire(BooleanSupplier stop) throws InterruptedException {
        try {
            bucket.asBlocking().consume(1, nanos -> sleepUnlessStopped(nanos, stop));
            return true;
        } catch (GaveUp e) {
            bucket.addTokens(1);
            return false;
        }
    }

    /** A {@link BlockingStrategy#park} that looks at {@code stop} four times a second. */
    private static void sleepUnlessStopped(long nanos, BooleanSupplier stop) throws InterruptedException {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime()) {
            if (stop.getAsBoolean()) {
                throw new GaveUp();
            }
            LockSupport.parkNanos(Math.min(left, LOOK_NANOS));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** The waiter saw its stop: not an interrupt of the thread, only the end of this wait. */
    private static final class GaveUp extends InterruptedException {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // expected at every shutdown: no stack to build
        }
    }
}
